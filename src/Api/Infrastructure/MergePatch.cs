using System.Text.Json;
using System.Text.Json.Nodes;

namespace Api.Infrastructure;

/// <summary>RFC 7396 JSON merge patch.</summary>
public static class MergePatch
{
    public const string ContentType = "application/merge-patch+json";

    /// <summary>A 415 problem when the request is not a merge patch; null when it is.</summary>
    public static IResult? Refuse(HttpRequest request) =>
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
