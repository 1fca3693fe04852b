using System.ComponentModel;
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
    [FromQuery(Name = "content"), DefaultValue("summary")]
    public string? Content { get; init; }

    /// <summary>How many of the newest articles, 1 to 100 (default 50).</summary>
    [FromQuery(Name = "limit"), DefaultValue(DefaultLimit)]
    public int? Limit { get; init; }

    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;

    public bool Full => Content == "full";

    public int Take => Limit ?? DefaultLimit;
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

        RuleFor(r => r.Content).OneOf(["summary", "full"]);
        RuleFor(r => r.Limit).InclusiveBetween(1, FeedRequest.MaxLimit);
    }
}
