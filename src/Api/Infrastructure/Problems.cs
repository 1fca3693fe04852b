using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Npgsql;

namespace Api.Infrastructure;

/// <summary>
/// Every failure leaves as <c>application/problem+json</c> (RFC 9457) with a <c>traceId</c>:
/// handler results, unknown routes and methods, bad requests caught by the framework, and
/// unexpected exceptions. Whatever the client's <c>Accept</c> header says, it never gets HTML.
/// </summary>
public static class Problems
{
    public const string ContentType = "application/problem+json";

    /// <summary>Seconds a client is asked to wait after a 503 caused by the database.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>Seconds a client is asked to wait after a search refused because too many were waiting.</summary>
    public const int SearchRetryAfterSeconds = 1;

    public static WebApplicationBuilder AddProblemResponses(this WebApplicationBuilder builder)
    {
        // Registered before AddProblemDetails so it is asked first; it accepts every request.
        builder.Services.AddSingleton<IProblemDetailsWriter, ProblemJsonWriter>();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        // Bad requests (unreadable JSON, wrong content type...) reach the exception handler, which
        // answers them as problems with a detail. The handler logs each exception once, at the level
        // it deserves (a client's error is not ours), so the middleware's own error log is off.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.Configure<ExceptionHandlerOptions>(o => o.SuppressDiagnosticsCallback = _ => true);
        return builder;
    }

    public static WebApplication UseProblemResponses(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>Fills the members every problem carries: type, title and traceId.</summary>
    public static void ApplyDefaults(ProblemDetails problem, HttpContext context)
    {
        var status = problem.Status ??= context.Response.StatusCode;
        problem.Title ??= ReasonPhrases.GetReasonPhrase(status);
        problem.Type ??= TypeFor(status);
        problem.Extensions["traceId"] = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
    }

    private static string TypeFor(int status) => status switch
    {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        405 => "https://tools.ietf.org/html/rfc9110#section-15.5.6",
        406 => "https://tools.ietf.org/html/rfc9110#section-15.5.7",
        409 => "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        412 => "https://tools.ietf.org/html/rfc9110#section-15.5.13",
        413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        415 => "https://tools.ietf.org/html/rfc9110#section-15.5.16",
        422 => "https://tools.ietf.org/html/rfc9110#section-15.5.21",
        428 => "https://tools.ietf.org/html/rfc6585#section-3",
        429 => "https://tools.ietf.org/html/rfc6585#section-4",
        500 => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
        503 => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        _ => "about:blank",
    };

    /// <summary>True when the exception means the database cannot be reached right now.</summary>
    public static bool IsDatabaseUnavailable(Exception exception) => exception switch
    {
        NpgsqlException { IsTransient: true } => true,
        PostgresException { SqlState: "57P01" or "57P02" or "57P03" or "3D000" or "53300" } => true,
        NpgsqlException { InnerException: SocketException or TimeoutException or IOException } => true,
        TimeoutException => true,
        _ => false,
    };
}

internal sealed class ProblemJsonWriter : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        Problems.ApplyDefaults(context.ProblemDetails, http);
        var options = http.Options();
        var type = context.ProblemDetails is HttpValidationProblemDetails
            ? typeof(HttpValidationProblemDetails)
            : typeof(ProblemDetails);
        http.Response.ContentType = Problems.ContentType;
        return new ValueTask(JsonSerializer.SerializeAsync(
            http.Response.Body, context.ProblemDetails, options.GetTypeInfo(type), http.RequestAborted));
    }
}

internal sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails problem;
        switch (exception)
        {
            case BadHttpRequestException bad:
                problem = new ProblemDetails { Status = bad.StatusCode, Detail = DescribeBadRequest(bad) };
                logger.LogInformation("Rejected request: {Reason}", problem.Detail);
                break;
            case OperationCanceledException when context.RequestAborted.IsCancellationRequested:
                logger.LogDebug("Request aborted by the client");
                return true;
            case Api.Articles.SearchBusyException:
                problem = new ProblemDetails
                {
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Detail = "Too many searches are running on this instance. Try again shortly.",
                };
                context.Response.Headers.RetryAfter = Problems.SearchRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                logger.LogInformation("Search refused: {Method} {Path}, too many searches waiting", context.Request.Method, context.Request.Path);
                break;
            case var _ when Problems.IsDatabaseUnavailable(exception):
                problem = new ProblemDetails
                {
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Detail = "The content database is unavailable. Try again shortly.",
                };
                context.Response.Headers.RetryAfter = Problems.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                logger.LogWarning(exception, "Database unavailable while serving {Method} {Path}", context.Request.Method, context.Request.Path);
                break;
            default:
                problem = new ProblemDetails
                {
                    Status = StatusCodes.Status500InternalServerError,
                    Detail = "An unexpected error occurred. Quote the traceId when reporting it.",
                };
                logger.LogError(exception, "Unhandled exception while serving {Method} {Path}", context.Request.Method, context.Request.Path);
                break;
        }

        context.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    private static string DescribeBadRequest(BadHttpRequestException exception) => exception.StatusCode switch
    {
        StatusCodes.Status413PayloadTooLarge => "The request body is larger than this endpoint accepts.",
        StatusCodes.Status415UnsupportedMediaType => "The request body must be JSON (Content-Type: application/json).",
        _ when exception.Message.StartsWith("Required parameter", StringComparison.Ordinal) => "The request body is missing.",
        _ when exception.InnerException is JsonException json => DescribeJson(json),
        _ => exception.Message,
    };

    private static string DescribeJson(JsonException json) =>
        json.Path is { Length: > 0 } path
            ? $"The request body is not valid JSON for this endpoint (at '{path}'): {FirstSentence(json.Message)}"
            : $"The request body is not valid JSON: {FirstSentence(json.Message)}";

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..(end + 1)] : message;
    }
}
