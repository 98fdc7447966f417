using System.Runtime.CompilerServices;

namespace IncidentResponse.Core;

public static class EmailAddresses
{
    /// <summary>The shape of an address a letter or an import may carry: one @, a domain with a dot, no spaces.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool IsPlausible(string email)
    {
        var at = email.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at == email.LastIndexOf('@') && email.IndexOf('.', at) > at + 1 && !email.EndsWith('.') && !email.Contains(' ', StringComparison.Ordinal);
    }
}
