using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using IncidentResponse.Server.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace IncidentResponse.Server.Tests.Infrastructure;

/// <summary>The real server on a loopback port, spoken to over real HTTP.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    public const string AdminKey = "irk_test_administrator_key_0123456789";
    public static readonly JsonSerializerOptions Json = CreateJson();

    private RunningServer(WebApplication app, Uri address)
    {
        App = app;
        Address = address;
    }

    public WebApplication App { get; }
    public Uri Address { get; }

    public static async Task<RunningServer> StartAsync(params string[] settings)
    {
        var args = new List<string> { "--urls=http://127.0.0.1:0", $"--IR_ADMIN_API_KEY={AdminKey}", "--Logging:LogLevel:Default=Warning" };
        args.AddRange(settings);
        if (!settings.Any(s => s.StartsWith("--IR_JOBS_SERVER=", StringComparison.Ordinal)))
        {
            args.Add("--IR_JOBS_SERVER=false");
        }
        var app = ServerApp.Build([.. args]);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RunningServer(app, new Uri(address));
    }

    public HttpClient Anonymous() => new() { BaseAddress = Address };

    public HttpClient WithKey(string key)
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    public HttpClient Admin() => WithKey(AdminKey);

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        ApiConventions.ConfigureJson(options);
        return options;
    }
}

public static class HttpExtensions
{
    public static async Task<T> Read<T>(this HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{(int)response.StatusCode} {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {body}");
        }

        return JsonSerializer.Deserialize<T>(body, RunningServer.Json)!;
    }

    public static Task<HttpResponseMessage> PostJson(this HttpClient client, string url, object body) =>
        client.PostAsJsonAsync(url, body, RunningServer.Json);

    public static Task<HttpResponseMessage> SendJson(this HttpClient client, HttpMethod method, string url, object? body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: RunningServer.Json);
        }

        if (ifMatch is not null)
        {
            request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{ifMatch}\""));
        }

        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> PostRaw(this HttpClient client, string url, string json) =>
        client.PostAsync(url, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

    public static async Task<JsonElement> Problem(this HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }
}
