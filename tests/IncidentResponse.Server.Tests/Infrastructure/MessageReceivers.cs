using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using MimeKit;
using SmtpServer;
using SmtpServer.ComponentModel;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace IncidentResponse.Server.Tests.Infrastructure;

/// <summary>A real SMTP server on a loopback port that keeps every message it accepts.</summary>
public sealed class SmtpReceiver : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Task running;

    private SmtpReceiver(int port)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder().ServerName("localhost").Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, port))).Build();
        var provider = new ServiceProvider();
        provider.Add(new Store(Messages));
        running = new SmtpServer.SmtpServer(options, provider).StartAsync(stop.Token);
    }

    public int Port { get; }

    /// <summary>Every accepted message, in order; a message sent twice appears twice.</summary>
    public ConcurrentQueue<MimeMessage> Messages { get; } = new();

    public static SmtpReceiver Start() => new(FreePort());

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await running;
        }
        catch (OperationCanceledException)
        {
        }

        stop.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class Store(ConcurrentQueue<MimeMessage> messages) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            await using var stream = new MemoryStream(buffer.ToArray());
            messages.Enqueue(await MimeMessage.LoadAsync(stream, cancellationToken));
            return SmtpResponse.Ok;
        }
    }
}

/// <summary>A webhook receiver on a loopback port: checks signatures, keeps what it got, can be told to fail.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener listener = new();
    private readonly Task running;

    private WebhookReceiver(int port)
    {
        Url = $"http://127.0.0.1:{port}/hook/";
        listener.Prefixes.Add(Url);
        listener.Start();
        running = Task.Run(ServeAsync);
    }

    public string Url { get; }
    public string Secret { get; set; } = "0123456789abcdef-webhook-secret";
    private int failNext;

    /// <summary>The next <paramref name="count"/> requests answer 500.</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref failNext, count);
    public ConcurrentQueue<(string Delivery, string Body, bool SignatureValid)> Received { get; } = new();

    public static WebhookReceiver Start() => new(SmtpReceiver.FreePort());

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            if (Interlocked.Decrement(ref failNext) >= 0)
            {
                context.Response.StatusCode = 500;
                context.Response.Close();
                continue;
            }

            var timestamp = context.Request.Headers["X-IR-Timestamp"] ?? "";
            var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(timestamp + "." + body)));
            Received.Enqueue((context.Request.Headers["X-IR-Delivery"] ?? "", body, context.Request.Headers["X-IR-Signature"] == expected));
            context.Response.StatusCode = 204;
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        listener.Close();
        await running;
    }
}
