using Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Api.Health;

/// <summary>Outcome of a health probe.</summary>
/// <param name="Status">Healthy, Degraded or Unhealthy.</param>
/// <param name="Checks">Each dependency checked, by name, with its status.</param>
public sealed record HealthReportDto(string Status, IReadOnlyDictionary<string, string> Checks);

public static class HealthEndpoints
{
    private const string ReadyTag = "ready";

    public static WebApplicationBuilder AddReadiness(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag], timeout: TimeSpan.FromSeconds(3));
        return builder;
    }

    public static RouteGroupBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health").WithTags("Health");

        group.MapGet("/live", Live)
            .WithName("GetLiveness")
            .WithSummary("Liveness: the process is up and serving HTTP")
            .WithDescription("Checks no dependency; use it to decide whether to restart the process.");

        group.MapGet("/ready", Ready)
            .WithName("GetReadiness")
            .WithSummary("Readiness: the database answers")
            .WithDescription("503 (with `Retry-After`) while the database is unreachable; use it to route traffic.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return group;
    }

    private static Ok<HealthReportDto> Live(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new HealthReportDto("Healthy", new Dictionary<string, string>()));
    }

    private static async Task<Results<Ok<HealthReportDto>, ProblemHttpResult>> Ready(
        HealthCheckService health, HttpResponse response, CancellationToken cancellationToken)
    {
        response.Headers.CacheControl = "no-store";
        var report = await health.CheckHealthAsync(check => check.Tags.Contains(ReadyTag), cancellationToken);
        var checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString());
        if (report.Status == HealthStatus.Healthy)
        {
            return TypedResults.Ok(new HealthReportDto(report.Status.ToString(), checks));
        }

        response.Headers.RetryAfter = Problems.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Detail = "Not ready: " + string.Join(", ", checks.Where(c => c.Value != "Healthy").Select(c => $"{c.Key} is {c.Value.ToLowerInvariant()}")) + ".",
            Extensions = { ["checks"] = checks },
        });
    }
}

/// <summary>The database answers a trivial query within the check's timeout.</summary>
internal sealed class DatabaseHealthCheck(NpgsqlDataSource dataSource, ILogger<DatabaseHealthCheck> logger) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            logger.LogWarning("Database health check failed: {Reason}", ex.Message);
            return HealthCheckResult.Unhealthy("The database is unreachable.");
        }
    }
}
