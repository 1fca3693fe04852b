using Api.Categories;
using Api.Content;
using Api.Infrastructure;
using System.ComponentModel;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;

namespace Api.Articles;

/// <summary>Query parameters shared by every article list.</summary>
public sealed record ArticleListRequest
{
    /// <summary>Full-text search: words (English stemming), "quoted phrases", -excluded words, OR. Text in scripts without spaces (e.g. Chinese) is matched as a substring.</summary>
    [FromQuery(Name = "q")]
    public string? Q { get; init; }

    /// <summary>One or more tag slugs, comma-separated; an article with any of them matches. A slug a tag had before it was renamed or merged names that tag.</summary>
    [FromQuery(Name = "tag")]
    public string? Tag { get; init; }

    /// <summary>BCP 47 language tag, e.g. <c>en</c> or <c>zh-Hans</c>.</summary>
    [FromQuery(Name = "language")]
    public string? Language { get; init; }

    /// <summary>Only articles published at or after this time (RFC 3339, or a date for midnight UTC).</summary>
    [FromQuery(Name = "publishedAfter")]
    public Timestamp? PublishedAfter { get; init; }

    /// <summary>Only articles published before this time (RFC 3339, or a date for midnight UTC).</summary>
    [FromQuery(Name = "publishedBefore")]
    public Timestamp? PublishedBefore { get; init; }

    /// <summary>Up to 100 article ids, comma-separated.</summary>
    [FromQuery(Name = "ids")]
    public string? Ids { get; init; }

    /// <summary>Order: <c>-publishedAt</c> (default), <c>publishedAt</c>, <c>-updatedAt</c>, <c>title</c>, or <c>relevance</c> (with <c>q</c>; the default then). Ties are broken by id.</summary>
    [FromQuery(Name = "sort")]
    public string? Sort { get; init; }

    /// <summary>Opaque cursor from a previous page's <c>nextCursor</c>; valid only with the same filters and sort.</summary>
    [FromQuery(Name = "cursor")]
    public string? Cursor { get; init; }

    /// <summary>Items per page, 1 to 100 (default 20).</summary>
    [FromQuery(Name = "limit"), DefaultValue(DefaultLimit)]
    public int? Limit { get; init; }

    internal int PageSize => Limit ?? DefaultLimit;

    /// <summary>When <c>true</c>, the response includes <c>total</c>, the number of matching articles.</summary>
    [FromQuery(Name = "count"), DefaultValue(false)]
    public bool? Count { get; init; }

    internal bool WithTotal => Count ?? false;

    /// <summary>Editors only (a key with content:write): one or more of <c>draft</c>, <c>scheduled</c>, <c>published</c>, <c>archived</c>, <c>deleted</c>, comma-separated, to list articles in those states. Undated drafts sort as the newest.</summary>
    [FromQuery(Name = "status")]
    public string? Status { get; init; }

    /// <summary>One or more kinds, comma-separated (news, opinion, analysis, feature, interview, press-release); an article of any of them matches.</summary>
    [FromQuery(Name = "kind")]
    public string? Kind { get; init; }

    /// <summary>One or more author slugs, comma-separated; an article by any of them matches.</summary>
    [FromQuery(Name = "author")]
    public string? Author { get; init; }

    /// <summary>
    /// Comma-separated article fields to return (<c>id</c> always comes back). Lists leave the body out
    /// unless asked for it with <c>bodyHtml</c> or <c>bodyText</c>. <c>status</c>, <c>version</c>,
    /// <c>createdAt</c> and <c>deletedAt</c> are for editor keys only (401 or 403 otherwise); editors'
    /// lists carry <c>status</c> and <c>version</c> by default.
    /// </summary>
    [FromQuery(Name = "fields")]
    public string? Fields { get; init; }

    public const int DefaultLimit = 20;
    public const bool DescendantsByDefault = true;
    public const int MaxLimit = 100;
    public const int MaxQueryLength = 200;
    public const int MaxListItems = 20;
    public const int MaxIds = 100;

    public static readonly string[] Statuses = ["draft", "scheduled", "published", "archived", "deleted"];
}

/// <summary>The category filter of <c>GET /v1/articles</c>.</summary>
public sealed record CategoryFilterRequest
{
    /// <summary>One or more category slugs, comma-separated; an article in any of them matches.</summary>
    [FromQuery(Name = "category")]
    public string? Category { get; init; }

    /// <summary>Whether articles in sub-categories match too (default <c>true</c>).</summary>
    [FromQuery(Name = "descendants"), DefaultValue(ArticleListRequest.DescendantsByDefault)]
    public bool? Descendants { get; init; }

    internal bool WithDescendants => Descendants ?? ArticleListRequest.DescendantsByDefault;
}

/// <summary>The category of <c>GET /v1/categories/{slug}/articles</c>.</summary>
public sealed record CategoryScopeRequest
{
    /// <summary>The category's slug.</summary>
    [FromRoute(Name = "slug")]
    public required string Slug { get; init; }

    /// <summary>Whether articles in sub-categories are listed too (default <c>true</c>).</summary>
    [FromQuery(Name = "descendants"), DefaultValue(ArticleListRequest.DescendantsByDefault)]
    public bool? Descendants { get; init; }

    internal bool WithDescendants => Descendants ?? ArticleListRequest.DescendantsByDefault;
}

public sealed class ArticleListRequestValidator : AbstractValidator<ArticleListRequest>
{
    public ArticleListRequestValidator()
    {
        RuleFor(r => r.Q).Cascade(CascadeMode.Stop)
            .Must(q => q!.Trim().Length > 0).WithMessage("'q' must not be empty.")
            .MaximumLength(ArticleListRequest.MaxQueryLength)
            .Must(QueryValues.HasNoControlCharacters).WithMessage("'q' must not contain control characters.")
            .When(r => r.Q is not null);

        RuleFor(r => r.Tag).SlugList("tag", ArticleListRequest.MaxListItems, Slugs.MaxCategoryLength);
        RuleFor(r => r.Author).SlugList("author", ArticleListRequest.MaxListItems, Slugs.MaxCategoryLength);
        RuleFor(r => r.Kind)
            .Must(k => QueryValues.List(k).Length > 0 && !QueryValues.HasEmptyEntries(k) && QueryValues.List(k).All(ArticleKinds.All.Contains))
            .WithMessage($"'kind' must list kinds among: {string.Join(", ", ArticleKinds.All)}.")
            .When(r => r.Kind is not null);

        RuleFor(r => r.Language).Cascade(CascadeMode.Stop)
            .MaximumLength(35)
            .Must(Languages.IsValid).WithMessage("'language' must be a BCP 47 language tag such as 'en' or 'zh-Hans'.")
            .When(r => r.Language is not null);

        RuleFor(r => r)
            .Must(r => r.PublishedAfter is not { } after || r.PublishedBefore is not { } before || after.Utc < before.Utc)
            .WithName("publishedBefore")
            .OverridePropertyName("publishedBefore")
            .WithMessage("'publishedBefore' must be later than 'publishedAfter'.");

        RuleFor(r => r.Ids).Cascade(CascadeMode.Stop)
            .Must(ids => QueryValues.List(ids).Length is > 0 and <= ArticleListRequest.MaxIds && !QueryValues.HasEmptyEntries(ids))
            .WithMessage($"'ids' must list 1 to {ArticleListRequest.MaxIds} article ids, comma-separated.")
            .Must(ids => QueryValues.List(ids).All(id => QueryValues.TryParseId(id, out _)))
            .WithMessage("'ids' must contain only positive integer ids.")
            .When(r => r.Ids is not null);

        RuleFor(r => r.Sort).OneOf(ArticleSorts.Names);

        RuleFor(r => r.Sort)
            .Must((r, sort) => sort != "relevance" || r.Q is not null)
            .WithMessage("'sort=relevance' needs a search ('q').");

        RuleFor(r => r.Cursor).Cascade(CascadeMode.Stop)
            .Must(c => c!.Length is > 0 and <= Cursors.MaxLength)
            .WithMessage("'cursor' is not a cursor this API issued.")
            .When(r => r.Cursor is not null);

        RuleFor(r => r.Limit).InclusiveBetween(1, ArticleListRequest.MaxLimit);

        RuleFor(r => r.Status)
            .Must(s => QueryValues.List(s).Length > 0 && !QueryValues.HasEmptyEntries(s) && QueryValues.List(s).All(ArticleListRequest.Statuses.Contains))
            .WithMessage($"'status' must list states among: {string.Join(", ", ArticleListRequest.Statuses)}.")
            .When(r => r.Status is not null);

        RuleFor(r => r.Fields).ArticleFieldList(snippet: true)
            .Must((r, f) => r.Q is not null || !QueryValues.List(f).Contains(ArticleFields.Snippet))
            .WithMessage("'fields=snippet' needs a search ('q').")
            .When(r => r.Fields is not null);
    }
}

public sealed class CategoryFilterRequestValidator : AbstractValidator<CategoryFilterRequest>
{
    public CategoryFilterRequestValidator()
    {
        RuleFor(r => r.Category).SlugList("category", ArticleListRequest.MaxListItems, Slugs.MaxCategoryLength);
    }
}

public sealed class CategoryScopeRequestValidator : AbstractValidator<CategoryScopeRequest>
{
    public CategoryScopeRequestValidator()
    {
        RuleFor(r => r.Slug).CategorySlug();
    }
}

internal static class ListRules
{
    public static void SlugList<T>(this IRuleBuilderInitial<T, string?> rule, string name, int maxItems, int maxLength) =>
        rule.Cascade(CascadeMode.Stop)
            .Must(v => v is null || (QueryValues.List(v).Length is > 0 and var n && n <= maxItems && !QueryValues.HasEmptyEntries(v)))
            .WithMessage($"'{name}' must list 1 to {maxItems} slugs, comma-separated.")
            .Must(v => v is null || QueryValues.List(v).All(s => s.Length <= maxLength && Slugs.IsValid(s)))
            .WithMessage($"Each '{name}' must be a slug: lowercase ASCII letters and digits in groups joined by single hyphens, at most {maxLength} characters.");
}
