using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;

namespace Api.Infrastructure;

/// <summary>
/// The answer to a write: the resource as it now is, with its new strong ETag (which starts with the
/// version, for If-Match), <c>Location</c> when it was created, and never stored by caches. Kept as
/// it is sent, so that an idempotent POST can store it and replay it.
/// </summary>
public abstract class WrittenResult(StoredResponse response) : IResult, IStatusCodeHttpResult
{
    public StoredResponse Response => response;

    public int? StatusCode => response.Status;

    protected static StoredResponse Render<T>(T resource, JsonSerializerOptions options, string etagPrefix, int status, string? location)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(resource, options.GetTypeInfo(typeof(T)));
        return new StoredResponse { Status = status, Location = location, Etag = HttpCaching.StrongETag(body, etagPrefix), Body = body };
    }

    protected static void Describe<T>(EndpointBuilder builder, int status) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(T), ["application/json"]));

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var http = httpContext.Response;
        http.StatusCode = response.Status;
        http.Headers.CacheControl = "no-store";
        http.Headers.ETag = response.Etag;
        if (response.Location is not null)
        {
            http.Headers.Location = response.Location;
        }

        http.ContentType = "application/json; charset=utf-8";
        http.ContentLength = response.Body.Length;
        await http.Body.WriteAsync(response.Body, httpContext.RequestAborted);
    }
}

/// <summary>A written answer that can be rebuilt from what was stored.</summary>
public interface IWrittenResult<TSelf> : IResult where TSelf : IWrittenResult<TSelf>
{
    static abstract TSelf Replay(StoredResponse response);
}

/// <summary>200 with the <typeparamref name="T"/> as it now is.</summary>
public sealed class Written<T> : WrittenResult, IWrittenResult<Written<T>>, IEndpointMetadataProvider
{
    private Written(StoredResponse response) : base(response)
    {
    }

    public static Written<T> Of(T resource, JsonSerializerOptions options, string etagPrefix) =>
        new(Render(resource, options, etagPrefix, StatusCodes.Status200OK, null));

    public static Written<T> Replay(StoredResponse response) => new(response);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Describe<T>(builder, StatusCodes.Status200OK);
}

/// <summary>201 with the new <typeparamref name="T"/> and its <c>Location</c>.</summary>
public sealed class WrittenCreated<T> : WrittenResult, IWrittenResult<WrittenCreated<T>>, IEndpointMetadataProvider
{
    private WrittenCreated(StoredResponse response) : base(response)
    {
    }

    public static WrittenCreated<T> Of(T resource, JsonSerializerOptions options, string etagPrefix, string location) =>
        new(Render(resource, options, etagPrefix, StatusCodes.Status201Created, location));

    public static WrittenCreated<T> Replay(StoredResponse response) => new(response);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Describe<T>(builder, StatusCodes.Status201Created);
}

/// <summary>
/// What became of a write of a <typeparamref name="TSaved"/> (an article as editors see it, a
/// category): every writer answers with one of these, and <see cref="WriteAnswers"/> turns each into
/// its HTTP answer in one place.
/// </summary>
public abstract record WriteOutcome<TSaved>
{
    /// <summary>Saved: the resource as it now is.</summary>
    public sealed record Saved(TSaved Value) : WriteOutcome<TSaved>;

    public sealed record Deleted : WriteOutcome<TSaved>;

    /// <summary>Nothing to write to; the detail says what was looked for.</summary>
    public sealed record NotFound(string Detail) : WriteOutcome<TSaved>;

    /// <summary>The resource changed since the version the client read (If-Match).</summary>
    public sealed record Stale(int CurrentVersion) : WriteOutcome<TSaved>;

    /// <summary>Values that are well-formed but refer to nothing (unknown category...), or a merge patch that does not make a valid resource, by field.</summary>
    public sealed record Invalid(IDictionary<string, string[]> Errors) : WriteOutcome<TSaved>;

    /// <summary>The write would break a rule of the current state (slug taken, a cycle, a category not empty...).</summary>
    public sealed record Conflict(string Detail) : WriteOutcome<TSaved>;

    /// <summary>Well-formed and consistent, but not allowed as it stands (a published article's image without alt text): 422.</summary>
    public sealed record Unprocessable(string Detail) : WriteOutcome<TSaved>;

    /// <summary>A retried POST: the response given the first time.</summary>
    public sealed record Replayed(StoredResponse Response) : WriteOutcome<TSaved>;

    /// <summary>The Idempotency-Key was used before with a different request.</summary>
    public sealed record KeyReused : WriteOutcome<TSaved>;
}

/// <summary>The HTTP answer of each <see cref="WriteOutcome{TSaved}"/>.</summary>
public static class WriteAnswers
{
    /// <summary>
    /// Validates the arguments and documents what a write to a versioned resource can refuse with:
    /// 404, 409, 412 (stale If-Match) and 428 (no If-Match).
    /// </summary>
    public static RouteHandlerBuilder WithVersionedWriteResponses(this RouteHandlerBuilder builder) =>
        builder
            .WithValidation()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired);

    /// <summary>The answer to a write that saves: the resource rendered by <paramref name="render"/>, or why not.</summary>
    public static Results<TWritten, ValidationProblem, ProblemHttpResult> Answer<TSaved, TWritten>(
        this WriteOutcome<TSaved> outcome, Func<TSaved, TWritten> render)
        where TWritten : IWrittenResult<TWritten> => outcome switch
    {
        WriteOutcome<TSaved>.Saved saved => render(saved.Value),
        WriteOutcome<TSaved>.Replayed replayed => TWritten.Replay(replayed.Response),
        WriteOutcome<TSaved>.Invalid invalid => Invalid(invalid.Errors),
        _ => Refusal(outcome),
    };

    /// <summary>The answer to a delete: 204, or why not.</summary>
    public static Results<NoContent, ValidationProblem, ProblemHttpResult> AnswerDeleted<TSaved>(this WriteOutcome<TSaved> outcome) => outcome switch
    {
        WriteOutcome<TSaved>.Deleted => TypedResults.NoContent(),
        WriteOutcome<TSaved>.Invalid invalid => Invalid(invalid.Errors),
        _ => Refusal(outcome),
    };

    public static ValidationProblem Invalid(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: "One or more values are invalid; see 'errors'.");

    /// <summary>The problem answer of an outcome that neither saved nor was invalid (404, 409, 412, 422).</summary>
    public static ProblemHttpResult Refusal<TSaved>(WriteOutcome<TSaved> outcome) => outcome switch
    {
        WriteOutcome<TSaved>.NotFound notFound => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: notFound.Detail),
        WriteOutcome<TSaved>.Stale stale => Preconditions.Failed(stale.CurrentVersion),
        WriteOutcome<TSaved>.Conflict conflict => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, detail: conflict.Detail),
        WriteOutcome<TSaved>.Unprocessable unprocessable => TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, detail: unprocessable.Detail),
        WriteOutcome<TSaved>.KeyReused => TypedResults.Problem(
            statusCode: StatusCodes.Status422UnprocessableEntity,
            detail: "This Idempotency-Key was used with a different request. Use a new key for a new request."),
        _ => throw new InvalidOperationException($"No answer for the outcome {outcome}."),
    };
}
