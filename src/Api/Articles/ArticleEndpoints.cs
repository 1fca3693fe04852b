using System.Globalization;
using Api.Categories;
using Api.Content;
using Api.Infrastructure;
using Api.Shares;
using Api.Syndication;
using Microsoft.Net.Http.Headers;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Api.Articles;

public static class ArticleEndpoints
{
    public static WebApplicationBuilder AddArticles(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SearchOptions>()
            .Bind(builder.Configuration.GetSection(SearchOptions.Section))
            .Validate(o => o.MaxConcurrent > 0 && o.MaxQueued >= 0, "Search:MaxConcurrent must be positive and Search:MaxQueued not negative")
            .ValidateOnStart();
        builder.Services.AddSingleton<SearchGate>();
        builder.Services.AddSingleton<ArticleStore>();
        builder.Services.AddSingleton<ArticleViews>();
        builder.Services.AddSingleton<ArticleEditor>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<Cursors>();
        builder.Services.ConfigureSwaggerGen(options => options.SchemaFilter<ArticleListItemSchema>());
        return builder;
    }

    /// <summary>The route group of everything under <c>/v1/articles</c>.</summary>
    public static RouteGroupBuilder ArticlesGroup(this IEndpointRouteBuilder app) =>
        app.MapGroup("/v1/articles").WithTags("Articles").UsesDatabase();

    /// <summary><c>GET /v1/articles/{idOrSlug}</c>.</summary>
    public static void MapArticles(this IEndpointRouteBuilder app)
    {
        var group = app.ArticlesGroup();

        group.MapGet("/{idOrSlug}", GetArticle)
            .WithName("GetArticle")
            .WithResponseExample(StatusCodes.Status200OK, ArticleExamples.PublicArticle)
            .CacheRead(articleScoped: true)
            .WithSummary("One published article by id or slug")
            .WithDescription("""
                `idOrSlug` is the numeric id or the current slug. A previous slug or a legacy id
                (such as `t1453741`) answers 301 with the current URL in `Location`. Editor keys see every
                article; partner keys also see articles under embargo (`embargoed: true`, answered with
                `Cache-Control: private, no-store`). `include=jsonld` adds `jsonLd`, the article's schema.org
                structured data (as `/jsonld` answers it), for a page that renders both from one read.

                Editor keys get every field. Everyone else gets what a front end renders: `bodyText`,
                `previousSlugs` and `legacyIds` only when `include` names them, and never the editor-only
                `status`, `version`, `createdAt` and `deletedAt`.
                """)
            .WithValidation()
            .Produces(StatusCodes.Status301MovedPermanently)
            .WithNinjsRendition()
            .ProducesProblem(StatusCodes.Status404NotFound);

    }

    private static async Task<Results<CachedJson<ArticleDto>, NinjsResult, RedirectHttpResult, ProblemHttpResult>> GetArticle(
        [AsParameters] ArticleRoute route,
        [AsParameters] ArticleIncludes includes,
        HttpContext http,
        ArticleViews views,
        CancellationToken cancellationToken)
    {
        var audience = ArticleViews.AudienceOf(http.User);
        var fields = ArticleFields.ForArticle(includes.Fields, audience);
        var ninjs = NinjsResults.IsRequested(http.Request);
        // ninjs carries the plain-text body; JSON only what the fields show.
        var whole = ninjs || fields.Overlaps(ArticleFields.OnRequest);
        var (row, redirectTo) = await views.FindAsync(route, audience, cancellationToken, whole);
        if (row is null)
        {
            return redirectTo is not null ? ArticleRoute.MovedTo(redirectTo, http) : ArticleRoute.NotFound(route.IdOrSlug);
        }

        var view = await views.RenderAsync(row, audience, cancellationToken);
        if (ninjs)
        {
            return NinjsResults.For(view, audience);
        }

        var article = includes.JsonLd
            ? view.Article with { JsonLd = JsonLd.Document(view.Article, http.RequestServices.GetRequiredService<SyndicationUrls>()) }
            : view.Article;
        http.Response.Headers.Append(HeaderNames.Vary, "Accept");
        return HttpCaching.Cached(article, view.SurrogateKeys, row.UpdatedAt, view.CachePolicy(audience),
            (json, value, options) => ArticleFields.WriteArticle(json, value, fields, options));
    }
}

/// <summary>What <c>GET /v1/articles/{idOrSlug}</c> adds to the article on request.</summary>
public sealed record ArticleIncludes
{
    /// <summary>
    /// Extras to add, comma-separated: <c>bodyText</c>, <c>previousSlugs</c> and <c>legacyIds</c> (which
    /// editor keys always get and other readers only on request), and <c>jsonld</c>, which adds
    /// <c>jsonLd</c>, the schema.org structured data of <c>/jsonld</c>, to spare a front end a second request.
    /// </summary>
    [Microsoft.AspNetCore.Mvc.FromQuery(Name = "include")]
    public string? Include { get; init; }

    internal bool JsonLd => Include is not null && QueryValues.List(Include).Contains("jsonld");

    /// <summary>The article fields asked for by name.</summary>
    internal IEnumerable<string> Fields => QueryValues.List(Include).Where(ArticleFields.OnRequest.Contains);

    public static readonly string[] Known = ["bodyText", "previousSlugs", "legacyIds", "jsonld"];
}

public sealed class ArticleIncludesValidator : AbstractValidator<ArticleIncludes>
{
    public ArticleIncludesValidator()
    {
        RuleFor(r => r.Include)
            .Must(i => QueryValues.List(i).Length > 0 && !QueryValues.HasEmptyEntries(i) && QueryValues.List(i).All(ArticleIncludes.Known.Contains))
            .WithMessage($"'include' takes a comma-separated list of: {string.Join(", ", ArticleIncludes.Known)}.")
            .When(r => r.Include is not null);
    }
}

/// <summary>Route values of <c>GET /v1/articles/{idOrSlug}</c>.</summary>
/// <param name="IdOrSlug">The article's numeric id, its current slug, a previous slug or a legacy id.</param>
public sealed record ArticleRoute(string IdOrSlug)
{
    /// <summary>The numeric id when <see cref="IdOrSlug"/> is one.</summary>
    internal long? Id =>
        IdOrSlug.Length is > 0 and <= 19 && IsDigits(IdOrSlug)
        && long.TryParse(IdOrSlug, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
            ? id
            : null;

    /// <summary>
    /// The answer for an earlier slug or a legacy id: 301 to the same path and query with the article's
    /// current slug in place of the one asked for (308 for methods other than GET and HEAD, which must be
    /// repeated there as they were).
    /// </summary>
    internal static RedirectHttpResult MovedTo(string currentSlug, HttpContext http) => SlugRedirect.To(http, "/v1/articles/", currentSlug);

    /// <summary>The answer when no article the caller may see has this id, slug or earlier name.</summary>
    internal static ProblemHttpResult NotFound(string idOrSlug) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No published article has the id or slug '{idOrSlug}'.");

    /// <summary>Whether <paramref name="value"/> is ASCII digits only: such a value names an article by id, never by slug.</summary>
    internal static bool IsDigits(string value) => !value.AsSpan().ContainsAnyExceptInRange('0', '9');
}

public sealed class ArticleRouteValidator : AbstractValidator<ArticleRoute>
{
    public ArticleRouteValidator()
    {
        RuleFor(r => r.IdOrSlug).IdOrSlug();
    }
}

public static class ArticleRouteRules
{
    /// <summary>A numeric id (1 to 2^63-1) or a slug of at most 200 characters.</summary>
    public static IRuleBuilderOptions<T, string> IdOrSlug<T>(this IRuleBuilderInitial<T, string> rule) =>
        rule.Cascade(CascadeMode.Stop)
            .MaximumLength(Slugs.MaxArticleLength)
            .Must(Slugs.IsValid)
            .WithMessage("'{PropertyName}' must be a numeric id or a slug: lowercase ASCII letters and digits, in groups joined by single hyphens.")
            .Must(value => !ArticleRoute.IsDigits(value) || new ArticleRoute(value).Id is not null)
            .WithMessage("'{PropertyName}' is not a valid article id (1 to 9223372036854775807).");
}
