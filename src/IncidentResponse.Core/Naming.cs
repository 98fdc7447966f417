namespace IncidentResponse.Core;

public static class Naming
{
    /// <summary>PascalCase enum member to the camelCase word used on the wire.</summary>
    public static string ToCamelCase(this string pascal) =>
        string.IsNullOrEmpty(pascal) ? pascal : char.ToLowerInvariant(pascal[0]) + pascal[1..];
}
