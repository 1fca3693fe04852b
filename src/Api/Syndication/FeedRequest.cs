using Api.Articles;
using Api.Content;
using Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;

namespace Api.Syndication;

/// <summary>Query parameters of the feeds.</summary>
public sealed record FeedRequest
{
    /// <summary>Only articles in this language: a BCP 47 tag such as <c>en</c> or <c>zh-Hans</c>.</summary>
    [FromQuery(Name = "language")]
    public string? Language { get; init; }

    /// <summary>One or more tag slugs, comma-separated; an article with any of them is included.</summary>
    [FromQuery(Name = "tag")]
    public string? Tag { get; init; }

    /// <summary><c>summary</c> (default): each item carries the article's summary; <c>full</c>: its sanitized HTML body as well.</summary>
    [FromQuery(Name = "content"), QueryType("string", Enum = ["summary", "full"], Default = "summary")]
    public string? Content { get; init; }

    /// <summary>How many of the newest articles, 1 to 100 (default 50).</summary>
    [FromQuery(Name = "limit"), QueryType("integer", Minimum = 1, Maximum = FeedRequest.MaxLimit, Default = FeedRequest.DefaultLimit)]
    public string? Limit { get; init; }

    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;

    public bool Full => Content == "full";

    public int Take => QueryValues.TryParseInt(Limit, out var limit) ? limit : DefaultLimit;
}

public sealed class FeedRequestValidator : AbstractValidator<FeedRequest>
{
    public FeedRequestValidator()
    {
        RuleFor(r => r.Language).Cascade(CascadeMode.Stop)
            .MaximumLength(Languages.MaxLength)
            .Must(Languages.IsValid).WithMessage("'language' must be a BCP 47 language tag such as 'en' or 'zh-Hans'.")
            .When(r => r.Language is not null);

        RuleFor(r => r.Tag).SlugList("tag", ArticleListRequest.MaxListItems, Slugs.MaxCategoryLength);

        RuleFor(r => r.Content)
            .Must(c => c is "summary" or "full")
            .WithMessage("'content' must be 'summary' or 'full'.")
            .When(r => r.Content is not null);

        RuleFor(r => r.Limit)
            .Must(l => QueryValues.TryParseInt(l, out var limit) && limit is >= 1 and <= FeedRequest.MaxLimit)
            .WithMessage($"'limit' must be an integer from 1 to {FeedRequest.MaxLimit}.")
            .When(r => r.Limit is not null);
    }
}
