using Api.Categories;
using Api.Infrastructure;
using Api.Media;

namespace Api.Articles;

/// <summary>Articles as the API shows them: the one place rows become answers.</summary>
public static class ArticleMapping
{
    /// <summary>An article as the API shows it, from its row, its category path and its other language versions.</summary>
    public static ArticleDto ToDto(ArticleRow row, IReadOnlyList<PathStep> path, IEnumerable<TranslationRow> translations, SiteOptions site, MediaUrls media)
    {
        var category = path.Count > 0 ? path[^1] : new PathStep(row.CategoryId, "", "");
        var bodyMedia = BodyMedia(row, media);
        return new ArticleDto(
            row.Id,
            row.Slug,
            row.Title,
            row.Summary,
            BodyHtml(row, bodyMedia),
            row.BodyText,
            row.Language,
            row.Status,
            row.PublishedAt,
            row.CreatedAt,
            row.UpdatedAt,
            row.Version,
            row.CanonicalUrl ?? site.ArticleUrl(row.Id, row.Slug),
            row.Byline,
            row.Source,
            Image(row, media),
            new ArticleCategory(category.Id, category.Slug, category.Name, Breadcrumbs.From(site, path)),
            Tags(row),
            row.DeletedAt,
            row.PreviousSlugs,
            row.LegacyIds,
            Translations(row.Id, translations),
            bodyMedia,
            row.Authors is { } authors ? System.Text.Json.JsonSerializer.Deserialize(authors, AppJsonContext.Default.ArticleAuthorArray)! : [],
            row.Dateline,
            row.Kind,
            row.Corrections is { } corrections ? System.Text.Json.JsonSerializer.Deserialize(corrections, AppJsonContext.Default.CorrectionDtoArray)! : [],
            row.ContentModifiedAt is { } modified ? DateTime.SpecifyKind(modified, DateTimeKind.Utc) : null,
            row.Embargoed);
    }

    /// <summary>The lead image: a medium with its renditions, an external image, or none.</summary>
    public static ImageDto? Image(ArticleRow row, MediaUrls media)
    {
        if (row.ImageMedium is { } json)
        {
            return FromMedium(System.Text.Json.JsonSerializer.Deserialize(json, AppJsonContext.Default.LeadMedium)!, row.ImageAlt, media);
        }

        return row.ImageUrl is { } url ? new ImageDto(url, row.ImageAlt ?? "") : null;
    }

    /// <summary>The media of the body's images, in order (none when the body was not read).</summary>
    public static IReadOnlyList<ImageDto> BodyMedia(ArticleRow row, MediaUrls media) =>
        row.BodyMedia is { } json
            ? System.Text.Json.JsonSerializer.Deserialize(json, AppJsonContext.Default.LeadMediumArray)!.Select(m => FromMedium(m, null, media)).ToList()
            : [];

    /// <summary>The body as readers get it: images from the media library with their URLs, size and alt text.</summary>
    public static string BodyHtml(ArticleRow row, IReadOnlyList<ImageDto> bodyMedia) =>
        bodyMedia.Count == 0 ? row.BodyHtml : ArticleHtml.WithMedia(row.BodyHtml, bodyMedia.DistinctBy(m => m.MediumId).ToDictionary(m => m.MediumId!.Value));

    public static ImageDto FromMedium(LeadMedium medium, string? ownAlt, MediaUrls media)
    {
        var renditions = media.Renditions(medium.Id, medium.Token, medium.Width, medium.Height);
        return new ImageDto(
            renditions.Src,
            ownAlt is { Length: > 0 } own ? own : medium.Alt ?? "",
            medium.Id,
            medium.Width,
            medium.Height,
            medium.Caption,
            medium.Credit,
            medium.Copyright,
            medium.DominantColor,
            medium.Placeholder,
            renditions);
    }

    /// <summary>The article's tags in order.</summary>
    public static IReadOnlyList<TagDto> Tags(ArticleRow row) =>
        row.Tags is { Length: > 2 } json ? System.Text.Json.JsonSerializer.Deserialize(json, AppJsonContext.Default.TagDtoArray)! : [];

    private static IReadOnlyList<TranslationDto> Translations(long articleId, IEnumerable<TranslationRow> translations)
    {
        List<TranslationDto>? others = null;
        foreach (var translation in translations)
        {
            if (translation.Id != articleId)
            {
                (others ??= []).Add(new TranslationDto(translation.Id, translation.Slug, translation.Language));
            }
        }

        return others ?? (IReadOnlyList<TranslationDto>)[];
    }
}
