using System.Text.Json;
using IncidentResponse.Core;
using IncidentResponse.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace IncidentResponse.Benchmarks;

/// <summary>A throwaway database on the benchmark's PostgreSQL with the real server on it, spoken to over loopback HTTP; dropped on dispose.</summary>
public sealed class BenchServer : IAsyncDisposable
{
    public const string Key = "irk_benchmark_administrator_key_000000";
    public static readonly JsonSerializerOptions Json = WireJson.Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    private readonly string server;
    private readonly string database;

    private BenchServer(string server, string database, string connection, WebApplication app, HttpClient http)
    {
        this.server = server;
        this.database = database;
        Connection = connection;
        App = app;
        Http = http;
    }

    public string Connection { get; }
    public WebApplication App { get; }
    public HttpClient Http { get; }

    public static async Task<BenchServer> StartAsync(string server, params string[] settings)
    {
        var database = "bench_" + Guid.NewGuid().ToString("N")[..12];
        await TransitionLoad.Execute(server, $"CREATE DATABASE {database}");
        var connection = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
        var app = ServerApp.Build([
            "--urls=http://127.0.0.1:0", $"--ConnectionStrings:Postgres={connection}", $"--IR_ADMIN_API_KEY={Key}",
            "--IR_JOBS_SERVER=false", "--Logging:LogLevel:Default=Error", .. settings,
        ]);
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(30) };
        http.DefaultRequestHeaders.Add("X-Api-Key", Key);
        return new BenchServer(server, database, connection, app, http);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await TransitionLoad.Execute(server, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
    }
}
