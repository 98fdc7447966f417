using System.Diagnostics;
using System.Net;
using IncidentResponse.Core.Identity;
using IncidentResponse.Server.Identity;
using IncidentResponse.Server.Tests.Infrastructure;

namespace IncidentResponse.Server.Tests.Identity;

/// <summary>
/// Callers are remembered between requests, so these tests check that a change to a user or a key still takes effect at
/// once on the node that made it, and on another node as soon as PostgreSQL delivers the change.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SignedInUsersTests(PostgresServerFixture fixture)
{
    /// <summary>How long another node may take to hear of a change: notification latency, far below the cache's 30 s.</summary>
    private static readonly TimeSpan Heard = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_key_revoked_on_one_node_is_refused_by_both_nodes()
    {
        var second = await fixture.SecondNodeAsync();
        using var admin = fixture.Server.Admin();
        var (user, _) = await NewUserAsync(admin, Role.Risk);
        var key = await (await admin.PostJson($"/api/v1/users/{user.Id}/api-keys", new { name = "two nodes" })).Read<CreatedApiKey>();
        using var onFirst = fixture.Server.WithKey(key.Key);
        using var onSecond = second.WithKey(key.Key);
        // Both nodes have now seen the key, and remember its user.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await onFirst.GetAsync("/api/v1/incidents")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await onSecond.GetAsync("/api/v1/incidents")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/users/{user.Id}/api-keys/{key.Id}")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await onFirst.GetAsync("/api/v1/incidents")).StatusCode);
        Assert.True(await RefusedWithinAsync(onSecond, "/api/v1/incidents"), $"the second node still took the revoked key after {Heard}");
    }

    [Fact]
    public async Task Changed_roles_and_a_disabled_user_take_effect_on_the_next_request_on_both_nodes()
    {
        var second = await fixture.SecondNodeAsync();
        using var admin = fixture.Server.Admin();
        var (user, key) = await NewUserAsync(admin, Role.Communications);
        using var onFirst = fixture.Server.WithKey(key);
        using var onSecond = second.WithKey(key);
        Assert.Equal(HttpStatusCode.Forbidden, (await onFirst.GetAsync("/api/v1/users")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await onSecond.GetAsync("/api/v1/users")).StatusCode);

        user = await (await admin.SendJson(HttpMethod.Patch, $"/api/v1/users/{user.Id}", new { roles = new[] { "administrator" } }, ifMatch: $"{user.Version}"))
            .Read<UserView>();
        Assert.Equal(HttpStatusCode.OK, (await onFirst.GetAsync("/api/v1/users")).StatusCode);
        var watch = Stopwatch.StartNew();
        while ((await onSecond.GetAsync("/api/v1/users")).StatusCode != HttpStatusCode.OK)
        {
            Assert.True(watch.Elapsed < Heard, $"the second node still held the old roles after {Heard}");
            await Task.Delay(100);
        }

        (await admin.SendJson(HttpMethod.Patch, $"/api/v1/users/{user.Id}", new { disabled = true }, ifMatch: $"{user.Version}")).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Unauthorized, (await onFirst.GetAsync("/api/v1/incidents")).StatusCode);
        Assert.True(await RefusedWithinAsync(onSecond, "/api/v1/incidents"), $"the second node still took a disabled user's key after {Heard}");
    }

    [Fact]
    public async Task A_caller_is_remembered_until_a_change_is_announced()
    {
        using var admin = fixture.Server.Admin();
        var (_, key) = await NewUserAsync(admin, Role.It);
        using var client = fixture.Server.WithKey(key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/incidents")).StatusCode);

        // Revoked behind the server's back: no announcement, so the server still knows the key's user as it was.
        await using var connection = new Npgsql.NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await RevokeDirectlyAsync(connection, key);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/incidents")).StatusCode);

        await using (var announce = new Npgsql.NpgsqlCommand($"NOTIFY {SignedInUsers.Channel}", connection))
        {
            await announce.ExecuteNonQueryAsync();
        }

        Assert.True(await RefusedWithinAsync(client, "/api/v1/incidents"), $"the announcement was not heard within {Heard}");
    }

    [Fact]
    public async Task A_node_that_loses_its_listening_connection_stops_remembering_and_listens_again()
    {
        using var admin = fixture.Server.Admin();
        var (_, first) = await NewUserAsync(admin, Role.It);
        var (_, second) = await NewUserAsync(admin, Role.It);
        using var firstClient = fixture.Server.WithKey(first);
        using var secondClient = fixture.Server.WithKey(second);
        Assert.Equal(HttpStatusCode.OK, (await firstClient.GetAsync("/api/v1/incidents")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await secondClient.GetAsync("/api/v1/incidents")).StatusCode);

        await using var connection = new Npgsql.NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        long listeners;
        await using (var cut = new Npgsql.NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND application_name = @name", connection))
        {
            cut.Parameters.AddWithValue("name", UserChangeListener.ApplicationName);
            listeners = (long)(await cut.ExecuteScalarAsync())!;
            Assert.True(listeners >= 1, "no listening connection to cut");
        }

        // Revoked behind the server's back while it was not listening: nothing it remembered before may answer for it.
        await RevokeDirectlyAsync(connection, first);
        Assert.True(await RefusedWithinAsync(firstClient, "/api/v1/incidents"), $"a key revoked while the node was deaf was still taken after {Heard}");

        // Listening again: a key revoked and announced now is heard.
        var watch = Stopwatch.StartNew();
        while (await ListenersAsync(connection) < listeners)
        {
            Assert.True(watch.Elapsed < Heard, $"the node did not listen again within {Heard}");
            await Task.Delay(100);
        }

        Assert.Equal(HttpStatusCode.OK, (await secondClient.GetAsync("/api/v1/incidents")).StatusCode);
        await RevokeDirectlyAsync(connection, second);
        await using (var announce = new Npgsql.NpgsqlCommand($"NOTIFY {SignedInUsers.Channel}", connection))
        {
            await announce.ExecuteNonQueryAsync();
        }

        Assert.True(await RefusedWithinAsync(secondClient, "/api/v1/incidents"), $"the announcement was not heard within {Heard}");
    }

    [Fact]
    public async Task A_sign_in_cookie_follows_its_holder_roles_changed_then_disabled()
    {
        using var admin = fixture.Server.Admin();
        var (user, _) = await NewUserAsync(admin, Role.CustomerService);
        using var browser = Browser();
        (await browser.PostJson("/api/v1/auth/login", new { email = user.Email, password = Password })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync("/api/v1/users")).StatusCode);

        user = await (await admin.SendJson(HttpMethod.Patch, $"/api/v1/users/{user.Id}", new { roles = new[] { "administrator" } }, ifMatch: $"{user.Version}"))
            .Read<UserView>();
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/users")).StatusCode);

        (await admin.SendJson(HttpMethod.Patch, $"/api/v1/users/{user.Id}", new { disabled = true }, ifMatch: $"{user.Version}")).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/v1/incidents")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/v1/auth/me")).StatusCode);
    }

    [Fact]
    public async Task A_changed_password_ends_the_sessions_signed_in_with_the_old_one()
    {
        using var admin = fixture.Server.Admin();
        var (user, _) = await NewUserAsync(admin, Role.Legal);
        using var browser = Browser();
        (await browser.PostJson("/api/v1/auth/login", new { email = user.Email, password = Password })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/auth/me")).StatusCode);

        // A change that leaves the password alone keeps the session.
        user = await (await admin.SendJson(HttpMethod.Patch, $"/api/v1/users/{user.Id}", new { displayName = "Renamed" }, ifMatch: $"{user.Version}"))
            .Read<UserView>();
        Assert.Equal("Renamed", (await (await browser.GetAsync("/api/v1/auth/me")).Read<UserView>()).DisplayName);

        const string changed = "a different long passphrase";
        (await admin.SendJson(HttpMethod.Patch, $"/api/v1/users/{user.Id}", new { password = changed }, ifMatch: $"{user.Version}")).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/v1/auth/me")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.PostJson("/api/v1/auth/login", new { email = user.Email, password = Password })).StatusCode);
        (await browser.PostJson("/api/v1/auth/login", new { email = user.Email, password = changed })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/auth/me")).StatusCode);
    }

    private const string Password = "correct horse battery staple";

    private static async Task<(UserView User, string Key)> NewUserAsync(HttpClient admin, Role role)
    {
        var user = await (await admin.PostJson("/api/v1/users", new
        {
            email = $"cached-{Guid.NewGuid():N}@test.example", displayName = "Cached", roles = new[] { role }, password = Password,
        })).Read<UserView>();
        var key = await (await admin.PostJson($"/api/v1/users/{user.Id}/api-keys", new { name = "tests" })).Read<CreatedApiKey>();
        return (user, key.Key);
    }

    private static async Task RevokeDirectlyAsync(Npgsql.NpgsqlConnection connection, string key)
    {
        await using var revoke = new Npgsql.NpgsqlCommand("UPDATE api_keys SET revoked_at = now() WHERE hash = @hash", connection);
        revoke.Parameters.AddWithValue("hash", Secrets.HashApiKey(key));
        Assert.Equal(1, await revoke.ExecuteNonQueryAsync());
    }

    private static async Task<long> ListenersAsync(Npgsql.NpgsqlConnection connection)
    {
        await using var count = new Npgsql.NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = @name", connection);
        count.Parameters.AddWithValue("name", UserChangeListener.ApplicationName);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>A client that keeps cookies, as a browser signed in to this node would.</summary>
    private HttpClient Browser() =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = fixture.Server.Address };

    private static async Task<bool> RefusedWithinAsync(HttpClient client, string url)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < Heard)
        {
            if ((await client.GetAsync(url)).StatusCode == HttpStatusCode.Unauthorized)
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }
}
