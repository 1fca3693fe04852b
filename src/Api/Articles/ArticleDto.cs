using Api.Categories;
using Api.Infrastructure;

namespace Api.Articles;

/// <summary>An article as readers and partners see it.</summary>
/// <param name="Id">Numeric id; stable for the life of the article.</param>
/// <param name="Slug">Current slug (lowercase ASCII). Earlier slugs are in <c>previousSlugs</c> and redirect here.</param>
/// <param name="Title">Headline.</param>
/// <param name="Summary">Standfirst or lede, plain text.</param>
/// <param name="BodyHtml">Body as sanitized HTML.</param>
/// <param name="BodyText">Body as plain text, paragraphs separated by blank lines. Editors' reads carry it; other reads only when <c>fields</c> names it.</param>
/// <param name="Language">BCP 47 language tag.</param>
/// <param name="Status">draft, scheduled, published or archived. Sent to editor keys only.</param>
/// <param name="PublishedAt">Publication time (RFC 3339, UTC); null for drafts never published.</param>
/// <param name="CreatedAt">When the article was created. Sent to editor keys only.</param>
/// <param name="UpdatedAt">When the article last changed.</param>
/// <param name="Version">Incremented by every change; the basis of optimistic concurrency (<c>If-Match</c>). Sent to editor keys only.</param>
/// <param name="CanonicalUrl">The article's page on the public site.</param>
/// <param name="Byline">Author credit, if any.</param>
/// <param name="Source">Originating organisation or agency, if any.</param>
/// <param name="Image">Lead image, if any.</param>
/// <param name="Category">The category the article is filed in, with its breadcrumb.</param>
/// <param name="Tags">Tags in editorial order.</param>
/// <param name="DeletedAt">When the article was deleted. Sent to editor keys only.</param>
/// <param name="PreviousSlugs">Earlier slugs, oldest first; each answers 301 to this article. Editors' reads carry them; other reads only when <c>fields</c> names them.</param>
/// <param name="LegacyIds">Identifiers from earlier systems (e.g. <c>t1453741</c>); each answers 301 to this article. Editors' reads carry them; other reads only when <c>fields</c> names them.</param>
/// <param name="Translations">The other published language versions of this article.</param>
/// <param name="Authors">The authors in byline order (<c>GET /v1/authors/{slug}</c>); <c>byline</c> keeps free-text credits such as an agency's.</param>
/// <param name="Dateline">Where the story was filed from ("BEIJING"), if given.</param>
/// <param name="Kind">What kind of piece it is: news, opinion, analysis, feature, interview or press-release.</param>
/// <param name="Corrections">Corrections and updates, oldest first; each is dated and public.</param>
/// <param name="ContentModifiedAt">When what readers see last changed after publication (an edit of the title, summary or body, or a correction or update): the "updated" a front end shows. <c>updatedAt</c> moves with every write.</param>
/// <param name="Embargoed">True while the article is under embargo: scheduled, and already given to partner keys (change feed, ninjs, reads with their key), which must not publish it before <c>publishedAt</c>. The public sees it only from then. Always false in public reads.</param>
/// <param name="Media">The media-library images of the body, in order (each <c>&lt;img data-medium-id&gt;</c> of <c>bodyHtml</c>, which the server gives its <c>src</c>, <c>srcset</c>, size and alt text); lists leave them out unless asked for with <c>fields=media</c>.</param>
public sealed record ArticleDto(
    long Id,
    string Slug,
    string Title,
    string Summary,
    string BodyHtml,
    [property: NotAlwaysSent] string BodyText,
    string Language,
    [property: NotAlwaysSent] string Status,
    DateTime? PublishedAt,
    [property: NotAlwaysSent] DateTime CreatedAt,
    DateTime UpdatedAt,
    [property: NotAlwaysSent] int Version,
    string CanonicalUrl,
    string? Byline,
    string? Source,
    ImageDto? Image,
    ArticleCategory Category,
    IReadOnlyList<TagDto> Tags,
    [property: NotAlwaysSent] DateTime? DeletedAt,
    [property: NotAlwaysSent] IReadOnlyList<string> PreviousSlugs,
    [property: NotAlwaysSent] IReadOnlyList<string> LegacyIds,
    IReadOnlyList<TranslationDto> Translations,
    IReadOnlyList<ImageDto> Media,
    IReadOnlyList<Api.Authors.ArticleAuthor> Authors,
    string? Dateline,
    string Kind,
    IReadOnlyList<CorrectionDto> Corrections,
    DateTime? ContentModifiedAt,
    bool Embargoed)
{
    /// <summary>
    /// The article's schema.org structured data, as <c>GET /v1/articles/{idOrSlug}/jsonld</c> answers it,
    /// when the read asked for it with <c>include=jsonld</c>; absent otherwise.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public System.Text.Json.Nodes.JsonObject? JsonLd { get; init; }
}

/// <summary>A dated public note on an article.</summary>
/// <param name="Id">The note's id.</param>
/// <param name="Kind"><c>correction</c> or <c>update</c>.</param>
/// <param name="Text">What readers are told, plain text.</param>
/// <param name="CreatedAt">When it was added.</param>
public sealed record CorrectionDto(long Id, string Kind, string Text, DateTime CreatedAt);

/// <summary>Another language version of an article.</summary>
/// <param name="Id">The translation's id.</param>
/// <param name="Slug">The translation's slug.</param>
/// <param name="Language">BCP 47 language tag.</param>
public sealed record TranslationDto(long Id, string Slug, string Language);

/// <summary>
/// A lead image. One from the media library carries its size, caption, credit, colours and ready-made
/// renditions (<c>renditions.srcset</c> for <c>&lt;img srcset&gt;</c>); one at an external URL has only
/// <c>url</c> and <c>alt</c>, the other members null.
/// </summary>
/// <param name="Url">URL of the image: for a medium, a JPEG rendition about 1,024 pixels wide (absolute when <c>Media:PublicBaseUrl</c> is set).</param>
/// <param name="Alt">Alternative text; empty when the image is decorative.</param>
/// <param name="MediumId">The medium in the media library; null for an external image.</param>
/// <param name="Width">Width of the medium in pixels.</param>
/// <param name="Height">Height of the medium in pixels.</param>
/// <param name="Caption">Caption of the medium.</param>
/// <param name="Credit">Credit of the medium.</param>
/// <param name="Copyright">Copyright notice of the medium.</param>
/// <param name="DominantColor">The medium's dominant colour (<c>#rrggbb</c>), for a background while it loads.</param>
/// <param name="Placeholder">A tiny blurred version of the medium (a WebP <c>data:</c> URI) to show while it loads.</param>
/// <param name="Renditions">The medium's rendition URLs.</param>
public sealed record ImageDto(
    string Url,
    string Alt,
    long? MediumId = null,
    int? Width = null,
    int? Height = null,
    string? Caption = null,
    string? Credit = null,
    string? Copyright = null,
    string? DominantColor = null,
    string? Placeholder = null,
    Api.Media.ImageRenditions? Renditions = null);

/// <summary>What an article's lead medium shows of itself (read with the article, as JSON).</summary>
public sealed record LeadMedium(
    long Id, string Token, int Width, int Height, string? Alt, string? Caption, string? Credit, string? Copyright, string DominantColor, string Placeholder);

/// <summary>A tag.</summary>
/// <param name="Slug">Lowercase ASCII slug.</param>
/// <param name="Name">Display name.</param>
public sealed record TagDto(string Slug, string Name);

/// <summary>The category of an article.</summary>
/// <param name="Id">Numeric id.</param>
/// <param name="Slug">Lowercase ASCII slug.</param>
/// <param name="Name">Display name.</param>
/// <param name="Breadcrumb">Home, then each ancestor from the top, then this category.</param>
public sealed record ArticleCategory(long Id, string Slug, string Name, IReadOnlyList<BreadcrumbItem> Breadcrumb);
