using System.IO.Compression;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Api.Infrastructure;

/// <summary>
/// Brotli or gzip (fastest level) for the bodies of reads of at least <see cref="MinimumBytes"/>
/// bytes, when the client accepts it.
/// </summary>
/// <remarks>
/// <para>
/// Only GET answers are compressed. They carry no secret (an API key or a webhook secret is shown
/// once, in the answer to the POST or PATCH that made it), so compression over HTTPS gives a
/// BREACH-style attacker nothing to guess; answers to writes stay as they are.
/// </para>
/// <para>
/// A compressed body is a different representation from the identity one, so it must not share its
/// strong ETag (RFC 9110 §8.8.3): the encoding is appended inside the quotes (<c>"…-br"</c>,
/// <c>"…-gzip"</c>), and <c>If-None-Match</c> with any of these tags validates the current content.
/// <c>Vary: Accept-Encoding</c> tells caches the answer depends on the header. <c>If-Match</c> on
/// writes reads only the version at the tag's start, so a tag from a compressed GET works there too.
/// </para>
/// </remarks>
public static class Compression
{
    public const int MinimumBytes = 1024;

    public static readonly string[] MimeTypes =
    [
        "application/json",
        "application/problem+json",
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
        "application/xml",
        "image/svg+xml",
        "application/vnd.iptc.ninjs+json",
    ];

    /// <summary>The content codings offered, as they appear in <c>Content-Encoding</c> and in the ETag suffix.</summary>
    public static readonly string[] Encodings = ["br", "gzip"];

    public static WebApplicationBuilder AddResponseCompressionForReads(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<BrotliCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        builder.Services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        builder.Services.AddSingleton<IResponseCompressionProvider, ReadCompressionProvider>();
        builder.Services.AddResponseCompression(options =>
        {
            options.EnableForHttps = true;
            options.Providers.Add<BrotliCompressionProvider>();
            options.Providers.Add<GzipCompressionProvider>();
            options.MimeTypes = MimeTypes;
        });
        return builder;
    }

    public static WebApplication UseResponseCompressionForReads(this WebApplication app)
    {
        app.UseResponseCompression();
        return app;
    }

    /// <summary>The tag of <paramref name="etag"/>'s representation in <paramref name="coding"/>: the coding appended inside the quotes. The one place that rule is written.</summary>
    private static string EncodedTag(string etag, string coding) => string.Concat(etag.AsSpan(0, etag.Length - 1), "-", coding, "\"");

    /// <summary>Whether <paramref name="tag"/> (quoted) is <paramref name="etag"/> as a compressed answer carried it.</summary>
    public static bool IsEncodedVariant(StringSegment tag, string etag) =>
        etag.Length >= 2 && Encodings.Any(e => tag.Equals(EncodedTag(etag, e), StringComparison.Ordinal));

    /// <summary>The tag of a compressed answer for <paramref name="etag"/> among the request's <c>If-None-Match</c>, if any.</summary>
    public static string? EncodedVariantIn(HttpRequest request, string etag) =>
        Microsoft.Net.Http.Headers.EntityTagHeaderValue.TryParseList(request.Headers.IfNoneMatch, out var tags)
            ? tags.Where(t => !t.IsWeak && IsEncodedVariant(t.Tag, etag)).Select(t => t.Tag.Value).FirstOrDefault()
            : null;

    private sealed class ReadCompressionProvider(IServiceProvider services, IOptions<ResponseCompressionOptions> options)
        : ResponseCompressionProvider(services, options)
    {
        // A body of unknown length (streamed) may be large, so it is compressed; HEAD is answered
        // with the identity representation's length and no body.
        public override bool ShouldCompressResponse(HttpContext context) =>
            HttpMethods.IsGet(context.Request.Method)
            && !HttpCaching.IsHead(context)
            && context.Response.ContentLength is null or >= MinimumBytes
            && base.ShouldCompressResponse(context);

        public override ICompressionProvider? GetCompressionProvider(HttpContext context)
        {
            var provider = base.GetCompressionProvider(context);
            var etag = context.Response.Headers.ETag.ToString();
            if (provider is not null && etag.Length >= 2 && etag[0] == '"' && etag[^1] == '"')
            {
                context.Response.Headers.ETag = EncodedTag(etag, provider.EncodingName);
            }

            return provider;
        }
    }
}
