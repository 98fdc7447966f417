using IncidentResponse.Core.Identity;
using IncidentResponse.Server.AffectedPeople;
using IncidentResponse.Server.Api;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Deadlines;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.LawEnforcement;
using IncidentResponse.Server.Letters;
using IncidentResponse.Server.Mailings;
using IncidentResponse.Server.Notifications;
using IncidentResponse.Server.Organisations;
using IncidentResponse.Server.Playbooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace IncidentResponse.Server.Persistence;

/// <summary>
/// The system of record. One model, two providers: PostgreSQL in production and an embedded SQLite
/// file by default; each provider has its own derived context so each keeps its own migrations.
/// </summary>
public abstract class IncidentDbContext : DbContext
{
    protected IncidentDbContext(DbContextOptions options)
        : base(options)
    {
        // A failed save inside a transaction aborts the whole transaction here (every caller retries or gives up from
        // the start), so the savepoint EF Core would set and release around each such save is two round trips for nothing.
        Database.AutoSavepointsEnabled = false;
    }

    public DbSet<Organisation> Organisations => Set<Organisation>();
    public DbSet<InventorySystem> Systems => Set<InventorySystem>();
    public DbSet<User> Users => Set<User>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<Incident> Incidents => Set<Incident>();
    public DbSet<ExerciseClock> ExerciseClocks => Set<ExerciseClock>();
    public DbSet<Milestone> Milestones => Set<Milestone>();
    public DbSet<TeamLead> TeamLeads => Set<TeamLead>();
    public DbSet<IncidentMember> IncidentMembers => Set<IncidentMember>();
    public DbSet<TimelineEntry> TimelineEntries => Set<TimelineEntry>();
    public DbSet<Decision> Decisions => Set<Decision>();
    public DbSet<ReferenceCounter> ReferenceCounters => Set<ReferenceCounter>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<AuditChainHead> AuditChains => Set<AuditChainHead>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<IncidentFacts> IncidentFacts => Set<IncidentFacts>();
    public DbSet<IncidentObligation> IncidentObligations => Set<IncidentObligation>();
    public DbSet<AssessmentRun> AssessmentRuns => Set<AssessmentRun>();
    public DbSet<StoredPlaybook> StoredPlaybooks => Set<StoredPlaybook>();
    public DbSet<PlaybookRunRecord> PlaybookRuns => Set<PlaybookRunRecord>();
    public DbSet<RunStepRecord> RunSteps => Set<RunStepRecord>();
    public DbSet<Deadline> Deadlines => Set<Deadline>();
    public DbSet<DeadlineRung> DeadlineRungs => Set<DeadlineRung>();
    public DbSet<Delivery> Deliveries => Set<Delivery>();
    public DbSet<WebhookSubscription> Webhooks => Set<WebhookSubscription>();
    public DbSet<DeadlineRecompute> DeadlineRecomputes => Set<DeadlineRecompute>();
    public DbSet<LocalPoliceEntry> LocalPolice => Set<LocalPoliceEntry>();
    public DbSet<LawEnforcementContact> LawEnforcementContacts => Set<LawEnforcementContact>();
    public DbSet<LawEnforcementDelayRecord> LawEnforcementDelays => Set<LawEnforcementDelayRecord>();
    public DbSet<DelayRenewalRecord> DelayRenewals => Set<DelayRenewalRecord>();
    public DbSet<Letter> Letters => Set<Letter>();
    public DbSet<LetterVersion> LetterVersions => Set<LetterVersion>();
    public DbSet<LetterReviewStep> LetterReviewSteps => Set<LetterReviewStep>();
    public DbSet<LetterTemplate> LetterTemplates => Set<LetterTemplate>();
    public DbSet<AffectedPersonRecord> AffectedPeople => Set<AffectedPersonRecord>();
    public DbSet<AffectedPeopleImport> AffectedPeopleImports => Set<AffectedPeopleImport>();
    public DbSet<ImportRowError> ImportRowErrors => Set<ImportRowError>();
    public DbSet<Mailing> Mailings => Set<Mailing>();
    public DbSet<MailingRecipient> MailingRecipients => Set<MailingRecipient>();

    public abstract DatabaseProvider Provider { get; }

    /// <summary>
    /// Waits, inside the current transaction, until no other transaction holds the turn named <paramref name="name"/>,
    /// and holds it until this one ends (a PostgreSQL transaction-level advisory lock). SQLite needs none: it has one
    /// writer at a time.
    /// </summary>
    public async Task TakeTurnAsync(string name, CancellationToken ct)
    {
        if (Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException($"The turn '{name}' is held by a transaction; none is open.");
        }

        if (Provider == DatabaseProvider.Postgres)
        {
            await Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({name}, 0))", ct);
        }
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var roleList = new ValueComparer<List<Role>>(
            (a, b) => a!.SequenceEqual(b!), v => v.Aggregate(0, (h, r) => HashCode.Combine(h, r)), v => v.ToList());
        var stringList = new ValueComparer<List<string>>(
            (a, b) => a!.SequenceEqual(b!), v => v.Aggregate(0, (h, s) => HashCode.Combine(h, s)), v => v.ToList());

        modelBuilder.Entity<Organisation>(e =>
        {
            e.Property(o => o.Name).HasMaxLength(200);
            e.Property(o => o.TimeZone).HasMaxLength(64);
            e.Property(o => o.Headquarters).HasMaxLength(16);
            e.Property(o => o.ReminderLadder).HasMaxLength(4000);
            e.Property(o => o.ContactShortName).HasMaxLength(LetterContact.ShortNameLength);
            e.Property(o => o.ContactAddress).HasMaxLength(LetterContact.AddressLength);
            e.Property(o => o.ContactPhone).HasMaxLength(LetterContact.PhoneLength);
            e.Property(o => o.ContactWebsite).HasMaxLength(LetterContact.WebsiteLength);
            e.Property(o => o.ContactEmail).HasMaxLength(LetterContact.EmailLength);
            // Existing organisations get the default too; -1 as sentinel so an explicit 0 days is stored as 0.
            e.Property(o => o.AffectedPeopleRetentionDays).HasDefaultValue(Organisation.DefaultRetentionDays).HasSentinel(-1);
            e.Property(o => o.Version).IsConcurrencyToken();
            e.HasMany(o => o.Systems).WithOne().HasForeignKey(s => s.OrganisationId);
        });
        modelBuilder.Entity<InventorySystem>(e =>
        {
            e.Property(s => s.Name).HasMaxLength(200);
            e.Property(s => s.Category).HasConversion<string>().HasMaxLength(32);
            e.Property(s => s.DataElements)
                .HasConversion(v => string.Join(',', v), v => v.Split(',', StringSplitOptions.RemoveEmptyEntries).ToList(), stringList);
        });
        modelBuilder.Entity<User>(e =>
        {
            e.Property(u => u.Email).HasMaxLength(320);
            e.HasIndex(u => u.Email).IsUnique();
            e.Property(u => u.DisplayName).HasMaxLength(200);
            e.Property(u => u.Version).IsConcurrencyToken();
            e.Property(u => u.Roles).HasConversion(
                v => string.Join(',', v),
                v => v.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<Role>).ToList(),
                roleList);
        });
        modelBuilder.Entity<ApiKey>(e =>
        {
            e.Property(k => k.Name).HasMaxLength(200);
            e.Property(k => k.Prefix).HasMaxLength(16);
            e.Property(k => k.Hash).HasMaxLength(64);
            e.HasIndex(k => k.Hash).IsUnique();
            e.HasOne<User>().WithMany().HasForeignKey(k => k.UserId);
        });
        modelBuilder.Entity<Incident>(e =>
        {
            e.Property(i => i.Reference).HasMaxLength(32);
            e.HasIndex(i => i.Reference).IsUnique();
            e.Property(i => i.Title).HasMaxLength(IncidentLimits.TitleLength);
            e.Property(i => i.Summary).HasMaxLength(IncidentLimits.SummaryLength);
            e.Property(i => i.Kind).HasConversion<string>().HasMaxLength(32);
            e.Property(i => i.Severity).HasConversion<string>().HasMaxLength(16);
            e.Property(i => i.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(i => i.ClosingOverrideReason).HasMaxLength(IncidentLimits.ReasonLength);
            e.Property(i => i.Version).IsConcurrencyToken();
            e.HasIndex(i => new { i.Status, i.CreatedAt });
            e.HasMany(i => i.Milestones).WithOne().HasForeignKey(m => m.IncidentId);
            e.HasMany(i => i.TeamLeads).WithOne().HasForeignKey(t => t.IncidentId);
            e.HasMany(i => i.Members).WithOne().HasForeignKey(m => m.IncidentId);
        });
        modelBuilder.Entity<ExerciseClock>(e =>
        {
            e.HasKey(c => c.IncidentId);
            e.Property(c => c.Version).IsConcurrencyToken();
            e.HasOne<Incident>().WithOne().HasForeignKey<ExerciseClock>(c => c.IncidentId);
        });
        modelBuilder.Entity<Milestone>(e =>
        {
            e.HasKey(m => new { m.IncidentId, m.Kind });
            e.Property(m => m.Kind).HasConversion<string>().HasMaxLength(32);
            e.Property(m => m.Note).HasMaxLength(IncidentLimits.NoteLength);
        });
        modelBuilder.Entity<TeamLead>(e =>
        {
            e.HasKey(t => new { t.IncidentId, t.Role });
            e.Property(t => t.Role).HasConversion<string>().HasMaxLength(32);
            e.HasOne<User>().WithMany().HasForeignKey(t => t.UserId);
        });
        modelBuilder.Entity<IncidentMember>(e =>
        {
            e.HasKey(m => new { m.IncidentId, m.UserId });
            e.HasOne<User>().WithMany().HasForeignKey(m => m.UserId);
        });
        modelBuilder.Entity<TimelineEntry>(e =>
        {
            e.Property(t => t.Text).HasMaxLength(IncidentLimits.TextLength);
            e.Property(t => t.Category).HasMaxLength(64);
            e.HasIndex(t => new { t.IncidentId, t.At });
            e.HasOne<Incident>().WithMany().HasForeignKey(t => t.IncidentId);
        });
        modelBuilder.Entity<Decision>(e =>
        {
            e.Property(d => d.Title).HasMaxLength(IncidentLimits.TitleLength);
            e.Property(d => d.Outcome).HasMaxLength(IncidentLimits.TitleLength);
            e.Property(d => d.Rationale).HasMaxLength(IncidentLimits.TextLength);
            e.HasIndex(d => new { d.IncidentId, d.DecidedAt });
            e.HasOne<Incident>().WithMany().HasForeignKey(d => d.IncidentId);
        });
        modelBuilder.Entity<ReferenceCounter>(e =>
        {
            e.HasKey(c => c.Year);
            e.Property(c => c.Year).ValueGeneratedNever();
        });
        modelBuilder.Entity<AuditEvent>(e =>
        {
            e.HasKey(a => a.Sequence);
            e.Property(a => a.Sequence).ValueGeneratedNever();
            e.Property(a => a.Actor).HasMaxLength(200);
            e.Property(a => a.Action).HasMaxLength(100);
            e.Property(a => a.TargetType).HasMaxLength(64);
            e.Property(a => a.TargetId).HasMaxLength(64);
            e.Property(a => a.PreviousHash).HasMaxLength(64);
            e.Property(a => a.Hash).HasMaxLength(64);
            e.Property(a => a.Chain).HasMaxLength(64);
            e.HasIndex(a => new { a.TargetType, a.TargetId });
            e.HasIndex(a => new { a.Chain, a.Position }).IsUnique();
        });
        modelBuilder.Entity<AuditChainHead>(e =>
        {
            e.HasKey(h => h.Chain);
            e.Property(h => h.Chain).HasMaxLength(64);
            e.Property(h => h.Hash).HasMaxLength(64);
        });
        modelBuilder.Entity<IncidentFacts>(e =>
        {
            e.HasKey(f => f.IncidentId);
            e.Property(f => f.Version).IsConcurrencyToken();
            e.HasOne<Incident>().WithOne().HasForeignKey<IncidentFacts>(f => f.IncidentId);
        });
        modelBuilder.Entity<IncidentObligation>(e =>
        {
            e.HasIndex(o => new { o.IncidentId, o.Key }).IsUnique();
            e.HasIndex(o => new { o.Status, o.DueBy });
            e.Property(o => o.Key).HasMaxLength(160);
            e.Property(o => o.Regime).HasMaxLength(32);
            e.Property(o => o.ObligationId).HasMaxLength(100);
            e.Property(o => o.Recipient).HasConversion<string>().HasMaxLength(32);
            e.Property(o => o.Scope).HasMaxLength(16);
            e.Property(o => o.Authority).HasMaxLength(300);
            e.Property(o => o.Standard).HasConversion<string>().HasMaxLength(32);
            e.Property(o => o.ClockStart).HasConversion<string>().HasMaxLength(32);
            e.Property(o => o.Citation).HasMaxLength(1000);
            e.Property(o => o.Confidence).HasMaxLength(16);
            e.Property(o => o.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(o => o.StatusReason).HasMaxLength(2000);
            e.Property(o => o.Proof).HasMaxLength(2000);
            e.Property(o => o.RulesVersion).HasMaxLength(32);
            e.Property(o => o.Version).IsConcurrencyToken();
            e.HasOne<Incident>().WithMany().HasForeignKey(o => o.IncidentId);
        });
        modelBuilder.Entity<AssessmentRun>(e =>
        {
            e.HasIndex(r => new { r.IncidentId, r.At });
            e.Property(r => r.RulesVersion).HasMaxLength(32);
            e.HasOne<Incident>().WithMany().HasForeignKey(r => r.IncidentId);
        });
        modelBuilder.Entity<StoredPlaybook>(e =>
        {
            e.HasKey(p => p.Hash);
            e.Property(p => p.Hash).HasMaxLength(64);
            e.Property(p => p.PlaybookId).HasMaxLength(80);
        });
        modelBuilder.Entity<PlaybookRunRecord>(e =>
        {
            e.Property(r => r.PlaybookId).HasMaxLength(80);
            e.Property(r => r.DefinitionHash).HasMaxLength(64);
            e.Property(r => r.Version).IsConcurrencyToken();
            e.HasIndex(r => new { r.IncidentId, r.PlaybookId }).IsUnique();
            e.HasOne<Incident>().WithMany().HasForeignKey(r => r.IncidentId);
            e.HasOne<StoredPlaybook>().WithMany().HasForeignKey(r => r.DefinitionHash);
            e.HasMany(r => r.Steps).WithOne().HasForeignKey(s => s.RunId);
        });
        modelBuilder.Entity<RunStepRecord>(e =>
        {
            e.HasKey(s => new { s.RunId, s.StepId });
            e.Property(s => s.StepId).HasMaxLength(80);
            e.Property(s => s.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(s => s.Team).HasConversion<string>().HasMaxLength(24);
            e.Property(s => s.Kind).HasConversion<string>().HasMaxLength(24);
            e.Property(s => s.Title).HasMaxLength(200);
            e.Property(s => s.CompletedBy).HasMaxLength(320);
            e.Property(s => s.Outcome).HasMaxLength(80);
            e.Property(s => s.Approvals).HasMaxLength(400);
            e.Property(s => s.Note).HasMaxLength(IncidentLimits.TextLength);
            e.Property(s => s.Evidence).HasMaxLength(EvidenceLinks.MaxLength);
            e.Property(s => s.Description).HasMaxLength(IncidentLimits.TextLength);
            e.Property(s => s.Phase).HasConversion<string>().HasMaxLength(24);
            e.Property(s => s.After).HasMaxLength(80);
            e.HasIndex(s => new { s.Status, s.WakeFireAt });
        });
        DeadlineModel.Configure(modelBuilder);
        LawEnforcementModel.Configure(modelBuilder);
        LetterModel.Configure(modelBuilder);
        AffectedPeopleModel.Configure(modelBuilder);
        MailingModel.Configure(modelBuilder);
        modelBuilder.Entity<IdempotencyRecord>(e =>
        {
            e.HasKey(r => new { r.Principal, r.Key });
            e.Property(r => r.Key).HasMaxLength(IdempotencyRecord.MaxKeyLength);
            e.Property(r => r.Principal).HasMaxLength(64);
            e.Property(r => r.RequestHash).HasMaxLength(64);
            e.Property(r => r.ContentType).HasMaxLength(128);
            e.Property(r => r.Location).HasMaxLength(512);
            e.HasIndex(r => r.CreatedAt);
        });
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        var detect = BumpVersions();
        try
        {
            return base.SaveChanges(acceptAllChangesOnSuccess);
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = detect;
        }
    }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        var detect = BumpVersions();
        try
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = detect;
        }
    }

    /// <summary>
    /// Every write to a versioned aggregate moves its version on, so a stale writer conflicts. Changes are detected
    /// once here and the save does not scan the tracked entities again; returns whether the caller detects changes
    /// automatically, which the save restores.
    /// </summary>
    private bool BumpVersions()
    {
        var detect = ChangeTracker.AutoDetectChangesEnabled;
        if (detect)
        {
            ChangeTracker.DetectChanges();
        }

        ChangeTracker.AutoDetectChangesEnabled = false;
        foreach (var entry in ChangeTracker.Entries<IVersioned>())
        {
            // Through the entry, so the tracker marks the version modified without another scan.
            var version = entry.Property(e => e.Version);
            if (entry.State == EntityState.Modified)
            {
                version.CurrentValue++;
            }
            else if (entry.State == EntityState.Added && version.CurrentValue == 0)
            {
                version.CurrentValue = 1;
            }
        }

        return detect;
    }
}

public enum DatabaseProvider
{
    Postgres,
    Sqlite,
}

public sealed class PostgresIncidentDbContext(DbContextOptions<PostgresIncidentDbContext> options)
    : IncidentDbContext(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        // Writers to different chains append at once, so the trail's order number comes from the database
        // (SQLite has one writer at a time and numbers the events itself).
        modelBuilder.Entity<AuditEvent>().Property(a => a.Sequence).ValueGeneratedOnAdd().UseIdentityByDefaultColumn();
    }
}

public sealed class SqliteIncidentDbContext(DbContextOptions<SqliteIncidentDbContext> options)
    : IncidentDbContext(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite has no timestamp type: instants are stored as Unix ticks, which sort and compare correctly.
        configurationBuilder.Properties<NodaTime.Instant>().HaveConversion<InstantTicksConverter>();
        configurationBuilder.Properties<NodaTime.LocalDate>().HaveConversion<LocalDateTextConverter>();
    }
}

internal sealed class InstantTicksConverter()
    : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<NodaTime.Instant, long>(
        i => i.ToUnixTimeTicks(), t => NodaTime.Instant.FromUnixTimeTicks(t));

/// <summary>Local dates as ISO text in SQLite: readable, and they sort as dates.</summary>
internal sealed class LocalDateTextConverter()
    : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<NodaTime.LocalDate, string>(
        d => NodaTime.Text.LocalDatePattern.Iso.Format(d), s => NodaTime.Text.LocalDatePattern.Iso.Parse(s).Value);
