using System.Text.Json.Serialization;
using Api.Content;
using Api.Infrastructure;
using FluentValidation;

namespace Api.Articles;

/// <summary>An article as editors write it (create with POST, replace with PUT, or patch with a JSON merge patch).</summary>
/// <param name="Title">Headline, 1 to 500 characters.</param>
/// <param name="Slug">Lowercase ASCII slug; generated from the title when absent on create, kept when absent on replace. A changed slug keeps answering as a 301.</param>
/// <param name="Summary">Standfirst or lede, plain text, up to 2,000 characters.</param>
/// <param name="BodyHtml">Body HTML, up to 500,000 characters; sanitized on the way in (scripts, styles, event handlers and unsafe URLs are removed).</param>
/// <param name="Language">BCP 47 language tag (default <c>en</c>).</param>
/// <param name="CategoryId">The category by id (give this or <c>categorySlug</c>).</param>
/// <param name="CategorySlug">The category by slug (give this or <c>categoryId</c>).</param>
/// <param name="Tags">Tag names in editorial order, up to 50; new tags are created.</param>
/// <param name="Status"><c>draft</c> (default), <c>published</c>, <c>scheduled</c> (needs a future <c>publishedAt</c>) or <c>archived</c>. A published article with a future <c>publishedAt</c> is scheduled.</param>
/// <param name="PublishedAt">Publication time (RFC 3339); defaults to now when publishing.</param>
/// <param name="Byline">Author credit, up to 200 characters.</param>
/// <param name="Source">Originating organisation or agency, up to 200 characters.</param>
/// <param name="Image">Lead image.</param>
/// <param name="TranslationOf">Id of an article this one translates; both then list each other in <c>translations</c>.</param>
/// <param name="AuthorIds">The article's authors in byline order, by id (up to 20); <c>byline</c> stays free text for agency copy.</param>
/// <param name="Dateline">Where the story was filed from ("BEIJING"), up to 100 characters.</param>
/// <param name="Kind">What kind of piece it is: news (the default), opinion, analysis, feature, interview or press-release.</param>
/// <param name="Embargoed">Give a scheduled article to partner keys before its time: they see it at once (change feed, ninjs with <c>embargoed</c>, reads with their key) and must not publish it before <c>publishedAt</c>, when the public sees it with no further write. Needs status <c>published</c> or <c>scheduled</c> and a <c>publishedAt</c> in the future; false (the default) keeps a scheduled article from everyone but editors.</param>
public sealed record ArticleWriteRequest(
    string? Title,
    string? Slug = null,
    string? Summary = null,
    string? BodyHtml = null,
    string? Language = null,
    long? CategoryId = null,
    string? CategorySlug = null,
    string[]? Tags = null,
    string? Status = null,
    DateTimeOffset? PublishedAt = null,
    string? Byline = null,
    string? Source = null,
    ImageRequest? Image = null,
    long? TranslationOf = null,
    IReadOnlyList<long>? AuthorIds = null,
    string? Dateline = null,
    string? Kind = null,
    bool? Embargoed = null);

/// <summary>A lead image: a medium of the media library, or an image at an external URL.</summary>
/// <param name="Url">An external image: absolute http(s) URL, up to 2,000 characters. Give this or <c>mediumId</c>.</param>
/// <param name="Alt">Alternative text, up to 500 characters. For an external image, empty marks it decorative; for a medium, it replaces the medium's own alt text in this article (absent or empty: the medium's).</param>
/// <param name="MediumId">A medium of the media library (<c>POST /v1/media</c>). A published article's lead medium needs alt text, its own or this article's (422 otherwise).</param>
public sealed record ImageRequest(string? Url = null, string? Alt = null, long? MediumId = null);

/// <summary>A dated public note on a published article.</summary>
/// <param name="Kind"><c>correction</c> (something was wrong) or <c>update</c> (something changed since).</param>
/// <param name="Text">What readers are told, plain text, 1 to 2,000 characters ("An earlier version misstated the date of the talks.").</param>
public sealed record CorrectionRequest(string? Kind, string? Text);

public sealed class CorrectionRequestValidator : AbstractValidator<CorrectionRequest>
{
    public CorrectionRequestValidator()
    {
        RuleFor(r => r.Kind).NotNull().WithMessage("'kind' is required.").OneOf(["correction", "update"]);
        RuleFor(r => r.Text).Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("'text' is required.")
            .Must(t => t!.Trim().Length > 0).WithMessage("'text' must not be blank.")
            .MaximumLength(2000)
            .Must(t => !t!.Any(c => char.IsControl(c) && c != '\n')).WithMessage("'text' must not contain control characters other than line breaks.");
    }
}

/// <summary>The kinds of piece an article can be.</summary>
public static class ArticleKinds
{
    public const string News = "news";

    /// <summary>A site's static page ("About us"): listed only when asked for by kind.</summary>
    public const string Page = "page";

    public static readonly string[] All = [News, "opinion", "analysis", "feature", "interview", "press-release", Page];

    /// <summary>The kinds a list shows when it names none: all but pages.</summary>
    public static readonly string[] Listed = [.. All.Where(k => k != Page)];
}

public static class ArticleStatuses
{
    public const string Draft = "draft";
    public const string Published = "published";
    public const string Scheduled = "scheduled";
    public const string Archived = "archived";

    public static readonly string[] Writable = [Draft, Published, Scheduled, Archived];
}

public sealed class ArticleWriteRequestValidator : AbstractValidator<ArticleWriteRequest>
{
    public const int MaxBodyLength = 500_000;

    /// <summary>Tags an article may have: enough for the archives of the systems newsrooms move from (WordPress sets no limit; its test data has a post with 45).</summary>
    public const int MaxTags = 50;
    private static readonly DateTimeOffset Earliest = new(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public ArticleWriteRequestValidator(TimeProvider clock)
    {
        RuleFor(r => r.Title).Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("'title' is required.")
            .Must(t => t!.Trim().Length > 0).WithMessage("'title' must not be blank.")
            .MaximumLength(500)
            .Must(QueryValues.HasNoControlCharacters).WithMessage("'title' must not contain control characters.");

        RuleFor(r => r.Slug).Cascade(CascadeMode.Stop)
            .MaximumLength(Slugs.MaxArticleLength)
            .Must(Slugs.IsValid).WithMessage(Slugs.FormatMessage)
            .When(r => r.Slug is not null);

        RuleFor(r => r.Summary).MaximumLength(2000);
        RuleFor(r => r.BodyHtml).MaximumLength(MaxBodyLength);

        RuleFor(r => r.Language)
            .Must(Languages.IsValid).WithMessage("'language' must be a BCP 47 language tag such as 'en' or 'zh-Hans'.")
            .When(r => r.Language is not null);

        RuleFor(r => r)
            .Must(r => r.CategoryId is not null ^ r.CategorySlug is not null)
            .OverridePropertyName("categoryId")
            .WithMessage("Give the category as exactly one of 'categoryId' or 'categorySlug'.");
        RuleFor(r => r.CategoryId).GreaterThan(0).When(r => r.CategoryId is not null);
        RuleFor(r => r.CategorySlug)
            .Must(s => s!.Length <= Slugs.MaxCategoryLength && Slugs.IsValid(s)).WithMessage(Slugs.FormatMessage)
            .When(r => r.CategorySlug is not null);

        RuleFor(r => r.Tags).Cascade(CascadeMode.Stop)
            .Must(t => t!.Length <= MaxTags).WithMessage($"'tags' may list at most {MaxTags} tags.")
            .Must(t => t!.All(tag => !string.IsNullOrWhiteSpace(tag) && tag.Trim().Length <= 100 && QueryValues.HasNoControlCharacters(tag)))
            .WithMessage("Each tag must be 1 to 100 characters without control characters.")
            .Must(t => t!.All(tag => Slugs.FromText(tag, Slugs.MaxCategoryLength) is not null))
            .WithMessage("Each tag must contain letters or digits.")
            .When(r => r.Tags is not null);

        RuleFor(r => r.Status)
            .Must(s => ArticleStatuses.Writable.Contains(s))
            .WithMessage($"'status' must be one of: {string.Join(", ", ArticleStatuses.Writable)}.")
            .When(r => r.Status is not null);

        RuleFor(r => r.PublishedAt)
            .Must(p => p >= Earliest && p <= clock.GetUtcNow().AddYears(5))
            .WithMessage("'publishedAt' must be between 1900 and five years from now.")
            .When(r => r.PublishedAt is not null);

        RuleFor(r => r.PublishedAt)
            .Must(p => p > clock.GetUtcNow())
            .WithMessage("'status' scheduled needs a 'publishedAt' in the future.")
            .When(r => r.Status == ArticleStatuses.Scheduled);

        RuleFor(r => r.Embargoed)
            .Must((r, _) => r.PublishedAt is { } at && at > clock.GetUtcNow())
            .WithMessage("An embargo needs a 'publishedAt' in the future: the moment it lifts and the public sees the article.")
            .When(r => r.Embargoed == true);
        RuleFor(r => r.Embargoed)
            .Must((r, _) => r.Status is null or ArticleStatuses.Published or ArticleStatuses.Scheduled)
            .WithMessage("Only a published or scheduled article can be under embargo.")
            .When(r => r.Embargoed == true);

        RuleFor(r => r.Byline).MaximumLength(200).Must(QueryValues.HasNoControlCharacters).WithMessage("'byline' must not contain control characters.");
        RuleFor(r => r.Source).MaximumLength(200).Must(QueryValues.HasNoControlCharacters).WithMessage("'source' must not contain control characters.");

        RuleFor(r => r.Image!.MediumId).GreaterThan(0).OverridePropertyName("image.mediumId").When(r => r.Image?.MediumId is not null);
        RuleFor(r => r.Image!.Url).Null().WithMessage("Give the image as 'image.url' or 'image.mediumId', not both.")
            .OverridePropertyName("image.url").When(r => r.Image?.MediumId is not null);
        RuleFor(r => r.Image!.Url).Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("'image.url' or 'image.mediumId' is required with an image.")
            .MaximumLength(2000)
            .Must(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
            .WithMessage("'image.url' must be an absolute http or https URL.")
            .OverridePropertyName("image.url")
            .When(r => r.Image is not null && r.Image.MediumId is null);
        RuleFor(r => r.Image!.Alt).MaximumLength(500).OverridePropertyName("image.alt").When(r => r.Image is not null);

        RuleFor(r => r.TranslationOf).GreaterThan(0).When(r => r.TranslationOf is not null);
        RuleFor(r => r.Dateline).MaximumLength(100).Must(QueryValues.HasNoControlCharacters).WithMessage("'dateline' must not contain control characters.");
        RuleFor(r => r.Kind).OneOf(ArticleKinds.All);
        RuleFor(r => r.AuthorIds).Cascade(CascadeMode.Stop)
            .Must(a => a!.Count <= 20).WithMessage("At most 20 authors.")
            .Must(a => a!.All(id => id > 0)).WithMessage("Author ids are positive integers.")
            .Must(a => a!.Distinct().Count() == a!.Count).WithMessage("An author is named once.")
            .When(r => r.AuthorIds is not null);
    }
}
