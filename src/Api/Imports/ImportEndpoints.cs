using Api.Articles;
using Api.Content;
using Api.Infrastructure;
using Api.Keys;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Api.Imports;

/// <summary>A batch of legacy pages to import.</summary>
/// <param name="Pages">1 to 100 pages.</param>
/// <param name="Status">Status of newly created articles: <c>published</c> (default) or <c>draft</c>. Updates keep the article's status.</param>
public sealed record ImportRequest(IReadOnlyList<ImportPage>? Pages, string? Status = null);

/// <summary>One legacy page.</summary>
/// <param name="Content">The page as plain text or HTML (breadcrumb, title, dated lede, paragraphs).</param>
/// <param name="LegacyId">Its identifier on the old site (e.g. <c>t1453741</c>): kept as an alias that answers 301, and how a re-import finds the article.</param>
public sealed record ImportPage(string? Content, string? LegacyId = null);

/// <summary>What became of each page, in order, and the counts.</summary>
/// <param name="Items">One result per page.</param>
/// <param name="Created">Articles created.</param>
/// <param name="Updated">Articles updated.</param>
/// <param name="Unchanged">Pages identical to their earlier import.</param>
/// <param name="Failed">Pages that could not be imported (see each item's error).</param>
public sealed record ImportReport(IReadOnlyList<ImportResult> Items, int Created, int Updated, int Unchanged, int Failed)
{
    public static ImportReport From(IReadOnlyList<ImportResult> items) => new(
        items,
        items.Count(i => i.Outcome == "created"),
        items.Count(i => i.Outcome == "updated"),
        items.Count(i => i.Outcome == "unchanged"),
        items.Count(i => i.Outcome == "failed"));
}

public sealed class ImportRequestValidator : AbstractValidator<ImportRequest>
{
    public const int MaxPages = 100;

    public ImportRequestValidator()
    {
        RuleFor(r => r.Pages).Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("'pages' must list at least one page.")
            .Must(p => p!.Count <= MaxPages).WithMessage($"'pages' may list at most {MaxPages} pages.");
        RuleForEach(r => r.Pages).ChildRules(page =>
        {
            page.RuleFor(p => p.Content).NotEmpty().WithMessage("'content' is required.");
            page.RuleFor(p => p.LegacyId)
                .Must(id => id!.Length <= Slugs.MaxArticleLength && Slugs.IsValid(id))
                .WithMessage("'legacyId' must be lowercase ASCII letters and digits in groups joined by single hyphens.")
                .When(p => p.LegacyId is not null);
        }).When(r => r.Pages is not null);
        RuleFor(r => r.Status)
            .Must(s => s is ArticleStatuses.Published or ArticleStatuses.Draft)
            .WithMessage("'status' must be 'published' or 'draft'.")
            .When(r => r.Status is not null);
    }
}

public static class ImportEndpoints
{
    public static WebApplicationBuilder AddImports(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<Importer>();
        builder.Services.AddOptions<ImportOptions>().Bind(builder.Configuration.GetSection("Imports"))
            .Validate(o => o.MaxFileBytes > 0 && o.PollIntervalSeconds > 0, "Imports:MaxFileBytes and Imports:PollIntervalSeconds must be positive.")
            .ValidateOnStart();
        builder.Services.AddSingleton<ImportWriter>();
        builder.Services.AddSingleton<ImportJobs>();
        builder.Services.AddSingleton<ImportRunner>();
        builder.Services.AddSingleton<WakeSignal<ImportWorker>>();
        builder.Services.AddHostedService<ImportWorker>();
        return builder;
    }

    public static RouteHandlerBuilder MapImports(this IEndpointRouteBuilder app) =>
        app.MapPost("/v1/imports", Import)
            .WithTags("Imports")
            .WithName("ImportLegacyPages")
            .WithSummary("Import legacy pages (text or HTML) as articles")
            .WithDescription("""
                Each page is imported on its own: a malformed page is reported with its reason and the others
                still import. Importing a page again updates its article (or leaves it unchanged), never
                duplicates it. Breadcrumb categories are found by name, or created. The same import runs from
                the command line: `dotnet Api.dll import [--status draft] FILE...`.
                """)
            .RequireScope(Scopes.ContentWrite)
            .WithValidation()
            .UsesDatabase();

    private static async Task<Ok<ImportReport>> Import(ImportRequest request, HttpContext http, Importer importer, CancellationToken cancellationToken)
    {
        var keyId = Scopes.KeyId(http.User);
        var results = new List<ImportResult>(request.Pages!.Count);
        for (var i = 0; i < request.Pages.Count; i++)
        {
            var page = request.Pages[i];
            results.Add(await importer.ImportAsync(i, page.Content!, page.LegacyId, request.Status ?? ArticleStatuses.Published, keyId, cancellationToken));
        }

        return TypedResults.Ok(ImportReport.From(results));
    }
}
