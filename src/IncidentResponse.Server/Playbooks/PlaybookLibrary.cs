using IncidentResponse.Core.Incidents;
using IncidentResponse.Core.Playbooks;

namespace IncidentResponse.Server.Playbooks;

/// <summary>
/// The playbook definitions this server runs, loaded and validated at start-up from workflows/playbooks
/// (or IR_PLAYBOOKS_DIR). A file that does not validate stops start-up with its problems.
/// </summary>
public sealed class PlaybookLibrary
{
    private readonly Dictionary<string, PlaybookDefinition> byId;
    private readonly Dictionary<string, PlaybookDefinition> byHash;

    public PlaybookLibrary(PlaybookLoader loader, IReadOnlyList<(PlaybookDefinition Playbook, string Yaml)> playbooks)
    {
        Loader = loader;
        Playbooks = playbooks;
        byId = playbooks.ToDictionary(p => p.Playbook.Id, p => p.Playbook);
        byHash = playbooks.ToDictionary(p => p.Playbook.ContentHash, p => p.Playbook);
    }

    public IReadOnlyList<(PlaybookDefinition Playbook, string Yaml)> Playbooks { get; }

    /// <summary>The loader with the schema, for definitions pinned by runs that the library no longer holds.</summary>
    public PlaybookLoader Loader { get; }

    public PlaybookDefinition? ById(string id) => byId.GetValueOrDefault(id);

    public PlaybookDefinition? ByHash(string hash) => byHash.GetValueOrDefault(hash);

    /// <summary>The playbook that serves an incident kind; with several, the first by id (the commander can choose another).</summary>
    public PlaybookDefinition? For(IncidentKind kind) =>
        byId.Values.Where(p => p.AppliesTo.Contains(kind)).OrderBy(p => p.Id, StringComparer.Ordinal).FirstOrDefault();

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
