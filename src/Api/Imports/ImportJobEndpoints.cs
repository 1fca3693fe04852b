using System.ComponentModel;
using System.Security.Cryptography;
using Api.Articles;
using Api.Infrastructure;
using Api.Keys;
using Api.Media;
using Dapper;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Api.Imports;

/// <summary>An import job: its file, its state and what became of its items so far.</summary>
/// <param name="Id">The job's id.</param>
/// <param name="Format">wordpress or ghost.</param>
/// <param name="DryRun">Whether the job only reports what the import would do (nothing it does stays).</param>
/// <param name="Status">queued, running, succeeded (every item has an outcome; some may have failed) or failed (the file could not be read: see <c>error</c>).</param>
/// <param name="FileName">The file's name, when given (<c>Content-Disposition</c>).</param>
/// <param name="FileSize">The file's size in bytes.</param>
/// <param name="Total">Items in the file, once it has been read.</param>
/// <param name="Counts">Items done so far, by outcome.</param>
/// <param name="Error">Why the job failed, or why it was interrupted (it then goes on where it stopped).</param>
/// <param name="CreatedAt">When the job was posted.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="FinishedAt">When it ended.</param>
public sealed record ImportJobDto(
    long Id,
    string Format,
    bool DryRun,
    string Status,
    string? FileName,
    long FileSize,
    int? Total,
    ImportCounts Counts,
    string? Error,
    DateTime CreatedAt,
    DateTime? StartedAt,
    DateTime? FinishedAt)
{
    public static ImportJobDto From(ImportJobRow job, ImportCounts counts) => new(
        job.Id, job.Format, job.DryRun, job.Status, job.FileName, job.FileSize, job.Total, counts, job.Error, job.CreatedAt, job.StartedAt, job.FinishedAt);
}

/// <summary>A page of a job's items, in the file's order.</summary>
/// <param name="Items">What became of each item.</param>
/// <param name="NextCursor">Where the next page starts (<c>cursor=</c>); null on the last page.</param>
public sealed record ImportItemList(IReadOnlyList<ImportItemRow> Items, string? NextCursor);

/// <summary>Query of <c>POST /v1/imports/wordpress</c>.</summary>
public sealed record ImportFileRequest
{
    /// <summary>Only report what the import would do: every item is written and checked, then nothing of it is kept.</summary>
    [FromQuery(Name = "dryRun"), DefaultValue(false)]
    public bool? DryRun { get; init; }
}

/// <summary>Query of <c>POST /v1/imports/ghost</c>.</summary>
public sealed record GhostImportRequest
{
    /// <summary>Only report what the import would do: every item is written and checked, then nothing of it is kept.</summary>
    [FromQuery(Name = "dryRun"), DefaultValue(false)]
    public bool? DryRun { get; init; }

    /// <summary>
    /// The Ghost site's address (<c>https://blog.example.com</c>): what the export's <c>__GHOST_URL__</c>
    /// stands for in bodies and image addresses, and the host of the posts' old addresses, which
    /// <c>GET /v1/redirects</c> then resolves. Without it, those stay relative and no old address is kept.
    /// </summary>
    [FromQuery(Name = "siteUrl")]
    public string? SiteUrl { get; init; }
}

public sealed class GhostImportRequestValidator : AbstractValidator<GhostImportRequest>
{
    public GhostImportRequestValidator() =>
        RuleFor(r => r.SiteUrl)
            .Must(u => u!.Length <= 2000 && LegacyUrls.Parse(u) is not null)
            .WithMessage("'siteUrl' must be an absolute http or https URL.")
            .When(r => r.SiteUrl is not null);
}

/// <summary>Route of an import job.</summary>
/// <param name="Id">The job's id.</param>
public sealed record ImportJobRoute([FromRoute(Name = "id")] string Id)
{
    internal long JobId => QueryValues.TryParseId(Id, out var id) ? id : 0;
}

public sealed class ImportJobRouteValidator : AbstractValidator<ImportJobRoute>
{
    public ImportJobRouteValidator() =>
        RuleFor(r => r.Id).Must(id => id.Length <= 19 && QueryValues.TryParseId(id, out _)).WithMessage("'id' must be a positive integer.");
}

/// <summary>Route and query of <c>GET /v1/imports/jobs/{id}/items</c>.</summary>
public sealed record ImportItemsRequest
{
    /// <summary>The job's id.</summary>
    [FromRoute(Name = "id")]
    public required string Id { get; init; }

    /// <summary>Only the items of this outcome: created, updated, unchanged, matched, recorded, skipped or failed.</summary>
    [FromQuery(Name = "outcome")]
    public string? Outcome { get; init; }

    /// <summary>Items per page, 1 to 500 (default 100).</summary>
    [FromQuery(Name = "limit"), DefaultValue(DefaultLimit)]
    public int? Limit { get; init; }

    /// <summary>The <c>nextCursor</c> of the page before.</summary>
    [FromQuery(Name = "cursor")]
    public string? Cursor { get; init; }

    internal long JobId => QueryValues.TryParseId(Id, out var id) ? id : 0;

    internal int After => Cursor is { } c && int.TryParse(c, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var after) ? after : -1;

    internal int Take => Limit ?? DefaultLimit;

    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    public static readonly string[] Outcomes = ["created", "updated", "unchanged", "matched", "recorded", "skipped", "failed"];
}

public sealed class ImportItemsRequestValidator : AbstractValidator<ImportItemsRequest>
{
    public ImportItemsRequestValidator()
    {
        RuleFor(r => r.Id).Must(id => id.Length <= 19 && QueryValues.TryParseId(id, out _)).WithMessage("'id' must be a positive integer.");
        RuleFor(r => r.Outcome).Must(o => ImportItemsRequest.Outcomes.Contains(o))
            .WithMessage($"'outcome' must be one of: {string.Join(", ", ImportItemsRequest.Outcomes)}.")
            .When(r => r.Outcome is not null);
        RuleFor(r => r.Limit).InclusiveBetween(1, ImportItemsRequest.MaxLimit);
        RuleFor(r => r.Cursor)
            .Must(c => c!.Length <= 10 && int.TryParse(c, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
            .WithMessage("'cursor' must be the nextCursor of an earlier page.")
            .When(r => r.Cursor is not null);
    }
}

/// <summary>Query of <c>GET /v1/redirects</c>.</summary>
public sealed record RedirectRequest
{
    /// <summary>An old address of an article, as a reader followed it: <c>https://example.org/2013/01/11/a-post/</c> or <c>https://example.org/?p=123</c>.</summary>
    [FromQuery(Name = "url")]
    public string? Url { get; init; }
}

public sealed class RedirectRequestValidator : AbstractValidator<RedirectRequest>
{
    public RedirectRequestValidator() =>
        RuleFor(r => r.Url).Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("'url' is required.")
            .MaximumLength(2000)
            .Must(u => LegacyUrls.Parse(u) is not null).WithMessage("'url' must be an absolute http or https URL.");
}

public static class ImportJobEndpoints
{
    public const string Tag = "Imports";

    public static void MapImportJobs(this WebApplication app)
    {
        var limit = app.Services.GetRequiredService<IOptions<ImportOptions>>().Value.MaxFileBytes;
        var imports = app.MapGroup("/v1/imports").WithTags(Tag).UsesDatabase().RequireScope(Scopes.ContentWrite);

        imports.MapPost("/wordpress", PostWordPress)
            .WithName("ImportWordPress")
            .WithSummary("Import a WordPress export (WXR): posts, pages, categories, tags, authors and images, as a job")
            .WithDescription("""
                The body is the file of WordPress's Tools → Export (`Content-Type: application/xml`, `text/xml`,
                `application/rss+xml` or `application/octet-stream`). It is checked to be a readable export at once (400
                otherwise), then imported by a job in the background: 202 with the job, whose `Location` tells its state.
                Each item is imported on its own: one that cannot be is reported with its reason, and nothing of it is
                written. Importing a file again changes nothing that did not change; an item that changed in WordPress
                is updated, unless editors changed it here since. Posted again while the first is running, the same
                file makes a second job that waits on each item the first holds. `dryRun=true` reports what the import
                would do and keeps nothing. Attachments go into the media library when their files are on the server
                (`Imports:UploadsPath`); otherwise they are recorded with their addresses. The command line does the
                same with `dotnet Api.dll import wordpress [--dry-run] [--uploads DIR] FILE`, for files larger than
                `Imports:MaxFileBytes` (413).
                """)
            .WithMetadata(new UploadBodyLimit(limit))
            // The XML types are taken too (see the description); the contract names the binary one, which
            // generated clients send as a stream (NSwag makes a string of an XML body).
            .Accepts<Stream>("application/octet-stream")
            .WithStrictQuery()
            .WithValidation()
            .Produces<ImportJobDto>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        imports.MapPost("/ghost", PostGhost)
            .WithName("ImportGhost")
            .WithSummary("Import a Ghost export (JSON): posts, pages, tags, authors and feature images, as a job")
            .WithDescription("""
                The body is the file of Ghost's Settings → Labs → Export your content (`Content-Type: application/json`
                or `application/octet-stream`; Ghost 1 to 5). As `POST /v1/imports/wordpress`: checked at once (400), then
                imported by a job (202), each item on its own, idempotent, resumable, with `dryRun`. A post's body is its
                HTML; its primary tag is its category here and its public tags its tags; posts only for members become
                drafts. `siteUrl` is the Ghost site's address. The command line does the same with
                `dotnet Api.dll import ghost [--dry-run] [--uploads DIR] [--site-url URL] FILE`.
                """)
            .WithMetadata(new UploadBodyLimit(limit))
            .Accepts<System.Text.Json.JsonElement>("application/json", "application/octet-stream")
            .WithStrictQuery()
            .WithValidation()
            .Produces<ImportJobDto>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        imports.MapGet("/jobs/{id}", GetJob)
            .WithName("GetImportJob")
            .WithSummary("An import job's state and its counts by outcome")
            .WithStrictQuery()
            .WithValidation()
            .ProducesProblem(StatusCodes.Status404NotFound);

        imports.MapGet("/jobs/{id}/items", GetItems)
            .WithName("ListImportJobItems")
            .WithSummary("What became of each item of an import job, in the file's order (optionally of one outcome)")
            .WithStrictQuery()
            .WithValidation()
            .ProducesProblem(StatusCodes.Status404NotFound);

        app.MapGet("/v1/redirects", Redirect)
            .WithTags(Tag)
            .WithName("ResolveLegacyUrl")
            .WithSummary("Where an old address of an imported article leads: 301 to the article")
            .WithDescription("""
                For a front end's "not found" page: given the address a reader followed on the old site (a WordPress
                permalink, a `?p=123` short link), answers 301 with `Location: /v1/articles/{slug}`, or 404 when no
                imported article had it. The host may differ in `www.` and case, the path in a trailing slash and
                percent-encoding.
                """)
            .WithStrictQuery()
            .WithValidation()
            .UsesDatabase()
            .Produces(StatusCodes.Status301MovedPermanently)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static readonly string[] WordPressTypes = ["application/xml", "text/xml", "application/rss+xml", "application/octet-stream"];
    private static readonly string[] GhostTypes = ["application/json", "application/octet-stream"];

    private static Task<Results<Accepted<ImportJobDto>, ProblemHttpResult>> PostWordPress(
        [AsParameters] ImportFileRequest request, HttpContext http, ImportJobs jobs, TimeProvider clock, WakeSignal<ImportWorker> signal, CancellationToken cancellationToken) =>
        PostFileAsync(ImportFormats.WordPress, WordPressTypes, request.DryRun ?? false, null, http, jobs, clock, signal, cancellationToken);

    private static Task<Results<Accepted<ImportJobDto>, ProblemHttpResult>> PostGhost(
        [AsParameters] GhostImportRequest request, HttpContext http, ImportJobs jobs, TimeProvider clock, WakeSignal<ImportWorker> signal, CancellationToken cancellationToken) =>
        PostFileAsync(ImportFormats.Ghost, GhostTypes, request.DryRun ?? false, request.SiteUrl, http, jobs, clock, signal, cancellationToken);

    /// <summary>Reads the file of the body, checks that it is a readable export of FORMAT, and queues a job for it.</summary>
    private static async Task<Results<Accepted<ImportJobDto>, ProblemHttpResult>> PostFileAsync(
        string format,
        string[] types,
        bool dryRun,
        string? siteUrl,
        HttpContext http,
        ImportJobs jobs,
        TimeProvider clock,
        WakeSignal<ImportWorker> signal,
        CancellationToken cancellationToken)
    {
        var type = http.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (type is null || !types.Contains(type))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                detail: $"The body must be the export file, as {string.Join(", ", types)}.");
        }

        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, cancellationToken);
        var file = body.ToArray();
        if (file.Length == 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "The body is empty: it must be the export file.");
        }

        try
        {
            // Read once now, so that a file that is not an export is refused here rather than by a failed job.
            ImportFormats.Open(format, () => new MemoryStream(file, writable: false), null, siteUrl, clock.GetUtcNow());
        }
        catch (Exception e) when (ImportFormats.IsUnreadable(e))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, detail: e.Message);
        }

        var fileName = http.Request.Headers.ContentDisposition.Count > 0
            && System.Net.Http.Headers.ContentDispositionHeaderValue.TryParse(http.Request.Headers.ContentDisposition.ToString(), out var disposition)
            ? Path.GetFileName(disposition.FileNameStar ?? disposition.FileName?.Trim('"'))
            : null;
        var job = await jobs.CreateAsync(
            format, dryRun, fileName is { Length: > 0 and <= 255 } ? fileName : null,
            SHA256.HashData(file), file.Length, siteUrl, file, Scopes.KeyId(http.User), running: false, cancellationToken);
        signal.Notify();
        return TypedResults.Accepted($"/v1/imports/jobs/{job.Id}", ImportJobDto.From(job, new ImportCounts(0, 0, 0, 0, 0, 0, 0, 0)));
    }

    private static async Task<Results<Ok<ImportJobDto>, ProblemHttpResult>> GetJob(
        [AsParameters] ImportJobRoute route, ImportJobs jobs, CancellationToken cancellationToken)
    {
        if (await jobs.GetAsync(route.JobId, cancellationToken) is not { } job)
        {
            return NotFound(route.JobId);
        }

        return TypedResults.Ok(ImportJobDto.From(job, await jobs.CountsAsync(job.Id, cancellationToken)));
    }

    private static async Task<Results<Ok<ImportItemList>, ProblemHttpResult>> GetItems(
        [AsParameters] ImportItemsRequest request, ImportJobs jobs, CancellationToken cancellationToken)
    {
        if (await jobs.GetAsync(request.JobId, cancellationToken) is null)
        {
            return NotFound(request.JobId);
        }

        var items = await jobs.ItemsAsync(request.JobId, request.Outcome, request.After, request.Take + 1, cancellationToken);
        var page = items.Take(request.Take).ToList();
        return TypedResults.Ok(new ImportItemList(
            page,
            items.Count > request.Take ? page[^1].Position.ToString(System.Globalization.CultureInfo.InvariantCulture) : null));
    }

    private static async Task<Results<RedirectHttpResult, ProblemHttpResult>> Redirect(
        [AsParameters] RedirectRequest request, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var legacy = LegacyUrls.Parse(request.Url)!;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var slug = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition($"""
            SELECT a.slug FROM legacy_urls l JOIN articles a ON a.id = l.article_id
            WHERE l.host = @Host AND l.path = @Path AND {ArticleStore.Visible}
            """, legacy, cancellationToken: cancellationToken));
        return slug is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: "No published article had this address.")
            : TypedResults.Redirect($"/v1/articles/{slug}", permanent: true);
    }

    private static ProblemHttpResult NotFound(long id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No import job has the id {id}.");
}
