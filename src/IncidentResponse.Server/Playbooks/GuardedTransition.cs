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
/// A transition decided on a <see cref="RunSnapshot"/>, as PostgreSQL writes it: the run's version moved, its changed
/// steps, the milestones a milestone step records (with the incident's <c>updated_at</c> and version), the audit events
/// appended to the incident's chain, the incident's deadlines asked to be recomputed. It is written only if its snapshot
/// is current: the run's version, the chain's head and the incident's and organisation's stamps are as the snapshot read
/// them; otherwise nothing is written (docs/playbooks.md "Remembered runs").
/// </summary>
/// <remarks>
/// Transitions that record no milestone are written together, any number in one statement (<see cref="Together"/>):
/// PostgreSQL sets up a statement's writes and checks on every execution, so one statement for a batch sets them up once.
/// A transition that records milestones has its own statement (<see cref="WithMilestones"/>).
/// </remarks>
public sealed class GuardedTransition
{
    /// <summary>The stamp row every change to the organisation moves (its settings are read by conditions).</summary>
    public static readonly Guid OrganisationStamp = Guid.Empty;

    /// <summary>
    /// The statement for transitions that record no milestone, each a row of <c>@transitions</c>, their events and
    /// changed steps in <c>@events</c> and <c>@steps</c>. When any of them is no longer current it raises
    /// serialization_failure (40001), as PostgreSQL does when a transaction's reads have been overtaken, and writes
    /// nothing. Two transitions of one incident fail it too (one statement cannot ask twice for the incident's deadlines
    /// to be recomputed), and are then written one at a time, where the second sees the first.
    /// </summary>
    /// <remarks>
    /// The planner takes each JSON array for 100 rows, and would hash-join them against whole tables, or scan a table
    /// that was small when the plan was made. The sessions that send it plan without either
    /// (<see cref="Persistence.DatabaseSetup.BuildPostgresDataSource"/>): each row is found through its key.
    /// </remarks>
    public const string Together = Writes + Checks + ")";

    /// <summary>
    /// The statement for one transition that records milestones: <see cref="Together"/> for one, with the milestones'
    /// insert, the incident's <c>updated_at</c> and version moved, and their checks. Every other transition goes without
    /// them, which PostgreSQL would otherwise set up and check on every execution for nothing.
    /// </summary>
    public const string WithMilestones = Writes + MilestoneWrites + Checks + MilestoneChecks + ")";

    private const string Writes = """
        WITH t AS MATERIALIZED (
            SELECT * FROM jsonb_to_recordset(@transitions) AS t(run uuid, version integer, finished timestamptz, incident uuid, now timestamptz,
                incident_stamp bigint, organisation_stamp bigint, chain text, head_position bigint, position bigint, hash text)),
        head AS (
            UPDATE audit_chains AS h SET position = t.position, hash = t.hash FROM t
            WHERE h.chain = t.chain AND h.position = t.head_position AND t.position > t.head_position
            RETURNING 1),
        events AS (
            INSERT INTO audit_events (chain, position, at, actor, action, target_type, target_id, summary, previous_hash, hash)
            SELECT e.chain, e.position, e.at, e.actor, e.action, e.target_type, e.target_id, e.summary, e.previous_hash, e.hash
            FROM jsonb_to_recordset(@events) AS e(chain text, position bigint, at timestamptz, actor text, action text, target_type text,
                target_id text, summary text, previous_hash text, hash text)
            RETURNING 1),
        recompute AS (
            INSERT INTO deadline_recomputes (incident_id, requested_at) SELECT incident, now FROM t
            ON CONFLICT (incident_id) DO UPDATE SET requested_at = excluded.requested_at
            RETURNING 1),
        changed AS MATERIALIZED (
            SELECT * FROM jsonb_to_recordset(@steps) AS c(run_id uuid, step_id text, status text, ready_at timestamptz, completed_at timestamptz,
                completed_by text, outcome text, approvals text, attempts integer, note text, evidence text, wake_at timestamptz, wake_fire_at timestamptz)),
        steps AS (
            UPDATE run_steps AS s SET status = c.status, ready_at = c.ready_at, completed_at = c.completed_at, completed_by = c.completed_by,
                outcome = c.outcome, approvals = c.approvals, attempts = c.attempts, note = c.note, evidence = c.evidence,
                wake_at = c.wake_at, wake_fire_at = c.wake_fire_at
            FROM changed AS c
            WHERE s.run_id = c.run_id AND s.step_id = c.step_id
            RETURNING 1),
        run AS (
            UPDATE playbook_runs AS r SET version = r.version + 1, finished_at = t.finished FROM t
            WHERE r.id = t.run AND r.version = t.version
            RETURNING 1)
        """;

    private const string MilestoneWrites = """
        ,
        milestones AS (
            INSERT INTO milestones (incident_id, kind, at, is_estimate, note, recorded_by, recorded_at)
            SELECT t.incident, m.kind, m.at, false, m.note, m.recorded_by, t.now
            FROM t, jsonb_to_recordset(@milestones) AS m(kind text, at timestamptz, note text, recorded_by uuid)
            RETURNING 1),
        incident AS (
            UPDATE incidents AS i SET updated_at = t.now, version = i.version + 1 FROM t WHERE i.id = t.incident
            RETURNING 1)
        """;

    private const string Checks = """

        SELECT ir_snapshot_holds(
            (SELECT count(*) FROM run) = (SELECT count(*) FROM t)
            AND (SELECT count(*) FROM steps) = (SELECT count(*) FROM changed)
            AND (SELECT count(*) FROM head) = (SELECT count(*) FROM t WHERE position > head_position)
            AND (SELECT count(*) FROM events) = (SELECT COALESCE(sum(position - head_position), 0) FROM t)
            AND (SELECT count(*) FROM recompute) = (SELECT count(*) FROM t)
            AND NOT EXISTS (
                SELECT 1 FROM t
                WHERE COALESCE((SELECT stamp FROM incident_stamps WHERE incident_id = t.incident), 0) <> t.incident_stamp
                    OR COALESCE((SELECT stamp FROM incident_stamps WHERE incident_id = @organisation), 0) <> t.organisation_stamp)
        """;

    private const string MilestoneChecks = """

            AND (SELECT count(*) FROM milestones) = jsonb_array_length(@milestones)
            AND (SELECT count(*) FROM incident) = 1
        """;

    private static readonly Statement SentTogether = new(Together, ["transitions", "events", "steps", "organisation"]);
    private static readonly Statement SentWithMilestones = new(WithMilestones, ["transitions", "events", "steps", "organisation", "milestones"]);

    private readonly IReadOnlyCollection<Incidents.Milestone> milestones;
    // The transition's rows as JSON objects, separated by commas and without the array's brackets: a batch's arrays join them.
    private readonly byte[] transition;
    private readonly byte[] events;
    private readonly byte[] steps;

    /// <param name="run">The run, holding the version its snapshot read.</param>
    /// <param name="head">The chain's head after <paramref name="events"/>.</param>
    public GuardedTransition(
        PlaybookRunRecord run, IReadOnlyCollection<RunStepRecord> steps, IReadOnlyCollection<Incidents.Milestone> milestones,
        IReadOnlyList<AuditEvent> events, SnapshotGuard guard, AuditChainHead head, Instant now)
    {
        this.milestones = milestones;
        transition = Objects([this], (w, _) =>
        {
            w.WriteString("run", run.Id);
            w.WriteNumber("version", run.Version);
            w.WriteString("finished", Text(run.FinishedAt));
            w.WriteString("incident", run.IncidentId);
            w.WriteString("now", Text(now));
            w.WriteNumber("incident_stamp", guard.IncidentStamp);
            w.WriteNumber("organisation_stamp", guard.OrganisationStamp);
            w.WriteString("chain", head.Chain);
            w.WriteNumber("head_position", guard.ChainPosition);
            w.WriteNumber("position", head.Position);
            w.WriteString("hash", head.Hash);
        });
        this.events = Objects(events, (w, e) =>
        {
            w.WriteString("chain", head.Chain);
            w.WriteNumber("position", e.Position);
            w.WriteString("at", Text(e.At));
            w.WriteString("actor", e.Actor);
            w.WriteString("action", e.Action);
            w.WriteString("target_type", e.TargetType);
            w.WriteString("target_id", e.TargetId);
            w.WriteString("summary", e.Summary);
            w.WriteString("previous_hash", e.PreviousHash);
            w.WriteString("hash", e.Hash);
        });
        this.steps = Objects(steps, (w, s) =>
        {
            w.WriteString("run_id", run.Id);
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
        });
    }

    /// <summary>
    /// How far a written transition moves its incident's stamp: the stamp trigger fires once for each milestone row it
    /// inserts and once for the incident row it touches then (its <c>updated_at</c> and version). Nothing else the
    /// statements write carries the trigger.
    /// </summary>
    public static long StampMoves(int milestones) => milestones == 0 ? 0 : milestones + 1;

    /// <summary>
    /// The commands that write <paramref name="transitions"/> in one transaction: one statement for those that record no
    /// milestone, then one for each that does. A refused transition fails its command.
    /// </summary>
    public static IEnumerable<NpgsqlBatchCommand> Commands(IReadOnlyList<GuardedTransition> transitions)
    {
        var together = transitions.Where(t => t.milestones.Count == 0).ToList();
        if (together.Count > 0)
        {
            yield return SentTogether.Command(new()
            {
                ["transitions"] = Jsonb(together, t => t.transition),
                ["events"] = Jsonb(together, t => t.events),
                ["steps"] = Jsonb(together, t => t.steps),
                ["organisation"] = new NpgsqlParameter { Value = OrganisationStamp },
            });
        }

        foreach (var t in transitions.Where(t => t.milestones.Count > 0))
        {
            yield return SentWithMilestones.Command(new()
            {
                ["transitions"] = Jsonb([t], x => x.transition),
                ["events"] = Jsonb([t], x => x.events),
                ["steps"] = Jsonb([t], x => x.steps),
                ["organisation"] = new NpgsqlParameter { Value = OrganisationStamp },
                ["milestones"] = new NpgsqlParameter
                {
                    NpgsqlDbType = NpgsqlDbType.Jsonb,
                    Value = Encoding.UTF8.GetString(Bracketed(Objects(t.milestones, (w, m) =>
                    {
                        w.WriteString("kind", m.Kind.ToString());
                        w.WriteString("at", Text(m.At));
                        w.WriteString("note", m.Note);
                        w.WriteString("recorded_by", m.RecordedBy);
                    }))),
                },
            });
        }
    }

    /// <summary>
    /// A statement as sent: positional placeholders ($1, $2...), which Npgsql sends as they are; named ones it would
    /// parse and rewrite on every execution (docs/performance.md). A name missing from its list fails at start-up, and so
    /// does a name listed but not used.
    /// </summary>
    private sealed class Statement
    {
        private readonly string text;
        private readonly string[] names;

        public Statement(string statement, string[] names)
        {
            var used = new HashSet<string>();
            text = Regex.Replace(statement, @"@(\w+)", m =>
            {
                var name = m.Groups[1].Value;
                used.Add(name);
                return Array.IndexOf(names, name) is >= 0 and var i ? "$" + (i + 1) : throw new InvalidOperationException($"No position for @{name}");
            });
            this.names = used.SetEquals(names) ? names : throw new InvalidOperationException("A statement must use every parameter it lists.");
        }

        public NpgsqlBatchCommand Command(Dictionary<string, NpgsqlParameter> values)
        {
            var command = new NpgsqlBatchCommand(text);
            foreach (var name in names)
            {
                command.Parameters.Add(values[name]);
            }

            return command;
        }
    }

    private static string? Text(Instant? instant) => instant is { } i ? InstantPattern.ExtendedIso.Format(i) : null;

    /// <summary>The transitions' rows of one kind, as a JSON array for jsonb_to_recordset.</summary>
    private static NpgsqlParameter Jsonb(IReadOnlyList<GuardedTransition> transitions, Func<GuardedTransition, byte[]> rows)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        buffer.Write("["u8);
        var first = true;
        foreach (var part in transitions.Select(rows).Where(p => p.Length > 0))
        {
            if (!first)
            {
                buffer.Write(","u8);
            }

            buffer.Write(part);
            first = false;
        }

        buffer.Write("]"u8);
        return new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = Encoding.UTF8.GetString(buffer.WrittenSpan) };
    }

    private static byte[] Bracketed(byte[] objects) => [.. "["u8, .. objects, .. "]"u8];

    /// <summary>Rows as JSON objects separated by commas, each written by <paramref name="write"/> (the names are the columns jsonb_to_recordset reads).</summary>
    private static byte[] Objects<T>(IEnumerable<T> rows, Action<Utf8JsonWriter, T> write)
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

        return buffer.WrittenSpan[1..^1].ToArray();
    }
}
