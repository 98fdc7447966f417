using IncidentResponse.Server.Persistence;
using IncidentResponse.Server.Playbooks;
using Microsoft.Extensions.Configuration;
using NodaTime;

namespace IncidentResponse.Server.Tests.Playbooks;

/// <summary>How many runs a node remembers (Playbooks:RememberedRuns), and which go when it is full.</summary>
public sealed class RememberedRunsTests
{
    private static RunSnapshots Node(int capacity) => new(
        null!, SystemClock.Instance,
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Playbooks:RememberedRuns"] = capacity.ToString(System.Globalization.CultureInfo.InvariantCulture) }).Build(),
        new DatabaseSettings(DatabaseProvider.Sqlite, "Data Source=:memory:", null));

    private static RunSnapshot Snapshot(Guid runId, int version = 0) => new(
        new PlaybookRunRecord { Id = runId, PlaybookId = "p", DefinitionHash = "h", Version = version }, null!, null!, new SnapshotGuard(0, 0, 0, "head"));

    [Fact]
    public void A_full_node_forgets_the_least_recently_remembered_half_for_a_new_run_but_not_for_one_it_already_holds()
    {
        using var node = Node(4);
        var runs = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToArray();
        foreach (var run in runs[..4])
        {
            node.Remember(Snapshot(run));
        }

        // Full, and a run it holds is written again: it replaces its own entry and nothing is forgotten.
        node.Remember(Snapshot(runs[0], version: 1));
        Assert.All(runs[..4], run => Assert.NotNull(node.Remembered(run)));
        Assert.Equal(1, node.Remembered(runs[0])!.Run.Version);

        // A new run: the two least recently remembered go (runs 1 and 2; run 0 was remembered again last).
        node.Remember(Snapshot(runs[4]));
        Assert.Null(node.Remembered(runs[1]));
        Assert.Null(node.Remembered(runs[2]));
        Assert.All(new[] { runs[0], runs[3], runs[4] }, run => Assert.NotNull(node.Remembered(run)));
    }
}
