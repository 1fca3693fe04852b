using System.ComponentModel;
using System.Drawing;
using System.Globalization;
using System.Text;
using Api.Articles;
using Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using QRCoder;

namespace Api.Shares;

/// <summary>Query parameters of <c>GET /v1/articles/{idOrSlug}/share/qr.svg</c> and <c>…/qr.png</c>.</summary>
public sealed record QrCodeRequest
{
    /// <summary>Width and height of the image in pixels, 64 to 1024 (default 256).</summary>
    [FromQuery(Name = "size"), DefaultValue(DefaultSize)]
    public int? Size { get; init; }

    internal int Pixels => Size ?? DefaultSize;

    public const int MinSize = 64;
    public const int MaxSize = 1024;
    public const int DefaultSize = 256;
}

public sealed class QrCodeRequestValidator : AbstractValidator<QrCodeRequest>
{
    public QrCodeRequestValidator()
    {
        RuleFor(r => r.Size).InclusiveBetween(QrCodeRequest.MinSize, QrCodeRequest.MaxSize);
    }
}

/// <summary>
/// QR codes of an article's share link (its canonical URL tagged <c>utm_source=wechat</c>,
/// <c>utm_medium=social</c>), for WeChat and print, where a link cannot be tapped.
/// </summary>
public static class QrCodes
{
    public const string SvgContentType = "image/svg+xml";
    public const string PngContentType = "image/png";

    /// <summary>The image only changes when the article's URL does (its slug), so caches may keep it a day.</summary>
    public const string CacheControl = "public, max-age=86400";

    public const string UtmSource = "wechat";
    public const string UtmMedium = "social";

    /// <summary>Binds the <c>Share</c> settings unless another part of the app has bound them already.</summary>
    public static WebApplicationBuilder AddQrCodes(this WebApplicationBuilder builder)
    {
        if (!builder.Services.Any(d => d.ServiceType == typeof(IConfigureOptions<ShareOptions>)))
        {
            builder.Services.AddOptions<ShareOptions>().Bind(builder.Configuration.GetSection("Share"));
        }

        return builder;
    }

    public static void MapQrCodes(this IEndpointRouteBuilder app)
    {
        var articles = app.ArticlesGroup();
        Map(articles, "svg", SvgContentType)
            .WithName("GetArticleQrSvg")
            .WithSummary("QR code of an article's share link, as SVG");
        Map(articles, "png", PngContentType)
            .WithName("GetArticleQrPng")
            .WithSummary("QR code of an article's share link, as PNG");
    }

    private static RouteHandlerBuilder Map(RouteGroupBuilder articles, string format, string contentType) =>
        articles.MapGet($"/{{idOrSlug}}/share/qr.{format}", (
                [AsParameters] ArticleRoute route,
                [AsParameters] QrCodeRequest request,
                HttpContext http,
                ArticleViews views,
                IOptions<ShareOptions> options,
                CancellationToken cancellationToken) =>
                GetQrCode(format, route, request, http, views, options.Value, cancellationToken))
            .WithTags("Share")
            .CacheRead(articleScoped: true)
            .WithDescription(Description(format))
            .WithStrictQuery()
            .WithValidation()
            // Stream is documented as a binary string; without a type the 200 would list no content.
            .Produces(StatusCodes.Status200OK, typeof(Stream), contentType)
            .Produces(StatusCodes.Status301MovedPermanently)
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static string Description(string format) =>
        $$"""
        Encodes the article's canonical URL tagged with `utm_source={{UtmSource}}`, `utm_medium={{UtmMedium}}` and the
        configured `utm_campaign`, with error correction level M and the 4-module quiet zone.
        {{(format == "svg" ? SvgSizing : PngSizing)}}
        The image changes only with the article's URL, so it may be cached for a day; `Surrogate-Key`
        is `article-{id}`. A previous slug or a legacy id answers 301 to the current URL (query kept).
        """;

    private const string SvgSizing = "The SVG's `width` and `height` are exactly `size`.";

    private const string PngSizing =
        "The PNG is a whole number of pixels per module: `size` divided by the number of modules (quiet zone "
        + "included), rounded down, so the image is at most `size` and smaller by fewer pixels than there are "
        + "modules; when `size` is below the number of modules, a module is one pixel and the image is a little "
        + "larger than `size`.";

    private static async Task<Results<QrCodeImage, RedirectHttpResult, ProblemHttpResult>> GetQrCode(
        string format,
        ArticleRoute route,
        QrCodeRequest request,
        HttpContext http,
        ArticleViews views,
        ShareOptions options,
        CancellationToken cancellationToken)
    {
        var (row, redirectTo) = await views.FindAsync(route, ArticleStore.Audience.Public, cancellationToken);
        if (row is null)
        {
            return redirectTo is not null ? ArticleRoute.MovedTo(redirectTo, http) : ArticleRoute.NotFound(route.IdOrSlug);
        }

        var view = await views.RenderAsync(row, ArticleStore.Audience.Public, cancellationToken);
        var text = ShareUrls.Tagged(view.Article.CanonicalUrl, UtmSource, UtmMedium, options.UtmCampaign);
        var size = request.Pixels;
        var surrogateKey = string.Create(CultureInfo.InvariantCulture, $"article-{row.Id}");
        return format == "svg"
            ? new QrCodeImage(Encoding.UTF8.GetBytes(Svg(text, size)), SvgContentType, surrogateKey)
            : new QrCodeImage(Png(text, size), PngContentType, surrogateKey);
    }

    /// <summary>The QR code of <paramref name="text"/> (error correction M, quiet zone included).</summary>
    public static QRCodeData Encode(string text) => QRCodeGenerator.GenerateQrCode(text, QRCodeGenerator.ECCLevel.M);

    /// <summary>
    /// Pixels per module for an image of about <paramref name="size"/> pixels: the largest whole number
    /// that fits (rounded down, so the image is at most <paramref name="size"/> and more than
    /// <c>size - modules</c>), and at least 1.
    /// </summary>
    public static int PixelsPerModule(int size, int modules) => Math.Max(1, size / modules);

    /// <summary>A 1-bit PNG, quiet zone included, of <see cref="PixelsPerModule"/> pixels per module.</summary>
    public static byte[] Png(string text, int size)
    {
        using var data = Encode(text);
        using var png = new PngByteQRCode(data);
        return png.GetGraphic(PixelsPerModule(size, data.ModuleMatrix.Count), drawQuietZones: true);
    }

    /// <summary>An SVG exactly <paramref name="size"/> pixels wide and high, quiet zone included.</summary>
    public static string Svg(string text, int size)
    {
        using var data = Encode(text);
        using var svg = new SvgQRCode(data);
        return svg.GetGraphic(new Size(size, size), "#000000", "#ffffff", drawQuietZones: true, SvgQRCode.SizingMode.WidthHeightAttribute);
    }
}

/// <summary>
/// A QR code image with a strong <c>ETag</c> (hash of its bytes), answered with 304 when
/// <c>If-None-Match</c> matches; HEAD gets the headers only.
/// </summary>
public sealed class QrCodeImage(byte[] body, string contentType, string surrogateKey) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => contentType;

    public Task ExecuteAsync(HttpContext httpContext) =>
        HttpCaching.WriteAsync(httpContext, body, [surrogateKey], null, CachePolicy.Public, contentType, QrCodes.CacheControl);
}
