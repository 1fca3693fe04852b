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
    [FromQuery(Name = "days"), QueryType("integer", Minimum = 1, Maximum = 365, Default = 30)]
    public string? Days { get; init; }
}

/// <summary>Query of <c>GET /v1/articles/most-shared</c>.</summary>
public sealed record MostSharedRequest
{
    /// <summary>day, week (default) or month.</summary>
    [FromQuery(Name = "period"), QueryType("string", Enum = ["day", "week", "month"], Default = "week")]
    public string? Period { get; init; }

    /// <summary>How many articles, 1 to 50 (default 10).</summary>
    [FromQuery(Name = "limit"), QueryType("integer", Minimum = 1, Maximum = 50, Default = 10)]
    public string? Limit { get; init; }
}

/// <summary>Query of <c>GET /v1/oembed</c>.</summary>
public sealed record OEmbedRequest
{
    /// <summary>The article page's URL (its canonical URL) or this API's URL of the article.</summary>
    [FromQuery(Name = "url")]
    public string? Url { get; init; }

    /// <summary><c>json</c> (default); <c>xml</c> is answered 501 as oEmbed prescribes.</summary>
    [FromQuery(Name = "format"), QueryType("string", Enum = ["json", "xml"], Default = "json")]
    public string? Format { get; init; }

    /// <summary>Largest width the consumer can show, 100 to 2000.</summary>
    [FromQuery(Name = "maxwidth"), QueryType("integer", Minimum = 100, Maximum = 2000)]
    public string? MaxWidth { get; init; }

    /// <summary>Largest height the consumer can show, 100 to 2000.</summary>
    [FromQuery(Name = "maxheight"), QueryType("integer", Minimum = 100, Maximum = 2000)]
    public string? MaxHeight { get; init; }
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
        RuleFor(r => r.Days).Must(d => QueryValues.TryParseInt(d, out var n) && n is >= 1 and <= 365)
            .WithMessage("'days' must be an integer from 1 to 365.").When(r => r.Days is not null);
    }
}

public sealed class MostSharedRequestValidator : AbstractValidator<MostSharedRequest>
{
    public MostSharedRequestValidator()
    {
        RuleFor(r => r.Period).Must(p => p is "day" or "week" or "month").WithMessage("'period' must be day, week or month.").When(r => r.Period is not null);
        RuleFor(r => r.Limit).Must(l => QueryValues.TryParseInt(l, out var n) && n is >= 1 and <= 50)
            .WithMessage("'limit' must be an integer from 1 to 50.").When(r => r.Limit is not null);
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
        RuleFor(r => r.Format).Must(f => f is "json" or "xml").WithMessage("'format' must be json or xml.").When(r => r.Format is not null);
        RuleFor(r => r.MaxWidth).Must(v => QueryValues.TryParseInt(v, out var n) && n is >= 100 and <= 2000)
            .WithMessage("'maxwidth' must be an integer from 100 to 2000.").When(r => r.MaxWidth is not null);
        RuleFor(r => r.MaxHeight).Must(v => QueryValues.TryParseInt(v, out var n) && n is >= 100 and <= 2000)
            .WithMessage("'maxheight' must be an integer from 100 to 2000.").When(r => r.MaxHeight is not null);
    }
}
