using IncidentResponse.Core.Identity;
using IncidentResponse.Core.Incidents;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.Organisations;

/// <summary>
/// What an empty database gets on first start: an administrator with an API key, an organisation
/// profile, and (embedded mode, or IR_DEMO=true) a demo retailer with one sample incident.
/// </summary>
public static class FirstStart
{
    public const string AdministratorEmail = "admin@localhost";

    public static async Task RunAsync(IServiceProvider services, IConfiguration configuration, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<IncidentDbContext>();
        var audit = sp.GetRequiredService<AuditTrail>();
        var clock = sp.GetRequiredService<IClock>();
        var now = clock.GetCurrentInstant();

        if (!await db.Users.AnyAsync(ct))
        {
            var key = configuration["IR_ADMIN_API_KEY"];
            var generated = string.IsNullOrWhiteSpace(key);
            key = generated ? Secrets.NewApiKey() : key!.Trim();
            var admin = new User
            {
                Id = Guid.CreateVersion7(), Email = AdministratorEmail, DisplayName = "Administrator",
                Roles = [Role.Administrator], CreatedAt = now,
                PasswordHash = configuration["IR_ADMIN_PASSWORD"] is { Length: >= 12 } password ? Secrets.HashPassword(password) : null,
            };
            db.Users.Add(admin);
            db.ApiKeys.Add(new ApiKey
            {
                Id = Guid.CreateVersion7(), UserId = admin.Id, Name = "first-start", Prefix = Secrets.PrefixOf(key),
                Hash = Secrets.HashApiKey(key), CreatedAt = now,
            });
            audit.Record("user.created", "user", admin.Id.ToString(), null, new { admin.Email, admin.Roles, apiKey = "first-start" });
            await audit.CommitAsync(ct);
            if (generated)
            {
                // Shown once: only the hash is kept.
                await Console.Out.WriteLineAsync($"Administrator API key (shown once, send it as X-Api-Key): {key}");
            }
        }

        if (await db.Organisations.AnyAsync(ct))
        {
            return;
        }

        var settings = sp.GetRequiredService<DatabaseSettings>();
        var demo = settings.Provider == DatabaseProvider.Sqlite
            ? !string.Equals(configuration["IR_DEMO"], "false", StringComparison.OrdinalIgnoreCase)
            : string.Equals(configuration["IR_DEMO"], "true", StringComparison.OrdinalIgnoreCase);
        if (demo)
        {
            await SeedDemoAsync(db, audit, now, ct);
        }
        else
        {
            var organisation = new Organisation
            {
                Id = Guid.CreateVersion7(), Name = configuration["IR_ORGANISATION_NAME"] ?? "Organisation",
                TimeZone = configuration["IR_ORGANISATION_TIME_ZONE"] ?? "UTC", Headquarters = configuration["IR_ORGANISATION_HEADQUARTERS"] ?? "US-DE",
            };
            db.Organisations.Add(organisation);
            audit.Record("organisation.created", "organisation", organisation.Id.ToString(), null, new { organisation.Name });
            await audit.CommitAsync(ct);
        }
    }

    private static async Task SeedDemoAsync(IncidentDbContext db, AuditTrail audit, Instant now, CancellationToken ct)
    {
        var organisation = new Organisation
        {
            Id = Guid.CreateVersion7(), Name = "Northwind Outfitters, Inc.", TimeZone = "America/Los_Angeles", Headquarters = "US-CA",
            ContactShortName = "Northwind", ContactAddress = "410 Harbor Way, Suite 200, Oakland, CA 94607", ContactPhone = "1-888-555-0147",
            ContactWebsite = "www.northwind.example/notice",
        };
        (string Name, SystemCategory Category, string[] Elements, string? Vendor)[] systems =
        [
            ("Store network and point of sale", SystemCategory.PointOfSale, ["paymentCard", "name"], null),
            ("northwind.example website", SystemCategory.Website, ["name", "emailAddress", "usernameOrEmailWithPassword", "postalAddress", "phoneNumber"], null),
            ("Northwind mobile app", SystemCategory.MobileApp, ["name", "emailAddress", "deviceIdentifier", "preciseGeolocation"], null),
            ("In-store Bluetooth beacons", SystemCategory.BluetoothBeacon, ["deviceIdentifier", "preciseGeolocation"], "BeaconWorks LLC"),
            ("Smart shelves", SystemCategory.SmartShelf, ["deviceIdentifier"], "ShelfSense Inc."),
            ("RFID readers", SystemCategory.RfidReader, ["deviceIdentifier"], null),
            ("Loyalty database", SystemCategory.LoyaltyDatabase, ["name", "emailAddress", "postalAddress", "phoneNumber", "dateOfBirth", "driversLicenseOrStateId"], null),
        ];
        foreach (var (name, category, elements, vendor) in systems)
        {
            organisation.Systems.Add(new InventorySystem
            {
                Id = Guid.CreateVersion7(), OrganisationId = organisation.Id, Name = name, Category = category,
                DataElements = [.. elements], Vendor = vendor, Residency = "US",
            });
        }

        db.Organisations.Add(organisation);
        audit.Record("organisation.created", "organisation", organisation.Id.ToString(), null, new { organisation.Name, demo = true });

        (string Email, string Name, Role Role)[] people =
        [
            ("dana.reyes@northwind.example", "Dana Reyes", Role.IncidentCommander),
            ("sam.okafor@northwind.example", "Sam Okafor", Role.Legal),
            ("priya.natarajan@northwind.example", "Priya Natarajan", Role.It),
            ("lee.chen@northwind.example", "Lee Chen", Role.Risk),
            ("maria.santos@northwind.example", "Maria Santos", Role.Communications),
            ("tom.baker@northwind.example", "Tom Baker", Role.CustomerService),
        ];
        var users = people.Select(p => new User
        {
            Id = Guid.CreateVersion7(), Email = p.Email, DisplayName = p.Name, Roles = [p.Role], CreatedAt = now,
        }).ToList();
        db.Users.AddRange(users);

        var discovered = now - Duration.FromDays(2);
        var incident = new Incident
        {
            Id = Guid.CreateVersion7(), Reference = IncidentReference.Format(now.InUtc().Year, 1),
            Title = "Beacon vendor compromise exposed loyalty members",
            Summary = "BeaconWorks reported that an attacker used a stolen support credential to reach the beacon management " +
                      "console, which holds an API token for the loyalty database. Queries against the loyalty tables were " +
                      "seen from an unknown address.",
            Kind = IncidentKind.ThirdPartyVendor, Severity = Severity.High, Status = IncidentStatus.Triage,
            CreatedAt = discovered, UpdatedAt = now, CreatedBy = users[0].Id,
        };
        incident.Milestones.Add(new Milestone { IncidentId = incident.Id, Kind = MilestoneKind.Occurred, At = discovered - Duration.FromDays(6), IsEstimate = true, Note = "First unknown login in the vendor console logs.", RecordedBy = users[2].Id, RecordedAt = now });
        incident.Milestones.Add(new Milestone { IncidentId = incident.Id, Kind = MilestoneKind.Discovered, At = discovered, RecordedBy = users[0].Id, RecordedAt = now });
        var leads = new[] { TeamLeadRole.IncidentCommander, TeamLeadRole.Legal, TeamLeadRole.It, TeamLeadRole.Risk, TeamLeadRole.Communications, TeamLeadRole.CustomerService };
        for (var i = 0; i < leads.Length; i++)
        {
            incident.TeamLeads.Add(new TeamLead { IncidentId = incident.Id, Role = leads[i], UserId = users[i].Id, AssignedAt = discovered });
            incident.Members.Add(new IncidentMember { IncidentId = incident.Id, UserId = users[i].Id });
        }

        db.ReferenceCounters.Add(new ReferenceCounter { Year = now.InUtc().Year, Last = 1 });
        db.Incidents.Add(incident);
        db.TimelineEntries.Add(new TimelineEntry { Id = Guid.CreateVersion7(), IncidentId = incident.Id, At = discovered, Text = "BeaconWorks security team called the IT service desk to report a compromised support account.", Category = "report", AuthorId = users[2].Id, RecordedAt = now });
        db.TimelineEntries.Add(new TimelineEntry { Id = Guid.CreateVersion7(), IncidentId = incident.Id, At = discovered + Duration.FromHours(3), Text = "Loyalty database API token revoked; beacon console access disabled.", Category = "containment", AuthorId = users[2].Id, RecordedAt = now });
        db.Decisions.Add(new Decision { Id = Guid.CreateVersion7(), IncidentId = incident.Id, Title = "Engage outside counsel", Outcome = "Retain breach counsel; forensics engaged through counsel", Rationale = "Preserve privilege over the forensic report.", Privileged = true, DecidedBy = users[1].Id, DecidedAt = discovered + Duration.FromHours(4), RecordedAt = now });
        audit.Record("incident.created", "incident", incident.Id.ToString(), null, new { incident.Reference, incident.Title, demo = true });
        await audit.CommitAsync(ct);
    }
}
