using System.Globalization;
using System.Text.Json;
using Api.Articles;
using Microsoft.Net.Http.Headers;

namespace Api.Syndication;

/// <summary>
/// IPTC ninjs 2.2 renditions of articles: the body of <c>GET /v1/articles/{idOrSlug}/ninjs</c>, and
/// what <c>GET /v1/articles/{idOrSlug}</c> can answer to clients that ask for
/// <c>application/vnd.iptc.ninjs+json</c> (<see cref="IsRequested"/>, <see cref="For"/>).
/// </summary>
public static class NinjsResults
{
    public const string ContentType = "application/vnd.iptc.ninjs+json";
    public const string SchemaUri = "http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json";

    /// <summary>
    /// The ninjs rendition of an article view, for <c>GET /v1/articles/{idOrSlug}</c> when
    /// <see cref="IsRequested"/>: same validators as the JSON (ETag with the version, Last-Modified,
    /// cache policy of the audience) and <c>Vary: Accept, Authorization</c>.
    /// </summary>
    public static NinjsResult For(ArticleView view, ArticleStore.Audience audience = ArticleStore.Audience.Public) =>
        new(view, audience, "Accept, Authorization");

    /// <summary>
    /// True when the <c>Accept</c> header names <c>application/vnd.iptc.ninjs+json</c> with a quality
    /// above zero and not below that of <c>application/json</c> (when both are equal, the one listed
    /// first wins). Wildcards alone never select ninjs.
    /// </summary>
    public static bool IsRequested(HttpRequest request)
    {
        // Most requests do not mention ninjs at all; only those that do need their Accept parsed.
        if (!MentionsNinjs(request.Headers.Accept)
            || !MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted))
        {
            return false;
        }

        int? ninjsAt = null, jsonAt = null;
        double ninjs = 0, json = 0;
        for (var i = 0; i < accepted.Count; i++)
        {
            var type = accepted[i];
            var quality = type.Quality ?? 1;
            if (type.MediaType.Equals(ContentType, StringComparison.OrdinalIgnoreCase) && (ninjsAt is null || quality > ninjs))
            {
                (ninjs, ninjsAt) = (quality, ninjsAt ?? i);
            }
            else if (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) && (jsonAt is null || quality > json))
            {
                (json, jsonAt) = (quality, jsonAt ?? i);
            }
        }

        return ninjsAt is { } n && ninjs > 0 && (jsonAt is not { } j || ninjs > json || (ninjs == json && n < j));
    }

    /// <summary>Whether any <c>Accept</c> value mentions ninjs at all (case-insensitively).</summary>
    private static bool MentionsNinjs(Microsoft.Extensions.Primitives.StringValues accept)
    {
        foreach (var value in accept)
        {
            if (value?.Contains("ninjs", StringComparison.OrdinalIgnoreCase) == true)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The ninjs item of an article.</summary>
    public static NinjsItem Item(ArticleDto article, SyndicationUrls urls)
    {
        var (pubstatus, embargoed) = article switch
        {
            { DeletedAt: not null } or { Status: "archived" } => ("canceled", (DateTime?)null),
            // Given to partners under embargo: usable, but not before the embargo lifts.
            { Status: "scheduled", Embargoed: true } => ("usable", article.PublishedAt),
            { Status: "scheduled" } => ("withheld", article.PublishedAt),
            { Status: "draft" } => ("withheld", null),
            _ => ("usable", null),
        };

        var categories = article.Category.Breadcrumb.Where(step => step.Id is not null && step.Slug is not null).ToList();
        var subjects = categories
            .Select((step, i) => new NinjsSubject(
                step.Name,
                i == categories.Count - 1 ? "category" : "broader-category",
                urls.CategoryUrl(step.Id!.Value, step.Slug!),
                step.Slug!,
                "editor",
                i == categories.Count - 1 ? 100 : null))
            .Concat(article.Tags.Select(tag => new NinjsSubject(tag.Name, "tag", null, tag.Slug, "editor", null)))
            .ToList();

        var associations = new List<NinjsAssociation>();
        // ninjs wants absolute URLs: media URLs are relative until Media:PublicBaseUrl is set.
        if (article.Image is { } image && SyndicationUrls.Absolute(image.Url) is not null)
        {
            associations.Add(new NinjsAssociation(
                "featureimage",
                image.Url,
                "picture",
                "partial",
                null,
                image.Alt.Length > 0 ? [new NinjsText("alternative", "text/plain", image.Alt)] : null,
                image.Renditions is { } renditions
                    ? [new NinjsRendition("src", renditions.Src, "image/jpeg"),
                       .. renditions.Srcset.Select(r => new NinjsRendition($"w{r.Width}", r.Url, "image/webp", r.Width, r.Height))]
                    : [new NinjsRendition("original", image.Url, null)],
                null));
        }

        foreach (var translation in article.Translations)
        {
            var page = urls.Site.ArticleUrl(translation.Id, translation.Slug);
            associations.Add(new NinjsAssociation(
                "translation",
                page,
                "text",
                "partial",
                translation.Language,
                null,
                [new NinjsRendition("web", page, "text/html")],
                [new NinjsAltId("id", translation.Id.ToString(CultureInfo.InvariantCulture)), new NinjsAltId("slug", translation.Slug)]));
        }

        return new NinjsItem(
            urls.ArticleTag(article.Id, article.CreatedAt),
            new NinjsStandard("ninjs", "2.2", SchemaUri),
            "text",
            "full",
            article.Version.ToString(CultureInfo.InvariantCulture),
            article.CreatedAt,
            article.UpdatedAt,
            embargoed,
            pubstatus,
            article.Language,
            [new NinjsText("main", "text/plain", article.Title)],
            article.Summary.Length > 0 ? [new NinjsText("summary", "text/plain", article.Summary)] : null,
            [new NinjsText("main", "text/html", article.BodyHtml), new NinjsText("main", "text/plain", article.BodyText)],
            !string.IsNullOrWhiteSpace(article.Byline) ? article.Byline
                : article.Authors.Count > 0 ? string.Join(", ", article.Authors.Select(a => a.Name))
                : null,
            article.Authors.Count > 0 ? article.Authors.Select(a => new NinjsPerson(a.Name, "author", urls.AuthorUrl(a.Id, a.Slug))).ToList() : null,
            subjects,
            string.IsNullOrWhiteSpace(article.Source) ? null : [new NinjsInfosource(article.Source)],
            [new NinjsRendition("web", article.CanonicalUrl, "text/html")],
            associations.Count > 0 ? associations : null,
            [
                new NinjsAltId("id", article.Id.ToString(CultureInfo.InvariantCulture)),
                new NinjsAltId("slug", article.Slug),
                .. article.LegacyIds.Select(id => new NinjsAltId("legacy", id)),
            ]);
    }

    public static byte[] Serialize(NinjsItem item) =>
        JsonSerializer.SerializeToUtf8Bytes(item, SyndicationJsonContext.Default.NinjsItem);
}

/// <summary>An article as ninjs, with the caching of every read.</summary>
public sealed class NinjsResult(ArticleView view, ArticleStore.Audience audience, string? vary) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => NinjsResults.ContentType;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var urls = httpContext.RequestServices.GetRequiredService<SyndicationUrls>();
        var body = NinjsResults.Serialize(NinjsResults.Item(view.Article, urls));
        return new SyndicationResponse(body, NinjsResults.ContentType, view.SurrogateKeys, view.Article.UpdatedAt, view.CachePolicy(audience), vary)
            .ExecuteAsync(httpContext);
    }
}
