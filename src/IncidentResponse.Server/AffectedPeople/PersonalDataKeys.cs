using IncidentResponse.Core.AffectedPeople;
using IncidentResponse.Server.Persistence;

namespace IncidentResponse.Server.AffectedPeople;

/// <summary>
/// Where the personal data key comes from: IR_DATA_KEY (or DataProtection:Key), base64 of 32 bytes; else a key file
/// in the data directory, made on first use with owner-only permissions. Never in the database.
/// </summary>
public static class PersonalDataKeys
{
    public const string FileName = "personal-data.key";

    public static PersonalDataKey Load(IConfiguration configuration)
    {
        var configured = configuration["IR_DATA_KEY"] ?? configuration["DataProtection:Key"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return FromBase64(configured, "IR_DATA_KEY");
        }

        var directory = DatabaseSettings.DataDirectoryFrom(configuration);
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
