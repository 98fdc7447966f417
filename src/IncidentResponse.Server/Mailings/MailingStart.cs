using System.Security.Cryptography;
using Hangfire;
using IncidentResponse.Core;
using IncidentResponse.Core.Letters;
using IncidentResponse.Server.Api;
using IncidentResponse.Server.Audit;
using IncidentResponse.Server.Deadlines;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Incidents;
using IncidentResponse.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.Mailings;

/// <summary>Where letters are written, how the work is cut up, and when the sweep looks for a mailing that stopped moving.</summary>
public sealed record MailingSettings(string OutputDirectory, int ChunkSize, int BatchSize, Duration StaleAfter, string SweepCron)
{
    public static MailingSettings From(IConfiguration configuration) => new(
        configuration["Mailings:OutputDirectory"] is { Length: > 0 } directory
            ? directory
            : Path.Combine(DatabaseSettings.DataDirectoryFrom(configuration), "mailings"),
        Math.Clamp(configuration.GetValue("Mailings:ChunkSize", 500), 1, 100_000),
        Math.Clamp(configuration.GetValue("Mailings:BatchSize", 100), 1, 10_000),
        Duration.FromMinutes(Math.Clamp(configuration.GetValue("Mailings:StaleMinutes", 10.0), 0.05, 24 * 60)),
        configuration["Mailings:SweepCron"] is { Length: > 0 } cron ? cron : "*/5 * * * *");

    /// <summary>One directory per mailing; on several nodes it must be storage they all share.</summary>
    public string DirectoryOf(Guid mailingId) => Path.Combine(OutputDirectory, mailingId.ToString("N"));
}

public static class MailingServices
{
    public static IServiceCollection AddMailings(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(MailingSettings.From(configuration));
        services.AddScoped<MailingStart>();
        services.AddScoped<MailingReturns>();
        services.AddScoped<MailingChunkJob>();
        services.AddScoped<MailingSweep>();
        return services;
    }
}

/// <summary>What to mail: the residence codes (null: the letter's own group; "all": everyone) and the channel.</summary>
public sealed record MailingOrder(IReadOnlyList<string>? Group, bool All, MailingChannel Channel);

/// <summary>
/// Starts a mailing of an approved letter: every affected person of the group becomes a recipient in one INSERT ...
/// SELECT, numbered and cut into chunks; after commit each chunk is a Hangfire job.
/// </summary>
public sealed class MailingStart(
    IncidentDbContext db, AuditTrail audit, CurrentActor actor, IClock clock, MailingSettings settings, DeliverySettings delivery, IBackgroundJobClient jobs)
{
    public const string All = "all";

    public async Task<Outcome<MailingView>> StartAsync(Guid incidentId, Guid letterId, MailingOrder order, CancellationToken ct)
    {
        var incident = await db.FindVisibleAsync(actor, incidentId, ct);
        if (incident is null)
        {
            return Failure.NotFound("The incident");
        }

        var letter = await db.Letters.AsNoTracking().SingleOrDefaultAsync(l => l.IncidentId == incidentId && l.Id == letterId, ct);
        if (letter is null)
        {
            return Failure.NotFound("The letter");
        }

        var refused = Refusal(letter, incident.IsExercise, order);
        if (refused is not null)
        {
            return refused;
        }

        var codes = order.All ? null : (order.Group ?? letter.Codes).Distinct().Order(StringComparer.Ordinal).ToList();
        var group = codes is null ? All : string.Join(',', codes);
        var version = letter.ApprovedVersion!.Value;
        if (await db.Mailings.AsNoTracking().FirstOrDefaultAsync(
                m => m.LetterId == letterId && m.LetterVersion == version && m.Group == group && m.Channel == order.Channel, ct) is { } earlier)
        {
            return Duplicate(earlier.Id);
        }

        var now = clock.GetCurrentInstant();
        var mailing = new Mailing
        {
            Id = Guid.CreateVersion7(), IncidentId = incidentId, LetterId = letterId, LetterVersion = version,
            Code = Convert.ToHexString(RandomNumberGenerator.GetBytes(Mailing.CodeLength / 2)), Group = group, Channel = order.Channel,
            IsExercise = incident.IsExercise, ChunkSize = settings.ChunkSize, StartedBy = actor.Id, StartedAt = now, ProgressAt = now,
        };
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            db.Mailings.Add(mailing);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                return Duplicate(null);
            }

            mailing.Recipients = await InsertRecipientsAsync(mailing, codes, ct);
            if (mailing.Recipients == 0)
            {
                await transaction.RollbackAsync(ct);
                return Failure.Invalid("group", codes is null
                    ? "The incident has no affected people to write to: import them first."
                    : $"No affected person lives in {string.Join(", ", codes)}.");
            }

            mailing.Chunks = (mailing.Recipients + mailing.ChunkSize - 1) / mailing.ChunkSize;
            audit.Record("mailing.started", "incident", incidentId.ToString(), null, new
            {
                mailing = mailing.Id, letter = letterId, version, group = codes ?? [All], mailing.Channel, mailing.Recipients, mailing.Chunks,
                exercise = mailing.IsExercise,
            });
            await audit.CommitAsync(ct);
            await transaction.CommitAsync(ct);
        }

        // After commit: a job never runs against a mailing that is not there. A crash before this line is the sweep's to mend.
        for (var chunk = 0; chunk < mailing.Chunks; chunk++)
        {
            var number = chunk;
            jobs.Enqueue<MailingChunkJob>(j => j.RunAsync(mailing.Id, number, CancellationToken.None));
        }

        return await MailingViews.ViewAsync(db, mailing, ct);
    }

    private Failure? Refusal(Letters.Letter letter, bool exercise, MailingOrder order)
    {
        if (letter.Kind != LetterKind.Individuals)
        {
            return Failure.Invalid("letter", "Only a letter to individuals is mailed to the affected people.");
        }

        if (letter.Status is not (LetterStatus.Approved or LetterStatus.Released) || letter.ApprovedVersion is null)
        {
            return Failure.Conflict($"Only an approved or released letter is mailed; this one is {letter.Status.ToString().ToCamelCase()}.");
        }

        if (order.Channel != MailingChannel.Print && exercise)
        {
            return Failure.Invalid("channel", "An exercise mailing is print only: its letters are watermarked and never emailed to the people on file.");
        }

        if (order.Channel != MailingChannel.Print && !delivery.EmailEnabled)
        {
            return Failure.Invalid("channel", "Email is not configured on this server (Smtp:Host); mail the letters by post.");
        }

        var outside = order.Group?.Select((code, i) => (code, i)).FirstOrDefault(c => !letter.Codes.Contains(c.code, StringComparer.Ordinal));
        return outside is { code: not null } o
            ? Failure.Invalid($"group[{o.i}]", $"The letter was approved for {string.Join(", ", letter.Codes)}, not for {o.code}.")
            : null;
    }

    private static Failure Duplicate(Guid? earlier) => new(FailureKind.Conflict,
        "This letter version has already been mailed to this group by this channel; a second mailing would reach the same people twice.",
        null, earlier is null ? null : new Dictionary<string, object?> { ["mailing"] = earlier });

    /// <summary>The group's people, numbered in the order they were stored, in chunks; one statement on both databases.</summary>
    private async Task<int> InsertRecipientsAsync(Mailing mailing, IReadOnlyList<string>? codes, CancellationToken ct)
    {
        var parameters = new List<object> { mailing.Id, mailing.ChunkSize, mailing.IncidentId };
        var residence = "";
        if (codes is not null)
        {
            residence = $" AND residence IN ({string.Join(", ", codes.Select((_, i) => $"{{{i + 3}}}"))})";
            parameters.AddRange(codes);
        }

        var sql = "INSERT INTO mailing_recipients (mailing_id, person_id, sequence, chunk, status, by_post, by_email) " +
            "SELECT {0}, id, n, (n - 1) / {1}, 'Pending', FALSE, FALSE FROM " +
            $"(SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM affected_people WHERE incident_id = {{2}}{residence}) AS people";
        return await db.Database.ExecuteSqlRawAsync(sql, parameters, ct);
    }
}
