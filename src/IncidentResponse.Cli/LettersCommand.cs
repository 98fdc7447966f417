using System.CommandLine;
using System.Text.Json;
using IncidentResponse.Core;
using IncidentResponse.Core.Laws;
using IncidentResponse.Core.Letters;

namespace IncidentResponse.Cli;

/// <summary>`ir letters draft` and `ir letters check`: letters to individuals from a letter input file (docs/letters.md).</summary>
public static class LettersCommand
{
    private static readonly string[] Formats = ["text", "html", "docx", "pdf"];
    private static readonly JsonSerializerOptions Indented = new(WireJson.Options) { WriteIndented = true };

    public static Command Create()
    {
        var input = new Option<FileInfo>("--input") { Description = "Letter input JSON: facts, organisation, incident, offer, noticeDate, deliveryMethod", Required = true };
        var group = new Option<string?>("--group") { Description = "Comma-separated rule codes of the recipients' jurisdictions (default: every one that requires notice to individuals)" };
        var format = new Option<string>("--format") { Description = "text | html | docx | pdf", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong(Formats);
        var output = new Option<FileInfo?>("--out") { Description = "Write the letter here instead of standard output" };
        var template = new Option<FileInfo?>("--template") { Description = "A Liquid template to use instead of the built-in one" };
        var draft = new Command("draft", "Draft the letter to individuals that satisfies every jurisdiction of the group. Exit 2 when no single letter can, naming the conflicts and a split that works.")
        {
            input, group, format, output, template,
        };
        draft.SetAction(parse => Draft(parse, parse.GetValue(input)!, parse.GetValue(group), parse.GetValue(format)!, parse.GetValue(output), parse.GetValue(template)));

        var letter = new Option<FileInfo>("--letter") { Description = "The letter: UTF-8 text, or a .docx, drafted here or written by hand", Required = true };
        var check = new Command("check", "Check a letter's text against the group's content rules; print the findings as JSON. Exit 1 when a required element is missing or a forbidden one present.")
        {
            input, letter, group,
        };
        check.SetAction(parse => Check(parse, parse.GetValue(input)!, parse.GetValue(letter)!, parse.GetValue(group)));

        return new Command("letters", "Notification letters to individuals.") { draft, check };
    }

    private static int Draft(ParseResult parse, FileInfo inputFile, string? groupText, string format, FileInfo? outFile, FileInfo? templateFile)
    {
        var error = parse.InvocationConfiguration.Error;
        if (Load(inputFile, groupText, "draft", error) is not var (request, group))
        {
            return 2;
        }

        LetterDraft draft;
        try
        {
            var template = templateFile is null ? null : ReadFile(templateFile);
            draft = LetterDrafter.Draft(request, group, ContactDirectory.Current, template);
        }
        catch (Exception e) when (e is LetterException or IOException)
        {
            error.WriteLine($"ir letters draft: {e.Message}");
            return 2;
        }

        if (draft.Document is null)
        {
            error.WriteLine($"ir letters draft: one letter cannot satisfy {string.Join(", ", draft.Requirements.Group)}:");
            foreach (var conflict in draft.Requirements.Conflicts)
            {
                error.WriteLine($"  - {conflict.Description} [{string.Join("; ", conflict.Sources.Select(s => $"{s.Jurisdiction}: {s.Citation}"))}]");
            }

            error.WriteLine($"A split that works: {string.Join(" | ", draft.Split.Select(p => string.Join(",", p)))}");
            error.WriteLine($"Draft each part with {string.Join(" and ", draft.Split.Select(p => $"--group {string.Join(",", p)}"))}.");
            return 2;
        }

        foreach (var finding in draft.Requirements.Findings)
        {
            error.WriteLine($"ir letters draft: warning: {finding.Description} [{string.Join("; ", finding.Sources.Select(s => $"{s.Jurisdiction}: {s.Citation}"))}]");
        }

        using var bytes = new MemoryStream();
        switch (format)
        {
            case "docx":
                DocxLetterWriter.Write(draft.Document, bytes);
                break;
            case "pdf":
                PdfLetterWriter.Write(draft.Document, bytes);
                break;
            default:
                var text = format == "html" ? draft.Document.ToHtml() : draft.Document.ToText();
                if (outFile is null)
                {
                    parse.InvocationConfiguration.Output.Write(text);
                    return 0;
                }

                bytes.Write(System.Text.Encoding.UTF8.GetBytes(text));
                break;
        }

        bytes.Position = 0;
        if (outFile is null)
        {
            using var stdout = Console.OpenStandardOutput();
            bytes.CopyTo(stdout);
        }
        else
        {
            using var file = File.Create(outFile.FullName);
            bytes.CopyTo(file);
        }

        return 0;
    }

    private static int Check(ParseResult parse, FileInfo inputFile, FileInfo letterFile, string? groupText)
    {
        var error = parse.InvocationConfiguration.Error;
        if (Load(inputFile, groupText, "check", error) is not var (request, group))
        {
            return 2;
        }

        string letter;
        try
        {
            letter = ReadLetter(letterFile);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException or DocumentFormat.OpenXml.Packaging.OpenXmlPackageException)
        {
            error.WriteLine($"ir letters check: {e.Message}");
            return 2;
        }

        var report = LetterChecker.Check(letter, request, LetterRules.Merge(group, request), ContactDirectory.Current);
        parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(report, Indented));
        return report.Passed ? 0 : 1;
    }

    /// <summary>The request and its group, or null after printing every problem with its JSON path.</summary>
    private static (LetterRequest Request, IReadOnlyList<JurisdictionContent> Group)? Load(FileInfo file, string? groupText, string verb, TextWriter error)
    {
        string json;
        try
        {
            json = ReadFile(file);
        }
        catch (IOException e)
        {
            error.WriteLine($"ir letters {verb}: {e.Message}");
            return null;
        }

        var (request, problems) = LetterRequestReader.Read(json);
        foreach (var problem in problems)
        {
            error.WriteLine($"ir letters {verb}: {file.Name}: {problem.Field}: {problem.Message}");
        }

        if (request is null)
        {
            return null;
        }

        try
        {
            var codes = groupText?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return (request, LetterRules.Resolve(request, codes, RuleBook.Current));
        }
        catch (LetterException e)
        {
            error.WriteLine($"ir letters {verb}: {e.Message}");
            return null;
        }
    }

    /// <summary>A letter's text: a .docx paragraph by paragraph, anything else as UTF-8 text.</summary>
    private static string ReadLetter(FileInfo file)
    {
        if (!file.Extension.Equals(".docx", StringComparison.OrdinalIgnoreCase))
        {
            return ReadFile(file);
        }

        using var stream = file.Exists ? file.OpenRead() : throw new FileNotFoundException($"{file.FullName} does not exist");
        return DocxLetterWriter.ReadText(stream);
    }

    private static string ReadFile(FileInfo file) =>
        file.Exists ? File.ReadAllText(file.FullName) : throw new FileNotFoundException($"{file.FullName} does not exist");
}
