using System.ComponentModel;
using Api.Articles;
using Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Api.Shares;

/// <summary>Query of <c>GET /v1/articles/{idOrSlug}/share</c>.</summary>
public sealed record ShareRequest
{
    /// <summary>The article's id or slug.</summary>
    [FromRoute(Name = "idOrSlug")]
    public required string IdOrSlug { get; init; }

    /// <summary>Comma-separated network ids to include (default: all).</summary>
    [FromQuery(Name = "networks")]
    public string? Networks { get; init; }
}

/// <summary>Route of <c>GET /v1/articles/{idOrSlug}/share/{network}</c>.</summary>
/// <param name="IdOrSlug">The article's id or slug.</param>
/// <param name="Network">The network id.</param>
public sealed record ShareIntentRoute(string IdOrSlug, string Network);

/// <summary>Query of <c>GET /v1/articles/{idOrSlug}/share/stats</c>.</summary>
public sealed record ShareStatsRequest
{
    /// <summary>The article's id or slug.</summary>
    [FromRoute(Name = "idOrSlug")]
    public required string IdOrSlug { get; init; }

    /// <summary>How many days back to count, 1 to 365 (default 30).</summary>
    [FromQuery(Name = "days"), DefaultValue(DefaultDays)]
    public int? Days { get; init; }

    internal int DaysBack => Days ?? DefaultDays;

    public const int DefaultDays = 30;
    public const int MaxDays = 365;
}

/// <summary>Query of <c>GET /v1/articles/most-shared</c>.</summary>
public sealed record MostSharedRequest
{
    /// <summary>day, week (default) or month.</summary>
    [FromQuery(Name = "period"), DefaultValue(DefaultPeriod)]
    public string? Period { get; init; }

    /// <summary>How many articles, 1 to 50 (default 10).</summary>
    [FromQuery(Name = "limit"), DefaultValue(DefaultLimit)]
    public int? Limit { get; init; }

    internal string Over => Period ?? DefaultPeriod;

    internal int Take => Limit ?? DefaultLimit;

    public static readonly string[] Periods = ["day", "week", "month"];
    public const string DefaultPeriod = "week";
    public const int DefaultLimit = 10;
    public const int MaxLimit = 50;
}

/// <summary>Query of <c>GET /v1/oembed</c>.</summary>
public sealed record OEmbedRequest
{
    /// <summary>The article page's URL (its canonical URL) or this API's URL of the article.</summary>
    [FromQuery(Name = "url")]
    public string? Url { get; init; }

    /// <summary><c>json</c> (default); <c>xml</c> is answered 501 as oEmbed prescribes.</summary>
    [FromQuery(Name = "format"), DefaultValue("json")]
    public string? Format { get; init; }

    /// <summary>Largest width the consumer can show, 100 to 2000.</summary>
    [FromQuery(Name = "maxwidth")]
    public int? MaxWidth { get; init; }

    /// <summary>Largest height the consumer can show, 100 to 2000.</summary>
    [FromQuery(Name = "maxheight")]
    public int? MaxHeight { get; init; }

    public const int MinSize = 100;
    public const int MaxSize = 2000;
}

public sealed class ShareRequestValidator : AbstractValidator<ShareRequest>
{
    public ShareRequestValidator(IOptions<ShareOptions> options)
    {
        RuleFor(r => r.IdOrSlug).IdOrSlug();
        RuleFor(r => r.Networks)
            .Must(n => QueryValues.List(n).Length > 0 && !QueryValues.HasEmptyEntries(n) && QueryValues.List(n).All(options.Value.Networks.ContainsKey))
            .WithMessage($"'networks' must list network ids among: {string.Join(", ", ShareEndpoints.Order(options.Value))}.")
            .When(r => r.Networks is not null);
    }
}

public sealed class ShareIntentRouteValidator : AbstractValidator<ShareIntentRoute>
{
    public ShareIntentRouteValidator(IOptions<ShareOptions> options)
    {
        RuleFor(r => r.IdOrSlug).IdOrSlug();
        RuleFor(r => r.Network).Must(options.Value.Networks.ContainsKey)
            .WithMessage($"'network' must be one of: {string.Join(", ", ShareEndpoints.Order(options.Value))}.");
    }
}

public sealed class ShareEventRequestValidator : AbstractValidator<ShareEventRequest>
{
    public ShareEventRequestValidator(IOptions<ShareOptions> options)
    {
        RuleFor(r => r.Network).Cascade(CascadeMode.Stop)
            .NotEmpty()
            .Must(n => options.Value.Networks.ContainsKey(n!) || n is "copy-link" or "native")
            .WithMessage("'network' must be a network id, 'copy-link' or 'native'.");
        RuleFor(r => r.Placement)
            .Matches("^[A-Za-z0-9_-]{1,64}$").WithMessage("'placement' must be 1 to 64 letters, digits, '-' or '_'.")
            .When(r => r.Placement is not null);
    }
}

public sealed class ShareStatsRequestValidator : AbstractValidator<ShareStatsRequest>
{
    public ShareStatsRequestValidator()
    {
        RuleFor(r => r.IdOrSlug).IdOrSlug();
        RuleFor(r => r.Days).InclusiveBetween(1, ShareStatsRequest.MaxDays);
    }
}

public sealed class MostSharedRequestValidator : AbstractValidator<MostSharedRequest>
{
    public MostSharedRequestValidator()
    {
        RuleFor(r => r.Period).OneOf(MostSharedRequest.Periods);
        RuleFor(r => r.Limit).InclusiveBetween(1, MostSharedRequest.MaxLimit);
    }
}

public sealed class OEmbedRequestValidator : AbstractValidator<OEmbedRequest>
{
    public OEmbedRequestValidator()
    {
        RuleFor(r => r.Url).Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("'url' is required.")
            .MaximumLength(2000)
            .Must(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https").WithMessage("'url' must be an absolute http(s) URL.");
        RuleFor(r => r.Format).OneOf(["json", "xml"]);
        RuleFor(r => r.MaxWidth).InclusiveBetween(OEmbedRequest.MinSize, OEmbedRequest.MaxSize);
        RuleFor(r => r.MaxHeight).InclusiveBetween(OEmbedRequest.MinSize, OEmbedRequest.MaxSize);
    }
}
