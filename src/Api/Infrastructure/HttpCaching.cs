using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Api.Infrastructure;

/// <summary>
/// A JSON read that caches well: a strong <c>ETag</c> computed from the exact bytes sent,
/// <c>If-None-Match</c> / <c>If-Modified-Since</c> answered with 304, <c>Cache-Control</c> for shared
/// caches and a <c>Surrogate-Key</c> header naming the resources involved so a CDN can purge by tag.
/// </summary>
/// <remarks>
/// The body is <paramref name="value"/> as the serializer writes it, or as <paramref name="write"/> does:
/// a hand-written equivalent for a hot read.
/// </remarks>
public sealed class CachedJson<T>(
    T value,
    IReadOnlyCollection<string> surrogateKeys,
    DateTime? lastModified = null,
    CachePolicy? policy = null,
    Action<Utf8JsonWriter, T, JsonSerializerOptions>? write = null)
    : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<T>
{
    public T Value { get; } = value;

    object? IValueHttpResult.Value => Value;

    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        using var body = new PooledBody();
        var options = httpContext.Options();
        // The writer's output is a buffer in memory: disposing flushes it without I/O.
        using (var json = new Utf8JsonWriter(body, new JsonWriterOptions { Encoder = options.Encoder, Indented = options.WriteIndented }))
        {
            if (write is not null)
            {
                write(json, Value, options);
            }
            else
            {
                JsonSerializer.Serialize(json, Value, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)));
            }
        }

        await HttpCaching.WriteAsync(httpContext, body.Written, surrogateKeys, lastModified, policy ?? CachePolicy.Public);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status304NotModified, typeof(void)));
    }
}

/// <summary>
/// Like <see cref="CachedJson{T}"/> for a body that was serialized already (lists written field by
/// field); <typeparamref name="TSchema"/> documents its shape in OpenAPI.
/// </summary>
public sealed class CachedJsonBody<TSchema>(PooledBody body, IReadOnlyCollection<string> surrogateKeys, CachePolicy? policy = null)
    : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    /// <summary>Sends the body, then returns its buffer to the pool.</summary>
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        using (body)
        {
            await HttpCaching.WriteAsync(httpContext, body.Written, surrogateKeys, null, policy ?? CachePolicy.Public);
        }
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(TSchema), ["application/json"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status304NotModified, typeof(void)));
    }
}

/// <summary>
/// Who may keep a read: shared caches (public reads), or only the client (reads that depend on the
/// caller's key, such as an editor's view of drafts). <see cref="ETagPrefix"/> starts the ETag
/// (articles put their version there, which <c>If-Match</c> on writes relies on).
/// </summary>
public sealed record CachePolicy(bool Shared, string? ETagPrefix = null)
{
    public static readonly CachePolicy Public = new(true);

    /// <summary>Nothing may keep the answer, the client included (<c>private, no-store</c>): content not yet public.</summary>
    public bool NoStore { get; init; }
}

public static class HttpCaching
{
    /// <summary>
    /// HEAD is answered by the GET endpoint (same status and headers); the server sends no body for
    /// HEAD, and the cached writers skip it too.
    /// </summary>
    public static WebApplication UseHeadAsGet(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            if (HttpMethods.IsHead(context.Request.Method))
            {
                context.Request.Method = HttpMethods.Get;
                context.Items[HeadRequest] = true;
            }

            return next(context);
        });
        return app;
    }

    private const string HeadRequest = "news-api.head";

    public static bool IsHead(HttpContext context) => context.Items.ContainsKey(HeadRequest);

    /// <summary>
    /// Sends a serialized read: ETag (with the policy's prefix), Cache-Control (the policy's, unless
    /// <paramref name="cacheControl"/> says otherwise), Surrogate-Key, Last-Modified, 304 when the
    /// client's copy is current, no body for HEAD.
    /// </summary>
    public static async Task WriteAsync(
        HttpContext httpContext,
        ReadOnlyMemory<byte> body,
        IReadOnlyCollection<string> surrogateKeys,
        DateTime? lastModified,
        CachePolicy policy,
        string contentType = "application/json; charset=utf-8",
        string? cacheControl = null)
    {
        var etag = StrongETag(body.Span, policy.ETagPrefix);
        var response = httpContext.Response;
        var caching = httpContext.RequestServices.GetRequiredService<IOptions<CachingOptions>>().Value;

        response.Headers.ETag = etag;
        response.Headers.Append(HeaderNames.Vary, "Authorization");
        response.Headers.CacheControl = cacheControl ?? (policy.NoStore ? "private, no-store" : policy.Shared ? SharedCacheControl(caching) : "private, no-cache");
        if (surrogateKeys.Count > 0)
        {
            response.Headers["Surrogate-Key"] = string.Join(' ', surrogateKeys);
            if (httpContext.Features.Get<Microsoft.AspNetCore.OutputCaching.IOutputCacheFeature>() is not null)
            {
                // Only while the response cache handles the request (it is off in some deployments).
                httpContext.Features.Set(new SurrogateKeys(surrogateKeys));
            }
        }

        if (lastModified is { } modified)
        {
            response.Headers.LastModified = HeaderUtilities.FormatDate(TruncateToSeconds(modified));
        }

        if (IsNotModified(httpContext.Request, etag, lastModified))
        {
            // A 304 names the representation the client holds: the compressed one's tag, if that is what it sent.
            if (Compression.EncodedVariantIn(httpContext.Request, etag) is { } encoded)
            {
                response.Headers.ETag = encoded;
                response.Headers.Append(HeaderNames.Vary, HeaderNames.AcceptEncoding);
            }

            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        if (!IsHead(httpContext))
        {
            await response.Body.WriteAsync(body, httpContext.RequestAborted);
        }
    }

    private sealed record FormattedCacheControl(CachingOptions Options, string Value);

    private static FormattedCacheControl? _sharedCacheControl;

    /// <summary>The public Cache-Control value, formatted once per settings object rather than per response.</summary>
    private static string SharedCacheControl(CachingOptions caching)
    {
        if (Volatile.Read(ref _sharedCacheControl) is { } cached && ReferenceEquals(cached.Options, caching))
        {
            return cached.Value;
        }

        var value = string.Create(CultureInfo.InvariantCulture,
            $"public, max-age={caching.MaxAgeSeconds}, stale-while-revalidate={caching.StaleWhileRevalidateSeconds}");
        Volatile.Write(ref _sharedCacheControl, new FormattedCacheControl(caching, value));
        return value;
    }

    public static CachedJson<T> Cached<T>(
        T value,
        IReadOnlyCollection<string> surrogateKeys,
        DateTime? lastModified = null,
        CachePolicy? policy = null,
        Action<Utf8JsonWriter, T, JsonSerializerOptions>? write = null) =>
        new(value, surrogateKeys, lastModified, policy, write);

    /// <summary>
    /// A strong ETag: the 128-bit XXH3 hash of the exact bytes, base64url. A validator only has to
    /// change when the bytes do (nothing secret is derived from it), so a fast non-cryptographic hash
    /// of this width serves; it costs a small fraction of SHA-256 on a 20 KB list page.
    /// </summary>
    public static string StrongETag(ReadOnlySpan<byte> body, string? prefix = null)
    {
        Span<byte> hash = stackalloc byte[16];
        System.IO.Hashing.XxHash128.Hash(body, hash);
        Span<char> text = stackalloc char[24];
        Convert.TryToBase64Chars(hash, text, out var written);
        text = text[..written].TrimEnd('=');
        text.Replace('+', '-');
        text.Replace('/', '_');
        return string.Concat("\"", prefix, text, "\"");
    }

    /// <summary>
    /// RFC 9110 §13.1.2 (weak comparison for If-None-Match; a tag a compressed answer carried matches too)
    /// and §13.1.3 (If-Modified-Since only when no If-None-Match).
    /// </summary>
    public static bool IsNotModified(HttpRequest request, string etag, DateTime? lastModified)
    {
        var ifNoneMatch = request.Headers.IfNoneMatch;
        if (ifNoneMatch.Count > 0)
        {
            if (!EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags))
            {
                return false;
            }

            var current = new EntityTagHeaderValue(etag);
            return tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any)
                || tag.Compare(current, useStrongComparison: false)
                || Compression.IsEncodedVariant(tag.Tag, etag));
        }

        if (lastModified is { } modified
            && HeaderUtilities.TryParseDate(request.Headers.IfModifiedSince.ToString(), out var since))
        {
            return TruncateToSeconds(modified) <= since;
        }

        return false;
    }

    public static DateTimeOffset TruncateToSeconds(DateTime value)
    {
        var utc = DateTime.SpecifyKind(value, DateTimeKind.Utc);
        return new DateTimeOffset(utc.AddTicks(-(utc.Ticks % TimeSpan.TicksPerSecond)), TimeSpan.Zero);
    }
}

/// <summary>The cache tags of the answer being written (what its <c>Surrogate-Key</c> header says), for the response cache.</summary>
public sealed record SurrogateKeys(IReadOnlyCollection<string> Keys);
