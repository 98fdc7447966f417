using IncidentResponse.Core.AffectedPeople;
using IncidentResponse.Server.Persistence;

namespace IncidentResponse.Server.AffectedPeople;

/// <summary>
/// Where the personal data keys come from. The current key: IR_DATA_KEY (or DataProtection:Key), base64 of 32 bytes;
/// else a key file in the data directory, made on first use with owner-only permissions. Former keys, kept after a
/// rotation until every row is re-keyed: IR_DATA_KEY_PREVIOUS (or DataProtection:PreviousKeys), comma-separated, and
/// with the key file, the lines of the former-keys file beside it. Never in the database.
/// </summary>
public static class PersonalDataKeys
{
    public const string FileName = "personal-data.key";
    public const string FormerKeysFileName = "personal-data.previous.key";

    public static PersonalDataKeyRing Load(IConfiguration configuration)
    {
        var former = (configuration["IR_DATA_KEY_PREVIOUS"] ?? configuration["DataProtection:PreviousKeys"] ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(k => FromBase64(k, "IR_DATA_KEY_PREVIOUS")).ToList();
        var configured = configuration["IR_DATA_KEY"] ?? configuration["DataProtection:Key"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new PersonalDataKeyRing(FromBase64(configured, "IR_DATA_KEY"), former);
        }

        var directory = DatabaseSettings.DataDirectoryFrom(configuration);
        var formerFile = Path.Combine(directory, FormerKeysFileName);
        if (File.Exists(formerFile))
        {
            former.AddRange(File.ReadAllLines(formerFile).Where(l => !string.IsNullOrWhiteSpace(l)).Select(l => FromBase64(l.Trim(), formerFile)));
        }

        return new PersonalDataKeyRing(KeyFile(directory), former);
    }

    /// <summary>The key file in the data directory, made on first use.</summary>
    private static PersonalDataKey KeyFile(string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                using var file = new FileStream(path, options);
                using var writer = new StreamWriter(file);
                writer.Write(Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(PersonalDataKey.Length)));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process made it first: use theirs.
            }
        }

        return FromBase64(File.ReadAllText(path).Trim(), path);
    }

    private static PersonalDataKey FromBase64(string text, string source)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{source}: the personal data key is base64 of {PersonalDataKey.Length} random bytes (openssl rand -base64 32).");
        }

        if (bytes.Length != PersonalDataKey.Length)
        {
            throw new InvalidOperationException($"{source}: the personal data key is {PersonalDataKey.Length} bytes; this one is {bytes.Length}.");
        }

        return new PersonalDataKey(bytes);
    }
}
