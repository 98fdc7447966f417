using System.Text.Json;
using IncidentResponse.Server.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace IncidentResponse.Server.Tests.Api;

public sealed class ProblemExceptionHandlerTests
{
    public static TheoryData<string, int> Failures() => new()
    {
        { "40P01", 409 }, // deadlock: the database rolled this request back
        { "40001", 409 }, // serialization failure
        { "23505", 409 }, // unique violation on save
        { "53100", 500 }, // disk full is the server's fault, not the caller's
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task Collisions_the_database_resolved_answer_409_and_anything_else_500(string sqlState, int status)
    {
        var database = new PostgresException("message", "ERROR", "ERROR", sqlState);
        // As EF Core's non-retrying strategy raises a transient failure: wrapped twice.
        var raised = new InvalidOperationException("transient", new DbUpdateException("save", database));
        var (code, problem) = await HandleAsync(sqlState == "23505" ? new DbUpdateException("save", database) : raised);
        Assert.Equal(status, code);
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.DoesNotContain("message", problem.GetProperty("detail").GetString());
    }

    private static async Task<(int Status, JsonElement Problem)> HandleAsync(Exception exception)
    {
        var services = new ServiceCollection().AddLogging().AddApiConventions().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Path = "/api/v1/incidents";
        context.Response.Body = new MemoryStream();
        var handler = new ProblemExceptionHandler(services.GetRequiredService<IProblemDetailsService>(), NullLogger<ProblemExceptionHandler>.Instance);
        Assert.True(await handler.TryHandleAsync(context, exception, CancellationToken.None));
        context.Response.Body.Position = 0;
        return (context.Response.StatusCode, JsonDocument.Parse(context.Response.Body).RootElement.Clone());
    }
}
