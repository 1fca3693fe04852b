using System.Globalization;
using Api.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Api.Syndication;

/// <summary>
/// A serialized feed, sitemap or ninjs document sent the way every read is: a strong <c>ETag</c> of
/// the exact bytes, <c>If-None-Match</c> / <c>If-Modified-Since</c> answered with 304,
/// <c>Cache-Control</c> for shared caches and a <c>Surrogate-Key</c> header. Unlike
/// <see cref="HttpCaching.WriteAsync"/> it sends its own content type.
/// </summary>
public sealed class SyndicationResponse(
    byte[] body,
    string contentType,
    IReadOnlyCollection<string> surrogateKeys,
    DateTime? lastModified,
    CachePolicy? policy = null,
    string? vary = null)
    : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => contentType;

    /// <summary>The body, for tests and callers that need it.</summary>
    public ReadOnlyMemory<byte> Body => body;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var cache = policy ?? CachePolicy.Public;
        var etag = HttpCaching.StrongETag(body, cache.ETagPrefix);
        var response = httpContext.Response;
        var caching = httpContext.RequestServices.GetRequiredService<IOptions<CachingOptions>>().Value;

        response.Headers.ETag = etag;
        if (vary is not null)
        {
            // Appended: CORS may have named Origin already.
            response.Headers.Append(HeaderNames.Vary, vary);
        }

        response.Headers.CacheControl = cache.Shared
            ? string.Create(CultureInfo.InvariantCulture,
                $"public, max-age={caching.MaxAgeSeconds}, stale-while-revalidate={caching.StaleWhileRevalidateSeconds}")
            : "private, no-cache";
        if (surrogateKeys.Count > 0)
        {
            response.Headers["Surrogate-Key"] = string.Join(' ', surrogateKeys);
        }

        if (lastModified is { } modified)
        {
            response.Headers.LastModified = HeaderUtilities.FormatDate(HttpCaching.TruncateToSeconds(modified));
        }

        if (HttpCaching.IsNotModified(httpContext.Request, etag, lastModified))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        if (!HttpCaching.IsHead(httpContext))
        {
            await response.Body.WriteAsync(body, httpContext.RequestAborted);
        }
    }
}
