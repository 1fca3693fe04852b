using System.ComponentModel;
using Api.Content;
using Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;

namespace Api.Tags;

/// <summary>A tag in the list of tags.</summary>
/// <param name="Id">Numeric id.</param>
/// <param name="Slug">Lowercase ASCII slug, unique among tags.</param>
/// <param name="Name">Display name.</param>
/// <param name="ArticleCount">Number of published articles with this tag.</param>
/// <param name="ArticlesUrl">Path of the list of its articles.</param>
public sealed record TagSummary(long Id, string Slug, string Name, long ArticleCount, string ArticlesUrl);

/// <summary>A page of tags.</summary>
/// <param name="Items">The tags.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> to get the next page; null on the last page. Also sent as a <c>Link: rel="next"</c> header.</param>
public sealed record TagList(IReadOnlyList<TagSummary> Items, string? NextCursor);

/// <summary>One tag.</summary>
/// <param name="Id">Numeric id.</param>
/// <param name="Slug">Lowercase ASCII slug, unique among tags; an earlier slug answers 301 here.</param>
/// <param name="Name">Display name.</param>
/// <param name="ArticleCount">Number of published articles with this tag.</param>
/// <param name="ArticlesUrl">Path of the list of its articles.</param>
/// <param name="UpdatedAt">When the tag was last renamed or had another merged into it.</param>
/// <param name="Version">Incremented by every change; the basis of optimistic concurrency.</param>
public sealed record TagDetail(long Id, string Slug, string Name, long ArticleCount, string ArticlesUrl, DateTime UpdatedAt, int Version);

/// <summary>A tag as editors change it with a JSON merge patch.</summary>
/// <param name="Name">Display name, 1 to 100 characters.</param>
/// <param name="Slug">Lowercase ASCII slug, up to 100 characters; the previous one keeps answering with a 301.</param>
public sealed record TagWriteRequest(string? Name, string? Slug);

/// <summary>Where to merge a tag.</summary>
/// <param name="Into">Slug of the tag that receives the articles (an earlier slug of it will do).</param>
public sealed record TagMergeRequest(string? Into);

/// <summary>Route values of the tag endpoints.</summary>
/// <param name="Slug">The tag's slug, or an earlier one (which answers 301).</param>
public sealed record TagRoute(string Slug);

/// <summary>Query of <c>GET /v1/tags</c>.</summary>
public sealed record TagListRequest
{
    /// <summary>Only tags whose name starts with this text (case-insensitive).</summary>
    [FromQuery(Name = "q")]
    public string? Q { get; init; }

    /// <summary>Order: <c>name</c> (default, case-insensitive) or <c>-count</c> (most articles first). Ties are broken by slug.</summary>
    [FromQuery(Name = "sort"), DefaultValue(ByName)]
    public string? Sort { get; init; }

    /// <summary>Opaque cursor from a previous page's <c>nextCursor</c>; valid only with the same <c>q</c> and sort.</summary>
    [FromQuery(Name = "cursor")]
    public string? Cursor { get; init; }

    /// <summary>Items per page, 1 to 100 (default 50).</summary>
    [FromQuery(Name = "limit"), DefaultValue(DefaultLimit)]
    public int? Limit { get; init; }

    internal int PageSize => Limit ?? DefaultLimit;

    internal bool ByCount => Sort == ByCountDescending;

    internal string? Prefix => string.IsNullOrWhiteSpace(Q) ? null : Q.Trim();

    public const string ByName = "name";
    public const string ByCountDescending = "-count";
    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;
    public const int MaxQueryLength = 100;

    public static readonly string[] Sorts = [ByName, ByCountDescending];
}

/// <summary>Where a page of tags ended, signed into the next page's cursor.</summary>
/// <param name="Sort">The order of the list that issued it.</param>
/// <param name="Q">The name prefix of the list that issued it.</param>
/// <param name="Name">The lowercased name of the last tag (sort=name).</param>
/// <param name="Count">The article count of the last tag (sort=-count).</param>
/// <param name="Slug">The slug of the last tag (every order's tie-breaker).</param>
public sealed record TagCursor(string Sort, string? Q, string? Name, long? Count, string Slug);

public static class TagRules
{
    /// <summary>A tag slug: the slug format, at most <see cref="Slugs.MaxCategoryLength"/> characters (the length tags share with categories).</summary>
    public static IRuleBuilderOptions<T, string?> TagSlug<T>(this IRuleBuilder<T, string?> rule) =>
        rule.MaximumLength(Slugs.MaxCategoryLength)
            .Must(Slugs.IsValid!).WithMessage(Slugs.FormatMessage);
}

public sealed class TagRouteValidator : AbstractValidator<TagRoute>
{
    public TagRouteValidator()
    {
        RuleFor(r => r.Slug).Cascade(CascadeMode.Stop).TagSlug();
    }
}

public sealed class TagListRequestValidator : AbstractValidator<TagListRequest>
{
    public TagListRequestValidator()
    {
        RuleFor(r => r.Q).Cascade(CascadeMode.Stop)
            .MaximumLength(TagListRequest.MaxQueryLength)
            .Must(QueryValues.HasNoControlCharacters).WithMessage("'q' must not contain control characters.")
            .When(r => r.Q is not null);
        RuleFor(r => r.Sort).OneOf(TagListRequest.Sorts);
        RuleFor(r => r.Cursor).Cascade(CascadeMode.Stop)
            .Must(c => c!.Length is > 0 and <= Cursors.MaxLength)
            .WithMessage("'cursor' is not a cursor this API issued.")
            .When(r => r.Cursor is not null);
        RuleFor(r => r.Limit).InclusiveBetween(1, TagListRequest.MaxLimit);
    }
}

public sealed class TagWriteRequestValidator : AbstractValidator<TagWriteRequest>
{
    public TagWriteRequestValidator()
    {
        RuleFor(r => r.Name).Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("'name' is required.")
            .Must(n => n!.Trim().Length > 0).WithMessage("'name' must not be blank.")
            .MaximumLength(100)
            .Must(QueryValues.HasNoControlCharacters).WithMessage("'name' must not contain control characters.");
        RuleFor(r => r.Slug).Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("'slug' is required.")
            .TagSlug();
    }
}

public sealed class TagMergeRequestValidator : AbstractValidator<TagMergeRequest>
{
    public TagMergeRequestValidator()
    {
        RuleFor(r => r.Into).Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("'into' is required: the slug of the tag that receives the articles.")
            .TagSlug();
    }
}
