using System.CommandLine;
using System.Text.Json;

namespace IncidentResponse.Cli.Tests;

/// <summary>`ir letters draft` and `ir letters check`: output and exit codes, run in process.</summary>
public sealed class LettersCommandTests : IDisposable
{
    private static readonly string Sample = Path.Combine(AppContext.BaseDirectory, "Samples", "northwind.json");
    private readonly DirectoryInfo scratch = Directory.CreateTempSubdirectory("ir-letters-");

    public void Dispose() => scratch.Delete(recursive: true);

    private static (int Exit, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = new RootCommand { LettersCommand.Create() }.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    private string Scratch(string name, string? content = null)
    {
        var path = Path.Combine(scratch.FullName, name);
        if (content is not null)
        {
            File.WriteAllText(path, content);
        }

        return path;
    }

    [Fact]
    public void Draft_prints_the_letter_for_the_default_group()
    {
        var (exit, output, error) = Run("letters", "draft", "--input", Sample);

        Assert.Equal(0, exit);
        Assert.Equal("", error);
        Assert.StartsWith("Notice of Data Breach\n", output, StringComparison.Ordinal);
        Assert.Contains("What Information Was Involved", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Draft_exits_2_naming_the_conflicts_and_a_split_that_works()
    {
        var (exit, output, error) = Run("letters", "draft", "--input", Sample, "--group", "US-CA,US-MA,US-WA");

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains("'incidentDescription' is required by US-CA and forbidden by US-MA", error, StringComparison.Ordinal);
        Assert.Contains("M.G.L. c. 93H", error, StringComparison.Ordinal);
        Assert.Contains("A split that works: US-CA,US-WA | US-MA", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Draft_warns_when_the_offer_is_shorter_than_a_law_demands()
    {
        var (exit, output, error) = Run("letters", "draft", "--input", Sample, "--group", "US-CT");

        Assert.Equal(0, exit);
        Assert.Contains("12 months of credit monitoring", output, StringComparison.Ordinal);
        Assert.Contains("warning: The offer runs 12 months; US-CT demands 24.", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("docx", "PK")]
    [InlineData("pdf", "%PDF")]
    [InlineData("html", "<!DOCTYPE html>")]
    public void Draft_writes_each_format_to_the_out_file(string format, string magic)
    {
        var file = Scratch($"letter.{format}");

        var (exit, output, _) = Run("letters", "draft", "--input", Sample, "--format", format, "--out", file);

        Assert.Equal(0, exit);
        Assert.Equal("", output);
        Assert.StartsWith(magic, File.ReadAllText(file), StringComparison.Ordinal);
    }

    [Fact]
    public void Draft_refuses_an_unknown_format()
    {
        Assert.NotEqual(0, Run("letters", "draft", "--input", Sample, "--format", "rtf").Exit);
    }

    [Fact]
    public void Check_of_a_drafted_letter_is_clean_and_exits_0()
    {
        var letter = Scratch("letter.txt", Run("letters", "draft", "--input", Sample).Output);

        var (exit, output, _) = Run("letters", "check", "--input", Sample, "--letter", letter);

        Assert.Equal(0, exit);
        using var report = JsonDocument.Parse(output);
        Assert.True(report.RootElement.GetProperty("passed").GetBoolean());
        Assert.Equal(["US-CA", "US-IL", "US-WA"], report.RootElement.GetProperty("group").EnumerateArray().Select(e => e.GetString()).Order());
    }

    [Fact]
    public void Check_exits_1_and_names_the_missing_element_with_its_citation()
    {
        var drafted = Run("letters", "draft", "--input", Sample, "--group", "US-IL").Output;
        var letter = Scratch("letter.txt", drafted.Replace("fraud alert", "note", StringComparison.Ordinal));

        var (exit, output, _) = Run("letters", "check", "--input", Sample, "--group", "US-IL", "--letter", letter);

        Assert.Equal(1, exit);
        using var report = JsonDocument.Parse(output);
        var missing = report.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("status").GetString() == "missing");
        Assert.Equal("fraudAlert", missing.GetProperty("requirement").GetString());
        var source = missing.GetProperty("sources").EnumerateArray().Single();
        Assert.Equal("US-IL", source.GetProperty("jurisdiction").GetString());
        Assert.Equal("815 ILCS 530/10(a)", source.GetProperty("citation").GetString());
    }

    [Fact]
    public void Check_reads_a_docx_letter()
    {
        var docx = Scratch("letter.docx");
        Assert.Equal(0, Run("letters", "draft", "--input", Sample, "--format", "docx", "--out", docx).Exit);

        var (exit, output, _) = Run("letters", "check", "--input", Sample, "--letter", docx);

        Assert.Equal(0, exit);
        Assert.Contains("\"passed\": true", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_of_a_file_that_is_not_a_docx_exits_2()
    {
        var (exit, _, error) = Run("letters", "check", "--input", Sample, "--letter", Scratch("letter.docx", "plain text"));

        Assert.Equal(2, exit);
        Assert.Contains("ir letters check:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_exits_1_when_a_forbidden_element_is_present()
    {
        var drafted = Run("letters", "draft", "--input", Sample, "--group", "US-IL").Output;
        var letter = Scratch("letter.txt", drafted + "\nThis incident affected 95 Illinois residents.\n");

        var (exit, output, _) = Run("letters", "check", "--input", Sample, "--group", "US-IL", "--letter", letter);

        Assert.Equal(1, exit);
        Assert.Contains("\"forbiddenPresent\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_input_exits_2_naming_the_json_path()
    {
        var input = Scratch("input.json", File.ReadAllText(Sample).Replace("\"deliveryMethod\": \"mail\"", "\"deliveryMethod\": \"fax\"", StringComparison.Ordinal));
        var letter = Scratch("letter.txt", "Notice");

        var (exit, output, error) = Run("letters", "check", "--input", input, "--letter", letter);

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains("deliveryMethod: 'fax' is not mail or email", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("draft", "--group", "US-ZZ")]
    [InlineData("check", "--letter", "/nonexistent/letter.txt")]
    public void An_unknown_group_or_missing_file_exits_2(string verb, string option, string value)
    {
        var args = verb == "check"
            ? new[] { "letters", verb, "--input", Sample, option, value }
            : ["letters", verb, "--input", Sample, option, value];

        var (exit, _, error) = Run(args);

        Assert.Equal(2, exit);
        Assert.Contains(value, error, StringComparison.Ordinal);
    }
}
