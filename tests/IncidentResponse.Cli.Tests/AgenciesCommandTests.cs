using System.CommandLine;
using System.Text.Json;

namespace IncidentResponse.Cli.Tests;

/// <summary>`ir agencies list`: JSON output and exit codes, run in process.</summary>
public sealed class AgenciesCommandTests
{
    private static (int Exit, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = new RootCommand { AgenciesCommand.Create() }.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public void List_prints_every_agency_as_json()
    {
        var (exit, output, error) = Run("agencies", "list");

        Assert.Equal(0, exit);
        Assert.Equal("", error);
        var agencies = JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
        Assert.True(agencies.Count > 100);
        Assert.Contains(agencies, a => a.GetProperty("id").GetString() == "ic3");
    }

    [Fact]
    public void List_for_a_jurisdiction_prints_its_offices_attorney_general_and_federal_entries_in_camel_case()
    {
        var (exit, output, _) = Run("agencies", "list", "--jurisdiction", "US-CA");

        Assert.Equal(0, exit);
        var agencies = JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
        var kinds = agencies.Select(a => a.GetProperty("kind").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "fbiFieldOffice", "usssFieldOffice", "stateAttorneyGeneral", "ic3", "cisa" }, kinds);
        Assert.All(agencies, a => Assert.Contains("US-CA", a.GetProperty("jurisdictions").EnumerateArray().Select(j => j.GetString())));
        var ag = Assert.Single(agencies, a => a.GetProperty("id").GetString() == "ag-ca");
        Assert.Equal("https://oag.ca.gov/privacy/databreach/report-a-breach", ag.GetProperty("contact").GetProperty("onlineForm").GetString());
        Assert.False(ag.GetProperty("contact").TryGetProperty("isEmpty", out _));
    }

    [Fact]
    public void List_refuses_an_unknown_jurisdiction_with_exit_2()
    {
        var (exit, output, error) = Run("agencies", "list", "--jurisdiction", "California");

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains("'California' is not a US jurisdiction code", error, StringComparison.Ordinal);
    }
}
