using Api.Infrastructure;
using Microsoft.Net.Http.Headers;

namespace Api.Syndication;

/// <summary>
/// A serialized feed, sitemap or ninjs document sent the way every read is: a strong <c>ETag</c> of
/// the exact bytes, <c>If-None-Match</c> / <c>If-Modified-Since</c> answered with 304,
/// <c>Cache-Control</c> for shared caches and a <c>Surrogate-Key</c> header, with its own content type.
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

    public Task ExecuteAsync(HttpContext httpContext)
    {
        if (vary is not null)
        {
            // Appended: CORS may have named Origin already.
            httpContext.Response.Headers.Append(HeaderNames.Vary, vary);
        }

        return HttpCaching.WriteAsync(httpContext, body, surrogateKeys, lastModified, policy ?? CachePolicy.Public, contentType);
    }
}
