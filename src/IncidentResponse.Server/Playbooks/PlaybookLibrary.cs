using System.Collections.Concurrent;
using IncidentResponse.Core.Incidents;
using IncidentResponse.Core.Playbooks;
using IncidentResponse.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace IncidentResponse.Server.Playbooks;

/// <summary>
/// The playbook definitions this server runs: loaded and validated at start-up from workflows/playbooks
/// (or IR_PLAYBOOKS_DIR), where a file that does not validate stops start-up with its problems, and the
/// versions published through the API, stored by content hash (docs/playbooks.md "Versions").
/// </summary>
public sealed class PlaybookLibrary
{
    private readonly Dictionary<string, PlaybookDefinition> byId;
    private readonly Dictionary<string, PlaybookDefinition> byHash;
    private readonly ConcurrentDictionary<string, PlaybookDefinition> stored = new();

    public PlaybookLibrary(PlaybookLoader loader, IReadOnlyList<(PlaybookDefinition Playbook, string Yaml)> playbooks)
    {
        Loader = loader;
        Playbooks = playbooks;
        byId = playbooks.ToDictionary(p => p.Playbook.Id, p => p.Playbook);
        byHash = playbooks.ToDictionary(p => p.Playbook.ContentHash, p => p.Playbook);
    }

    public IReadOnlyList<(PlaybookDefinition Playbook, string Yaml)> Playbooks { get; }

    /// <summary>The loader with the schema: published versions and pinned definitions load with it.</summary>
    public PlaybookLoader Loader { get; }

    /// <summary>The definition a run follows: the one it pinned, or for the ad-hoc run, its tasks (steps loaded if the run came without).</summary>
    public async Task<PlaybookDefinition> DefinitionAsync(IncidentDbContext db, PlaybookRunRecord run, CancellationToken ct)
    {
        if (run.PlaybookId != AdHocPlaybook.Id)
        {
            return await PinnedAsync(db, run.DefinitionHash, ct);
        }

        var rows = run.Steps.Count > 0 ? run.Steps : await db.RunSteps.AsNoTracking().Where(s => s.RunId == run.Id).ToListAsync(ct);
        return AdHocPlaybook.Definition(rows.OrderBy(r => r.DueAt).ThenBy(r => r.StepId, StringComparer.Ordinal)
            .Select(r => new AdHocTask(r.StepId, r.Title, r.Description ?? "", r.Team, r.Phase ?? Phase.Detection, r.After)));
    }

    /// <summary>
    /// The definition a run pinned, by its hash: the folder's own, or the stored text, loaded once per node
    /// (a hash names one text, so the cache is never stale).
    /// </summary>
    public async Task<PlaybookDefinition> PinnedAsync(IncidentDbContext db, string hash, CancellationToken ct)
    {
        if ((byHash.GetValueOrDefault(hash) ?? stored.GetValueOrDefault(hash)) is { } known)
        {
            return known;
        }

        var row = await db.StoredPlaybooks.AsNoTracking().SingleAsync(p => p.Hash == hash, ct);
        var definition = Loader.Load(row.PlaybookId + ".yaml", row.Yaml).Playbook
            ?? throw new InvalidOperationException($"The stored definition {hash} of '{row.PlaybookId}' no longer loads.");
        return stored.GetOrAdd(hash, definition);
    }

    /// <summary>
    /// The current version of every playbook: the highest version, whether from the workflows folder or
    /// published through the API; on a tie the folder's. New runs start on it; running ones keep theirs.
    /// </summary>
    public async Task<IReadOnlyList<PlaybookDefinition>> CurrentAsync(IncidentDbContext db, CancellationToken ct)
    {
        var published = (await db.StoredPlaybooks.AsNoTracking().Where(p => p.PlaybookId != AdHocPlaybook.Id).Select(p => new { p.Hash, p.PlaybookId, p.Version, p.LoadedAt }).ToListAsync(ct))
            .GroupBy(p => p.PlaybookId).ToDictionary(g => g.Key, g => g.OrderByDescending(p => p.Version).ThenByDescending(p => p.LoadedAt).First());
        var current = new List<PlaybookDefinition>();
        foreach (var id in byId.Keys.Union(published.Keys).Order(StringComparer.Ordinal))
        {
            var folder = byId.GetValueOrDefault(id);
            current.Add(published.GetValueOrDefault(id) is { } newest && (folder is null || newest.Version > folder.Version)
                ? await PinnedAsync(db, newest.Hash, ct)
                : folder!);
        }

        return current;
    }

    public async Task<PlaybookDefinition?> CurrentAsync(IncidentDbContext db, string id, CancellationToken ct) =>
        (await CurrentAsync(db, ct)).FirstOrDefault(p => p.Id == id);

    /// <summary>The playbook that serves an incident kind; with several, the first by id (the commander can choose another).</summary>
    public async Task<PlaybookDefinition?> ForAsync(IncidentDbContext db, IncidentKind kind, CancellationToken ct) =>
        (await CurrentAsync(db, ct)).FirstOrDefault(p => p.AppliesTo.Contains(kind));

    /// <summary>Stores a definition by its hash, once: two nodes storing the same text at once both succeed.</summary>
    public static Task StoreAsync(IncidentDbContext db, PlaybookDefinition playbook, string yaml, Instant now, CancellationToken ct)
    {
        // Raw SQL bypasses value converters: SQLite keeps instants as Unix ticks.
        object loadedAt = db.Provider == DatabaseProvider.Sqlite ? now.ToUnixTimeTicks() : now;
        return db.Database.ExecuteSqlAsync(
            $"INSERT INTO stored_playbooks (hash, playbook_id, version, yaml, loaded_at) VALUES ({playbook.ContentHash}, {playbook.Id}, {playbook.Version}, {yaml}, {loadedAt}) ON CONFLICT (hash) DO NOTHING",
            ct);
    }

    /// <summary>Makes sure a definition a run is about to pin is stored (the folder's are stored when first used).</summary>
    public async Task EnsureStoredAsync(IncidentDbContext db, PlaybookDefinition playbook, Instant now, CancellationToken ct)
    {
        if (Playbooks.FirstOrDefault(p => p.Playbook.ContentHash == playbook.ContentHash) is { Yaml: { } yaml }
            && !await db.StoredPlaybooks.AnyAsync(p => p.Hash == playbook.ContentHash, ct))
        {
            await StoreAsync(db, playbook, yaml, now, ct);
        }
    }

    public static PlaybookLibrary Load(IConfiguration configuration)
    {
        var folder = configuration["IR_PLAYBOOKS_DIR"] is { Length: > 0 } configured
            ? configured
            : Path.Combine(AppContext.BaseDirectory, "workflows", "playbooks");
        var schemaFile = Path.Combine(folder, "playbook.schema.json");
        if (!File.Exists(schemaFile))
        {
            throw new InvalidOperationException($"No playbook schema at {schemaFile}: set IR_PLAYBOOKS_DIR to the workflows/playbooks folder.");
        }

        var loader = new PlaybookLoader(File.ReadAllText(schemaFile));
        var loaded = new List<(PlaybookDefinition, string)>();
        var problems = new List<PlaybookProblem>();
        foreach (var file in Directory.GetFiles(folder, "*.yaml").Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllText(file);
            var (playbook, found) = loader.Load(Path.GetFileName(file), text);
            problems.AddRange(found);
            if (playbook is not null)
            {
                loaded.Add((playbook, text));
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Invalid playbooks in " + folder + ":\n" + string.Join("\n", problems));
        }

        return new PlaybookLibrary(loader, loaded);
    }
}
