using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Api.Articles;
using Api.Content;
using Api.Infrastructure;
using Api.Keys;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Api.Shares;

public static partial class ShareEndpoints
{
    /// <summary>The networks in the order front ends show them; configured extras follow alphabetically.</summary>
    private static readonly string[] PreferredOrder = ["x", "facebook", "linkedin", "reddit", "whatsapp", "telegram", "weibo", "vk", "line", "bluesky", "email", "wechat"];

    public static IEnumerable<string> Order(ShareOptions options) =>
        PreferredOrder.Where(options.Networks.ContainsKey)
            .Concat(options.Networks.Keys.Where(k => !PreferredOrder.Contains(k)).Order(StringComparer.Ordinal));

    public static WebApplicationBuilder AddShares(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ShareOptions>()
            .Bind(builder.Configuration.GetSection("Share"))
            .Validate(o => Uri.TryCreate(o.PublicBaseUrl, UriKind.Absolute, out _), "Share:PublicBaseUrl must be an absolute URL")
            .ValidateOnStart();
        builder.Services.AddSingleton<ShareStore>();
        return builder;
    }

    public static void MapShares(this IEndpointRouteBuilder app)
    {
        var share = app.ArticlesGroup().MapGroup("/").WithTags("Share");

        share.MapGet("/{idOrSlug}/share", GetShareBlock)
            .WithName("GetArticleShare")
            .CacheRead(articleScoped: true)
            .WithSummary("Share targets for an article: network URLs, Web Share data, short link")
            .WithStrictQuery()
            .WithValidation()
            .Produces(StatusCodes.Status301MovedPermanently)
            .ProducesProblem(StatusCodes.Status404NotFound);

        share.MapGet("/{idOrSlug}/share/{network}", FollowIntent)
            .WithName("FollowArticleShare")
            .WithSummary("Count a share and redirect (302) to the network's share URL")
            .WithValidation()
            .Produces(StatusCodes.Status302Found)
            .ProducesProblem(StatusCodes.Status404NotFound);

        share.MapPost("/{idOrSlug}/share/events", RecordEvent)
            .WithName("RecordArticleShare")
            .WithSummary("Record a share the front end handled (copy-link, native share...)")
            .WithDescription("Answers 202. Rate-limited per client address like every write.")
            .AllowPublicWrite("Readers' browsers report shares; no key is involved.")
            .WithValidation()
            .Accepts<ShareEventRequest>("application/json")
            .Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound);

        share.MapGet("/{idOrSlug}/share/stats", GetStats)
            .WithName("GetArticleShareStats")
            .WithSummary("Share intents, events and short-link clicks of an article, per network and day")
            .WithStrictQuery()
            .WithValidation()
            .ProducesProblem(StatusCodes.Status404NotFound);

        share.MapGet("/most-shared", GetMostShared)
            .WithName("ListMostSharedArticles")
            .WithSummary("The most shared published articles of the last day, week or month")
            .WithStrictQuery()
            .WithValidation();

        share.MapGet("/{idOrSlug}/meta", GetMeta)
            .WithName("GetArticleMeta")
            .CacheRead(articleScoped: true)
            .WithSummary("Open Graph and Twitter card tags for an article page")
            .WithValidation()
            .Produces(StatusCodes.Status301MovedPermanently)
            .ProducesProblem(StatusCodes.Status404NotFound);

        app.MapGet("/v1/oembed", GetOEmbed)
            .WithTags("Share")
            .WithName("GetOEmbed")
            .CacheRead()
            .WithSummary("oEmbed 1.0 for an article URL (JSON)")
            .WithStrictQuery()
            .WithValidation()
            .UsesDatabase()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status501NotImplemented);

        app.MapGet("/s/{code}", FollowShortLink)
            .WithTags("Share")
            .WithName("FollowShortLink")
            .WithSummary("A short link: counts the click and redirects (302) to the article")
            .UsesDatabase()
            .Produces(StatusCodes.Status302Found)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Results<CachedJson<ShareBlock>, RedirectHttpResult, ProblemHttpResult>> GetShareBlock(
        [AsParameters] ShareRequest request, HttpContext http, ArticleViews views, ShareStore store, IOptions<ShareOptions> options, CancellationToken cancellationToken)
    {
        var (row, redirectTo) = await views.FindAsync(new ArticleRoute(request.IdOrSlug), ArticleStore.Audience.Public, cancellationToken);
        if (row is null)
        {
            return Missing<ShareBlock>(redirectTo, http, request.IdOrSlug);
        }

        var article = (await views.RenderAsync(row, ArticleStore.Audience.Public, cancellationToken)).Article;
        var share = options.Value;
        var code = await store.ShortCodeAsync(article.Id, cancellationToken);
        var wanted = request.Networks is null ? null : QueryValues.List(request.Networks).ToHashSet(StringComparer.Ordinal);
        var targets = Order(share)
            .Where(n => wanted is null || wanted.Contains(n))
            .Select(n => new ShareTarget(n, share.Networks[n].Label, NetworkUrl(n, article, share), ApiUrl(share, $"/v1/articles/{article.Slug}/share/{n}")))
            .ToList();
        var block = new ShareBlock(
            article.CanonicalUrl,
            article.Title,
            article.Summary,
            article.Image,
            ApiUrl(share, $"/s/{code}"),
            new WebShareData(article.Title, article.Summary, ShareUrls.Tagged(article.CanonicalUrl, "native", "social", share.UtmCampaign)),
            targets);
        return HttpCaching.Cached(block, [$"article-{article.Id}"], article.UpdatedAt);
    }

    /// <summary>A network's share URL, with the tagged article URL and texts percent-encoded into its template.</summary>
    public static string NetworkUrl(string network, ArticleDto article, ShareOptions share)
    {
        var url = ShareUrls.Tagged(article.CanonicalUrl, network, network == "email" ? "email" : "social", share.UtmCampaign);
        var text = network switch
        {
            "x" => ShareText.ForX(article.Title),
            "bluesky" => ShareText.ForBluesky(article.Title, url),
            _ => article.Title,
        };
        return Placeholder().Replace(share.Networks[network].Template, m => m.Groups[1].Value switch
        {
            "url" => ShareUrls.Encode(url),
            "title" => ShareUrls.Encode(article.Title),
            "summary" => ShareUrls.Encode(article.Summary),
            "text" => ShareUrls.Encode(text),
            "qr" => ApiUrl(share, $"/v1/articles/{article.Slug}/share/qr.svg"),
            _ => m.Value,
        });
    }

    private static async Task<Results<RedirectHttpResult, ProblemHttpResult>> FollowIntent(
        [AsParameters] ShareIntentRoute route, HttpContext http, ArticleViews views, ShareStore store, IOptions<ShareOptions> options, CancellationToken cancellationToken)
    {
        var (row, redirectTo) = await views.FindAsync(new ArticleRoute(route.IdOrSlug), ArticleStore.Audience.Public, cancellationToken);
        if (row is null)
        {
            return redirectTo is not null ? ArticleRoute.MovedTo(redirectTo, http) : ArticleRoute.NotFound(route.IdOrSlug);
        }

        var article = (await views.RenderAsync(row, ArticleStore.Audience.Public, cancellationToken)).Article;
        await store.RecordAsync(article.Id, "intent", route.Network, null, ShareClients.ReferrerHost(http.Request), ShareClients.AgentFamily(http.Request), cancellationToken);
        http.Response.Headers.CacheControl = "private, no-store";
        return TypedResults.Redirect(NetworkUrl(route.Network, article, options.Value));
    }

    private static async Task<Results<Accepted, ProblemHttpResult>> RecordEvent(
        [AsParameters] ArticleRoute route, ShareEventRequest request, HttpContext http, ArticleViews views, ShareStore store, CancellationToken cancellationToken)
    {
        var (row, _) = await views.FindAsync(route, ArticleStore.Audience.Public, cancellationToken);
        if (row is null)
        {
            return ArticleRoute.NotFound(route.IdOrSlug);
        }

        await store.RecordAsync(row.Id, "event", request.Network!, request.Placement, ShareClients.ReferrerHost(http.Request), ShareClients.AgentFamily(http.Request), cancellationToken);
        return TypedResults.Accepted((string?)null);
    }

    private static async Task<Results<CachedJson<ShareStats>, RedirectHttpResult, ProblemHttpResult>> GetStats(
        [AsParameters] ShareStatsRequest request, HttpContext http, ArticleViews views, ShareStore store, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (row, redirectTo) = await views.FindAsync(new ArticleRoute(request.IdOrSlug), ArticleStore.Audience.Public, cancellationToken);
        if (row is null)
        {
            return Missing<ShareStats>(redirectTo, http, request.IdOrSlug);
        }

        var since = clock.GetUtcNow().UtcDateTime.Date.AddDays(1 - request.DaysBack);
        var counts = await store.CountsAsync(row.Id, since, cancellationToken);
        var totals = counts.GroupBy(c => c.Network)
            .Select(g => new ShareTotal(g.Key, g.Sum(c => c.Intents), g.Sum(c => c.Events), g.Sum(c => c.Clicks)))
            .OrderByDescending(t => t.Intents + t.Events + t.Clicks).ThenBy(t => t.Network, StringComparer.Ordinal)
            .ToList();
        var perDay = counts.Select(c => new ShareDay(c.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), c.Network, c.Intents, c.Events, c.Clicks)).ToList();
        return HttpCaching.Cached(new ShareStats(row.Id, DateTime.SpecifyKind(since, DateTimeKind.Utc), totals, perDay), [$"article-{row.Id}", "shares"]);
    }

    private static async Task<CachedJson<MostSharedList>> GetMostShared(
        [AsParameters] MostSharedRequest request, ShareStore store, ArticleStore articles, ArticleViews views, TimeProvider clock, CancellationToken cancellationToken)
    {
        var since = clock.GetUtcNow().UtcDateTime - (request.Over switch { "day" => TimeSpan.FromDays(1), "month" => TimeSpan.FromDays(30), _ => TimeSpan.FromDays(7) });
        var ranked = await store.MostSharedAsync(since, request.Take, cancellationToken);
        var items = new List<MostSharedItem>(ranked.Count);
        if (ranked.Count > 0)
        {
            var query = new ArticleListQuery(null, null, null, null, null, null, ranked.Select(r => r.ArticleId).ToArray(),
                ArticleSort.PublishedDescending, ranked.Count, false, ArticleFields.ListDefaults(search: false));
            var rows = (await articles.ListAsync(query, null, cancellationToken)).ToDictionary(r => r.Id);
            foreach (var rank in ranked)
            {
                if (rows.TryGetValue(rank.ArticleId, out var row))
                {
                    var article = (await views.RenderAsync(row, ArticleStore.Audience.Public, cancellationToken)).Article;
                    items.Add(new MostSharedItem(article.Id, article.Slug, article.Title, article.CanonicalUrl, article.PublishedAt, rank.Shares));
                }
            }
        }

        return HttpCaching.Cached(new MostSharedList(request.Over, items), ["articles", "shares", .. items.Select(i => $"article-{i.Id}")]);
    }

    private static async Task<Results<CachedJson<ArticleMeta>, RedirectHttpResult, ProblemHttpResult>> GetMeta(
        [AsParameters] ArticleRoute route, HttpContext http, ArticleViews views, IOptions<SiteOptions> site, Api.Syndication.SyndicationUrls urls,
        CancellationToken cancellationToken)
    {
        var (row, redirectTo) = await views.FindAsync(route, ArticleStore.Audience.Public, cancellationToken);
        if (row is null)
        {
            return Missing<ArticleMeta>(redirectTo, http, route.IdOrSlug);
        }

        var view = await views.RenderAsync(row, ArticleStore.Audience.Public, cancellationToken);
        var a = view.Article;
        var og = new List<MetaTag>
        {
            new("og:type", "article"),
            new("og:site_name", site.Value.Name),
            new("og:title", a.Title),
            new("og:description", a.Summary),
            new("og:url", a.CanonicalUrl),
            new("og:locale", a.Language.Replace('-', '_')),
        };
        var twitter = new List<MetaTag>
        {
            new("twitter:card", a.Image is null ? "summary" : "summary_large_image"),
            new("twitter:title", a.Title),
            new("twitter:description", a.Summary),
        };
        if (a.Image is { } image)
        {
            og.Add(new("og:image", image.Url));
            og.Add(new("og:image:alt", image.Alt));
            twitter.Add(new("twitter:image", image.Url));
            twitter.Add(new("twitter:image:alt", image.Alt));
        }

        if (a.PublishedAt is { } published)
        {
            og.Add(new("article:published_time", published.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)));
        }

        og.Add(new("article:modified_time", a.UpdatedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)));
        og.Add(new("article:section", a.Category.Name));
        og.AddRange(a.Tags.Select(t => new MetaTag("article:tag", t.Name)));
        // Open Graph wants the authors' profile pages; a free-text byline (an agency) is all some articles have.
        og.AddRange(a.Authors.Select(author => new MetaTag("article:author", urls.AuthorUrl(author.Id, author.Slug))));
        if (a.Byline is { } byline)
        {
            og.Add(new("article:author", byline));
        }

        return HttpCaching.Cached(new ArticleMeta(og, twitter), view.SurrogateKeys, a.UpdatedAt);
    }

    private static async Task<Results<Ok<OEmbedResponse>, ProblemHttpResult>> GetOEmbed(
        [AsParameters] OEmbedRequest request, ArticleViews views, IOptions<SiteOptions> site, IOptions<ShareOptions> share, CancellationToken cancellationToken)
    {
        if (request.Format == "xml")
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status501NotImplemented, detail: "Only format=json is served.");
        }

        var idOrSlug = ArticleKeyOf(request.Url!, site.Value, share.Value);
        var row = idOrSlug is null ? null : (await views.FindAsync(new ArticleRoute(idOrSlug), ArticleStore.Audience.Public, cancellationToken)).Row;
        if (row is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: "The URL is not the page of a published article of this site.");
        }

        var a = (await views.RenderAsync(row, ArticleStore.Audience.Public, cancellationToken)).Article;
        var width = Math.Min(request.MaxWidth ?? 600, 600);
        var height = Math.Min(request.MaxHeight ?? 300, 300);
        var html = $"<blockquote class=\"news-embed\"><p><a href=\"{WebUtility.HtmlEncode(a.CanonicalUrl)}\">{WebUtility.HtmlEncode(a.Title)}</a></p>"
            + $"<p>{WebUtility.HtmlEncode(a.Summary)}</p><footer>{WebUtility.HtmlEncode(site.Value.Name)}</footer></blockquote>";
        var home = new Uri(a.CanonicalUrl).GetLeftPart(UriPartial.Authority) + "/";
        return TypedResults.Ok(new OEmbedResponse("1.0", "rich", a.Title, a.Byline, site.Value.Name, home, html, width, height, a.Image?.Url));
    }

    private static async Task<Results<RedirectHttpResult, ProblemHttpResult>> FollowShortLink(
        string code, HttpContext http, ShareStore store, ArticleViews views, IOptions<ShareOptions> options, CancellationToken cancellationToken)
    {
        http.Response.Headers.CacheControl = "private, no-store";
        if (!ShortCode().IsMatch(code))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: "No short link has this code.");
        }

        var articleId = await store.ArticleOfCodeAsync(code, cancellationToken);
        var view = articleId is { } id ? await views.RenderAsync(id, ArticleStore.Audience.Public, cancellationToken) : null;
        if (view is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: "No short link has this code.");
        }

        await store.RecordAsync(view.Article.Id, "click", "shortlink", null, ShareClients.ReferrerHost(http.Request), ShareClients.AgentFamily(http.Request), cancellationToken);
        return TypedResults.Redirect(ShareUrls.Tagged(view.Article.CanonicalUrl, "shortlink", "share", options.Value.UtmCampaign));
    }

    private static Results<CachedJson<T>, RedirectHttpResult, ProblemHttpResult> Missing<T>(string? redirectTo, HttpContext http, string idOrSlug) =>
        redirectTo is not null ? ArticleRoute.MovedTo(redirectTo, http) : ArticleRoute.NotFound(idOrSlug);

    /// <summary>The article an oEmbed URL names: a canonical URL of the site, or this API's article URL.</summary>
    private static string? ArticleKeyOf(string url, SiteOptions site, ShareOptions share)
    {
        var template = Regex.Escape(site.ArticleUrlTemplate)
            .Replace(Regex.Escape("{slug}"), "(?<key>[a-z0-9]+(?:-[a-z0-9]+)*)", StringComparison.Ordinal)
            .Replace(Regex.Escape("{id}"), "(?<key>[0-9]{1,18})", StringComparison.Ordinal);
        var withoutQuery = url.Split('?', '#')[0];
        var canonical = Regex.Match(withoutQuery, "^" + template + "/?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        if (canonical.Success)
        {
            return canonical.Groups["key"].Value;
        }

        var api = share.PublicBaseUrl.TrimEnd('/') + "/v1/articles/";
        return withoutQuery.StartsWith(api, StringComparison.OrdinalIgnoreCase) && Slugs.IsValid(withoutQuery[api.Length..])
            ? withoutQuery[api.Length..]
            : null;
    }

    private static string ApiUrl(ShareOptions share, string path) => share.PublicBaseUrl.TrimEnd('/') + path;

    [GeneratedRegex(@"\{([a-z]+)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    [GeneratedRegex("^[0-9A-Za-z]{6,16}$", RegexOptions.CultureInvariant)]
    private static partial Regex ShortCode();
}
