using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace IncidentResponse.Server.Deadlines;

/// <summary>How reminders leave the building: SMTP for email, and the timing of the sweep and retries.</summary>
public sealed class DeliverySettings
{
    public string? SmtpHost { get; init; }
    public int SmtpPort { get; init; } = 25;
    public SecureSocketOptions SmtpSecurity { get; init; } = SecureSocketOptions.Auto;
    public string SmtpFrom { get; init; } = "incident-response@localhost";
    public string? SmtpUser { get; init; }
    public string? SmtpPassword { get; init; }
    /// <summary>How long a node holds a claimed delivery before another may try it (a crash frees it after this).</summary>
    public NodaTime.Duration Lease { get; init; } = NodaTime.Duration.FromMinutes(2);
    public int MaxAttempts { get; init; } = 8;
    public string SweepCron { get; init; } = "*/15 * * * * *";

    public bool EmailEnabled => !string.IsNullOrWhiteSpace(SmtpHost);

    public static DeliverySettings From(IConfiguration configuration) => new()
    {
        SmtpHost = configuration["Smtp:Host"],
        SmtpPort = configuration.GetValue("Smtp:Port", 25),
        SmtpSecurity = Enum.TryParse<SecureSocketOptions>(configuration["Smtp:Security"], true, out var security) ? security : SecureSocketOptions.Auto,
        SmtpFrom = configuration["Smtp:From"] ?? "incident-response@localhost",
        SmtpUser = configuration["Smtp:User"],
        SmtpPassword = configuration["Smtp:Password"],
        Lease = NodaTime.Duration.FromSeconds(configuration.GetValue("IR_DELIVERY_LEASE_SECONDS", 120)),
        MaxAttempts = configuration.GetValue("IR_DELIVERY_MAX_ATTEMPTS", 8),
        SweepCron = configuration["IR_SWEEP_CRON"] ?? "*/15 * * * * *",
    };
}

/// <summary>One message to send: the delivery row's id doubles as the message's idempotency key.</summary>
public sealed record OutgoingMessage(Guid DeliveryId, string To, string Subject, string Body, string Json, MailAttachment? Attachment = null);

/// <summary>A file sent with an email, such as a letter's PDF.</summary>
public sealed record MailAttachment(string FileName, string MediaType, byte[] Content);

/// <summary>Email over SMTP (MailKit): one connection per batch, a Message-ID that names the delivery.</summary>
public sealed class EmailChannel(DeliverySettings settings)
{
    public async Task<SmtpClient> ConnectAsync(CancellationToken ct)
    {
        // A send never outlasts half the lease, so a stalled server cannot let another node send the same message.
        var client = new SmtpClient { Timeout = (int)Math.Clamp(settings.Lease.TotalMilliseconds / 2, 1_000, 30_000) };
        await client.ConnectAsync(settings.SmtpHost ?? "localhost", settings.SmtpPort, settings.SmtpSecurity, ct);
        if (settings.SmtpUser is { Length: > 0 } user)
        {
            await client.AuthenticateAsync(user, settings.SmtpPassword ?? "", ct);
        }

        return client;
    }

    public async Task SendAsync(SmtpClient client, OutgoingMessage message, CancellationToken ct)
    {
        var mime = new MimeMessage();
        mime.From.Add(MailboxAddress.Parse(settings.SmtpFrom));
        mime.To.Add(MailboxAddress.Parse(message.To));
        mime.Subject = message.Subject;
        // A receiver that sees this id twice (a crash between the server's acceptance and our commit) knows it is one message.
        mime.MessageId = $"{message.DeliveryId:N}@{settings.SmtpFrom.Split('@').Last()}";
        mime.Headers.Add("X-IR-Delivery", message.DeliveryId.ToString());
        if (message.Attachment is not { } file)
        {
            mime.Body = new TextPart("plain") { Text = message.Body };
        }
        else
        {
            var builder = new BodyBuilder { TextBody = message.Body };
            builder.Attachments.Add(file.FileName, file.Content, ContentType.Parse(file.MediaType));
            mime.Body = builder.ToMessageBody();
        }

        await client.SendAsync(mime, ct);
    }
}

/// <summary>
/// Outbound webhooks: the JSON body, or Slack's {"text": ...}, signed with HMAC-SHA256 over
/// "timestamp.body" (header X-IR-Signature: sha256=hex), with the delivery id as an idempotency key.
/// </summary>
public sealed class WebhookChannel(HttpClient http)
{
    public const string SignatureHeader = "X-IR-Signature";
    public const string TimestampHeader = "X-IR-Timestamp";
    public const string DeliveryHeader = "X-IR-Delivery";

    public async Task SendAsync(WebhookSubscription hook, OutgoingMessage message, long unixSeconds, CancellationToken ct)
    {
        var body = hook.Format == WebhookFormat.Slack
            ? JsonSerializer.Serialize(new { text = $"*{message.Subject}*\n{message.Body}" })
            : message.Json;
        using var request = new HttpRequestMessage(HttpMethod.Post, hook.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        var timestamp = unixSeconds.ToString(CultureInfo.InvariantCulture);
        request.Headers.Add(TimestampHeader, timestamp);
        request.Headers.Add(DeliveryHeader, message.DeliveryId.ToString());
        request.Headers.Add(SignatureHeader, "sha256=" + Sign(hook.Secret, timestamp, body));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("IncidentResponse", "1.0"));
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"The webhook answered {(int)response.StatusCode} {response.ReasonPhrase}.");
        }
    }

    public static string Sign(string secret, string timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "." + body)));
}
