using System.Text.Json;

namespace Api.Infrastructure;

/// <summary>
/// The answer to a write: the resource as it now is, with its new strong ETag (which starts with the
/// version, for If-Match), <c>Location</c> when it was created, and never stored by caches.
/// </summary>
public sealed class Written(StoredResponse response) : IResult
{
    /// <summary>The answer, kept as it is sent (an idempotent POST stores it to replay it).</summary>
    public StoredResponse Response => response;

    public static Written Of<T>(T resource, HttpContext http, string etagPrefix, int status, string? location = null)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(resource, http.Options().GetTypeInfo(typeof(T)));
        return new Written(new StoredResponse
        {
            Status = status,
            Location = status == StatusCodes.Status201Created ? location : null,
            Etag = HttpCaching.StrongETag(body, etagPrefix),
            Body = body,
        });
    }

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
