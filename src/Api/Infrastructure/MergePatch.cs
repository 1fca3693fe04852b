using System.Text.Json;
using System.Text.Json.Nodes;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Api.Infrastructure;

/// <summary>RFC 7396 JSON merge patch.</summary>
public static class MergePatch
{
    public const string ContentType = "application/merge-patch+json";

    /// <summary>A 415 problem when the request is not a merge patch; null when it is.</summary>
    public static ProblemHttpResult? Refuse(HttpRequest request) =>
        string.Equals(request.ContentType?.Split(';')[0].Trim(), ContentType, StringComparison.OrdinalIgnoreCase)
            ? null
            : TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, detail: $"Send the patch as {ContentType} (RFC 7396).");

    /// <summary>The request body as a JSON object (no repeated members); anything else is a 400.</summary>
    public static async Task<JsonObject> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonNode.ParseAsync(request.Body, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }, cancellationToken: cancellationToken) as JsonObject
                ?? throw new JsonException("A merge patch must be a JSON object.");
        }
        catch (JsonException e)
        {
            throw new BadHttpRequestException("The request body is not valid JSON.", StatusCodes.Status400BadRequest, e);
        }
    }

    /// <summary>
    /// <paramref name="current"/> (as the client sees it in JSON) with the patch applied, read back and
    /// validated: the merged request, or its validation errors. A member of <paramref name="alternatives"/>'
    /// pairs present in the patch replaces the other way of naming the same thing (a category by slug
    /// replaces it by id). A result that does not read as <typeparamref name="T"/> is a 400.
    /// </summary>
    public static async Task<(T? Merged, IDictionary<string, string[]>? Errors)> MergeAsync<T>(
        T current, JsonObject patch, JsonSerializerOptions options, IValidator<T> validator, CancellationToken cancellationToken,
        params (string Given, string Replaced)[] alternatives)
        where T : class
    {
        var merged = JsonSerializer.SerializeToNode(current, options)!.AsObject();
        foreach (var (given, replaced) in alternatives)
        {
            if (patch.ContainsKey(given))
            {
                merged.Remove(replaced);
            }
        }

        Apply(merged, patch);
        T request;
        try
        {
            request = merged.Deserialize<T>(options)!;
        }
        catch (JsonException e)
        {
            throw new BadHttpRequestException("The merge patch does not fit the resource.", StatusCodes.Status400BadRequest, e);
        }

        var validation = await validator.ValidateAsync(request, cancellationToken);
        return validation.IsValid ? (request, null) : (null, validation.ToDictionary());
    }

    /// <summary>
    /// The whole of a PATCH endpoint: the body must be a merge patch (415) and <c>If-Match</c> given (428);
    /// <paramref name="update"/> runs the writer with the version expected and the change to make (the
    /// patch applied to the resource as it stands, then validated), and its outcome is answered.
    /// </summary>
    public static async Task<Results<Written<T>, ValidationProblem, ProblemHttpResult>> AnswerAsync<TRequest, T>(
        HttpContext http,
        IValidator<TRequest> validator,
        Func<VersionPrecondition, Func<TRequest, Task<(TRequest? Merged, IDictionary<string, string[]>? Errors)>>, Task<WriteOutcome<T>>> update,
        Func<T, string> etagPrefix,
        CancellationToken cancellationToken,
        params (string Given, string Replaced)[] alternatives)
        where TRequest : class
    {
        if (Refuse(http.Request) is { } unsupported)
        {
            return unsupported;
        }

        if (!Preconditions.TryRead(http.Request, out var expected))
        {
            return Preconditions.Required();
        }

        var patch = await ReadAsync(http.Request, cancellationToken);
        var options = http.Options();
        var outcome = await update(expected, current => MergeAsync(current, patch, options, validator, cancellationToken, alternatives));
        return outcome.Answer(saved => Written<T>.Of(saved, options, etagPrefix(saved)));
    }

    public static void Apply(JsonObject target, JsonObject patch)
    {
        foreach (var (name, value) in patch.ToList())
        {
            if (value is null)
            {
                target.Remove(name);
            }
            else if (value is JsonObject patchObject && target[name] is JsonObject targetObject)
            {
                Apply(targetObject, patchObject);
            }
            else
            {
                target[name] = value.DeepClone();
            }
        }
    }
}
