using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using IncidentResponse.Server.Audit;
using NodaTime;
using NodaTime.Text;
using Npgsql;
using NpgsqlTypes;

namespace IncidentResponse.Server.Playbooks;

/// <summary>
/// Writes a transition decided on a <see cref="RunSnapshot"/> on PostgreSQL, in one statement and one round trip:
/// the run's version moved, its changed steps, the milestones a milestone step records (with the incident's
/// <c>updated_at</c> and version), the audit events appended to the incident's chain, the incident's deadlines asked
/// to be recomputed. The statement writes only if the snapshot is current: the run's version, the
/// chain's head and the incident's and organisation's stamps are as the snapshot read them; otherwise it raises and
/// nothing is written (docs/playbooks.md "Remembered runs").
/// </summary>
public static class GuardedTransition
{
    /// <summary>The stamp row every change to the organisation moves (its settings are read by conditions).</summary>
    public static readonly Guid OrganisationStamp = Guid.Empty;

    /// <summary>
    /// The statement for a transition that records milestones. When the snapshot is no longer current it raises
    /// serialization_failure (40001), as PostgreSQL does when a transaction's reads have been overtaken: the writer reads
    /// again and decides again.
    /// </summary>
    public const string WithMilestones = Writes + MilestoneWrites + Checks + MilestoneChecks + ")";

    /// <summary>
    /// The statement for the usual transition, which records no milestone: the same without the milestones' two writes,
    /// which PostgreSQL would otherwise set up and check on every execution for nothing.
    /// </summary>
    public const string WithoutMilestones = Writes + Checks + ")";

    // The steps are looked up by the run and their ids, the ids drawn from the JSON once: joined on the JSON's rows
    // alone, the generic plan (which takes the JSON for 100 rows) read all forty steps of the run to change two or three.
    private const string Writes = """
        WITH head AS (
            UPDATE audit_chains SET position = @position, hash = @hash
            WHERE chain = @chain AND position = @head_position AND @position > @head_position
            RETURNING 1),
        events AS (
            INSERT INTO audit_events (chain, position, at, actor, action, target_type, target_id, summary, previous_hash, hash)
            SELECT @chain, e.position, e.at, e.actor, e.action, e.target_type, e.target_id, e.summary, e.previous_hash, e.hash
            FROM jsonb_to_recordset(@events) AS e(position bigint, at timestamptz, actor text, action text, target_type text, target_id text,
                summary text, previous_hash text, hash text)
            RETURNING 1),
        recompute AS (
            INSERT INTO deadline_recomputes (incident_id, requested_at) VALUES (@incident, @now)
            ON CONFLICT (incident_id) DO UPDATE SET requested_at = excluded.requested_at
            RETURNING 1),
        steps AS (
            UPDATE run_steps AS s SET status = c.status, ready_at = c.ready_at, completed_at = c.completed_at, completed_by = c.completed_by,
                outcome = c.outcome, approvals = c.approvals, attempts = c.attempts, note = c.note, evidence = c.evidence,
                wake_at = c.wake_at, wake_fire_at = c.wake_fire_at
            FROM jsonb_to_recordset(@steps) AS c(step_id text, status text, ready_at timestamptz, completed_at timestamptz, completed_by text,
                outcome text, approvals text, attempts integer, note text, evidence text, wake_at timestamptz, wake_fire_at timestamptz)
            WHERE s.run_id = @run AND s.step_id = ANY (ARRAY(SELECT jsonb_array_elements(@steps) ->> 'step_id')) AND s.step_id = c.step_id
            RETURNING 1),
        run AS (
            UPDATE playbook_runs SET version = version + 1, finished_at = @finished WHERE id = @run AND version = @version
            RETURNING 1)
        """;

    private const string MilestoneWrites = """
        ,
        milestones AS (
            INSERT INTO milestones (incident_id, kind, at, is_estimate, note, recorded_by, recorded_at)
            SELECT @incident, m.kind, m.at, false, m.note, m.recorded_by, @now
            FROM jsonb_to_recordset(@milestones) AS m(kind text, at timestamptz, note text, recorded_by uuid)
            RETURNING 1),
        incident AS (
            UPDATE incidents SET updated_at = @now, version = version + 1 WHERE id = @incident
            RETURNING 1)
        """;

    private const string Checks = """

        SELECT ir_snapshot_holds(
            (SELECT count(*) FROM run) = 1
            AND (SELECT count(*) FROM steps) = @step_count
            AND (SELECT count(*) FROM head) = CASE WHEN @position > @head_position THEN 1 ELSE 0 END
            AND (SELECT count(*) FROM events) = @position - @head_position
            AND (SELECT count(*) FROM recompute) = 1
            AND COALESCE((SELECT stamp FROM incident_stamps WHERE incident_id = @incident), 0) = @incident_stamp
            AND COALESCE((SELECT stamp FROM incident_stamps WHERE incident_id = @organisation), 0) = @organisation_stamp
        """;

    private const string MilestoneChecks = """

            AND (SELECT count(*) FROM milestones) = @milestone_count
            AND (SELECT count(*) FROM incident) = 1
        """;

    /// <summary>
    /// How far a written transition moves its incident's stamp: the stamp trigger fires once for each milestone row it
    /// inserts and once for the incident row it touches then (its <c>updated_at</c> and version). Nothing else the
    /// statement writes carries the trigger.
    /// </summary>
    public static long StampMoves(int milestones) => milestones == 0 ? 0 : milestones + 1;

    /// <summary>The statements' parameters, in the order of their positions; the statement without milestones uses the first ones.</summary>
    private static readonly string[] Names =
    [
        "position", "hash", "chain", "head_position", "events", "incident", "now", "steps", "run", "finished", "version", "step_count",
        "incident_stamp", "organisation", "organisation_stamp", "milestones", "milestone_count",
    ];

    private static readonly (string Text, int Parameters) SentWithMilestones = Positional(WithMilestones);
    private static readonly (string Text, int Parameters) SentWithoutMilestones = Positional(WithoutMilestones);

    /// <summary>
    /// A statement as sent: positional placeholders ($1, $2...), which Npgsql sends as they are; named ones it would
    /// parse and rewrite on every execution (docs/performance.md). A name missing from <see cref="Names"/> fails here,
    /// and so does a statement that skips one of the positions it uses.
    /// </summary>
    private static (string Text, int Parameters) Positional(string statement)
    {
        var used = new SortedSet<int>();
        var text = Regex.Replace(statement, @"@(\w+)", m =>
        {
            var position = Array.IndexOf(Names, m.Groups[1].Value) is >= 0 and var i ? i + 1 : throw new InvalidOperationException($"No position for @{m.Groups[1].Value}");
            used.Add(position);
            return "$" + position;
        });
        return used.Count == used.Max ? (text, used.Count) : throw new InvalidOperationException("A statement must use its parameters' first positions.");
    }

    /// <summary>
    /// Writes the transition; false, with nothing written, when the snapshot was not current (or a concurrent writer
    /// got there first). <paramref name="run"/> holds the version the snapshot read; <paramref name="head"/> is the
    /// chain's head after <paramref name="events"/>.
    /// </summary>
    public static async Task<bool> TryWriteAsync(
        GuardedWrites writes, PlaybookRunRecord run, IReadOnlyCollection<RunStepRecord> steps, IReadOnlyCollection<Incidents.Milestone> milestones,
        IReadOnlyList<AuditEvent> events, SnapshotGuard guard, AuditChainHead head, Instant now)
    {
        var (sent, count) = milestones.Count > 0 ? SentWithMilestones : SentWithoutMilestones;
        var values = new NpgsqlParameter[count];
        void Set(string name, object? value, NpgsqlDbType? type = null) =>
            values[Array.IndexOf(Names, name)] = type is { } t ? new NpgsqlParameter { NpgsqlDbType = t, Value = value ?? DBNull.Value } : new NpgsqlParameter { Value = value };

        Set("position", head.Position);
        Set("hash", head.Hash);
        Set("chain", head.Chain);
        Set("head_position", guard.ChainPosition);
        Set("events", Json(events, (w, e) =>
        {
            w.WriteNumber("position", e.Position);
            w.WriteString("at", Text(e.At));
            w.WriteString("actor", e.Actor);
            w.WriteString("action", e.Action);
            w.WriteString("target_type", e.TargetType);
            w.WriteString("target_id", e.TargetId);
            w.WriteString("summary", e.Summary);
            w.WriteString("previous_hash", e.PreviousHash);
            w.WriteString("hash", e.Hash);
        }), NpgsqlDbType.Jsonb);
        Set("incident", run.IncidentId);
        Set("now", now);
        Set("steps", Json(steps, (w, s) =>
        {
            w.WriteString("step_id", s.StepId);
            w.WriteString("status", s.Status.ToString());
            w.WriteString("ready_at", Text(s.ReadyAt));
            w.WriteString("completed_at", Text(s.CompletedAt));
            w.WriteString("completed_by", s.CompletedBy);
            w.WriteString("outcome", s.Outcome);
            w.WriteString("approvals", s.Approvals);
            w.WriteNumber("attempts", s.Attempts);
            w.WriteString("note", s.Note);
            w.WriteString("evidence", s.Evidence);
            w.WriteString("wake_at", Text(s.WakeAt));
            w.WriteString("wake_fire_at", Text(s.WakeFireAt));
        }), NpgsqlDbType.Jsonb);
        Set("run", run.Id);
        Set("finished", run.FinishedAt, NpgsqlDbType.TimestampTz);
        Set("version", run.Version);
        Set("step_count", (long)steps.Count);
        Set("incident_stamp", guard.IncidentStamp);
        Set("organisation", OrganisationStamp);
        Set("organisation_stamp", guard.OrganisationStamp);
        if (milestones.Count > 0)
        {
            Set("milestones", Json(milestones, (w, m) =>
            {
                w.WriteString("kind", m.Kind.ToString());
                w.WriteString("at", Text(m.At));
                w.WriteString("note", m.Note);
                w.WriteString("recorded_by", m.RecordedBy);
            }), NpgsqlDbType.Jsonb);
            Set("milestone_count", (long)milestones.Count);
        }

        return await writes.WriteAsync(sent, values);
    }

    private static string? Text(Instant? instant) => instant is { } i ? InstantPattern.ExtendedIso.Format(i) : null;

    /// <summary>Rows as a JSON array of objects, each written by <paramref name="write"/> (the names are the columns jsonb_to_recordset reads).</summary>
    private static string Json<T>(IEnumerable<T> rows, Action<Utf8JsonWriter, T> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var row in rows)
            {
                writer.WriteStartObject();
                write(writer, row);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
