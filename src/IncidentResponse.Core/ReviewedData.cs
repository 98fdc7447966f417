using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace IncidentResponse.Core;

/// <summary>A reviewed data file (rules, calendars, agencies) that cannot be used, with the file and field at fault.</summary>
public class DataFileException(string file, string field, string problem) : Exception($"{file}: {field}: {problem}")
{
    public string File { get; } = file;
    public string Field { get; } = field;
    public string Problem { get; } = problem;
}

/// <summary>Reads the YAML files shipped inside this library; one reader so every data set reports mistakes alike.</summary>
internal static class ReviewedData
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build();

    /// <summary>Every embedded file whose logical name starts with the prefix, as (name without prefix, text).</summary>
    public static List<(string File, string Text)> Embedded(string prefix)
    {
        var assembly = typeof(ReviewedData).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream, Encoding.UTF8);
                return (n[prefix.Length..], reader.ReadToEnd());
            })
            .ToList();
    }

    /// <summary>Deserializes one file; a syntax error or an empty file throws naming line and column (as the caller's exception type, if given).</summary>
    public static T Read<T>(string file, string text, Func<string, string, string, DataFileException>? fail = null)
    {
        fail ??= (f, field, problem) => new DataFileException(f, field, problem);
        try
        {
            return Deserializer.Deserialize<T>(text) ?? throw fail(file, "(file)", "the file is empty");
        }
        catch (YamlException e)
        {
            throw fail(file, $"line {e.Start.Line}, column {e.Start.Column}", (e.InnerException ?? e).Message);
        }
    }
}
