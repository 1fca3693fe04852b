using System.ComponentModel;
using Api.Articles;
using Api.Categories;
using Api.Infrastructure;
using Api.Keys;
using Dapper;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Api.Changes;

/// <summary>Query of <c>GET /v1/changes</c>.</summary>
public sealed record ChangesRequest
{
    /// <summary>The <c>nextToken</c> of the previous page; absent to start with a snapshot of every published article.</summary>
    [FromQuery(Name = "since")]
    public string? Since { get; init; }

    /// <summary>Items per page, 1 to 100 (default 50).</summary>
    [FromQuery(Name = "limit"), DefaultValue(DefaultLimit)]
    public int? Limit { get; init; }

    internal int PageSize => Limit ?? DefaultLimit;

    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;
}

public sealed class ChangesRequestValidator : AbstractValidator<ChangesRequest>
{
    public ChangesRequestValidator()
    {
        RuleFor(r => r.Since).Must(s => s!.Length is > 0 and <= Cursors.MaxLength).WithMessage("'since' is not a token this API issued.").When(r => r.Since is not null);
        RuleFor(r => r.Limit).InclusiveBetween(1, ChangesRequest.MaxLimit);
    }
}

/// <summary>A page of the change feed.</summary>
/// <param name="Items">Changes in commit order (or, during the initial sync, published articles by id).</param>
/// <param name="NextToken">Pass as <c>since</c> for what follows; always present, so a client can keep polling.</param>
/// <param name="Phase"><c>snapshot</c> while the initial sync lists the published set, then <c>changes</c>.</param>
public sealed record ChangePage(IReadOnlyList<ChangeItem> Items, string NextToken, string Phase);

/// <summary>One change, with the article as it is now or a tombstone when the public can no longer see it.</summary>
/// <param name="Seq">Position in commit order; null for the initial snapshot's items.</param>
/// <param name="Kind">created, updated, published, unpublished, archived, slug-changed, deleted, restored, corrected (a correction or update note, recorded with an update); <c>snapshot</c> in the initial sync.</param>
/// <param name="ArticleId">The article.</param>
/// <param name="OccurredAt">When the change was committed (the snapshot's items: their last update).</param>
/// <param name="Article">The article as it is now, when partners can see it: public, or under embargo (status scheduled, <c>embargoed</c> true: not to be published before <c>publishedAt</c>).</param>
/// <param name="Tombstone">Why partners can no longer see the article, when they cannot.</param>
public sealed record ChangeItem(long? Seq, string Kind, long ArticleId, DateTime OccurredAt, ArticleDto? Article, Tombstone? Tombstone);

/// <summary>An article the public can no longer see: remove it downstream.</summary>
/// <param name="Id">The article's id.</param>
/// <param name="Reason">deleted, unpublished, archived or scheduled (scheduled again, or an embargo withdrawn).</param>
public sealed record Tombstone(long Id, string Reason);

/// <summary>Where a change-feed reader stands, signed into its token.</summary>
/// <param name="Phase">snapshot or changes.</param>
/// <param name="Seq">During the snapshot, the last change committed when it began; then the last change read.</param>
/// <param name="AfterId">During the snapshot, the last article id listed.</param>
public sealed record ChangeToken(string Phase, long Seq, long AfterId);

public static class ChangeFeed
{
    private sealed class ChangeRow
    {
        public long Seq { get; init; }
        public long EntityId { get; init; }
        public required string Kind { get; init; }
        public DateTime OccurredAt { get; init; }
    }

    private sealed class StateRow
    {
        public long Id { get; init; }
        public required string Status { get; init; }
        public DateTime? PublishedAt { get; init; }
        public DateTime? DeletedAt { get; init; }
        public DateTime UpdatedAt { get; init; }
    }

    /// <summary>The worker that announces scheduled articles when their time comes.</summary>
    public static WebApplicationBuilder AddChanges(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ChangeOptions>().Bind(builder.Configuration.GetSection(ChangeOptions.Section))
            .Validate(o => o.ScheduledPollIntervalSeconds > 0, "Changes:ScheduledPollIntervalSeconds must be positive.")
            .ValidateOnStart();
        builder.Services.AddHostedService<ScheduledPublisher>();
        return builder;
    }

    public static RouteHandlerBuilder MapChanges(this IEndpointRouteBuilder app) =>
        app.MapGet("/v1/changes", GetChanges)
            .WithTags("Syndication")
            .WithName("GetChanges")
            .WithSummary("Every change to articles since a token, in commit order, with tombstones (partner key)")
            .WithDescription("""
                Without `since`, the feed starts with a snapshot of every published article and every article
                under embargo (paginated by id), then continues with the changes committed after the snapshot
                began; follow `nextToken`. Changes
                are numbered when their transaction commits, so a reader never skips one that was still in
                flight when it read. Each item carries the article as it is now, or a tombstone when partners
                can no longer see it (deleted, unpublished, archived, scheduled again, or its embargo withdrawn).
                An article under embargo comes with status `scheduled` and `embargoed: true`: it must not be
                published before its `publishedAt`. A scheduled article (embargoed or not) gets a `published`
                change when its time comes.
                """)
            .RequireScope(Scopes.Partner)
            .WithStrictQuery()
            .WithValidation()
            .UsesDatabase();

    private static async Task<Results<Ok<ChangePage>, ValidationProblem>> GetChanges(
        [AsParameters] ChangesRequest request,
        NpgsqlDataSource db,
        ArticleStore articles,
        CategoryStore categories,
        Cursors cursors,
        IOptions<SiteOptions> site,
        Api.Media.MediaUrls media,
        CancellationToken cancellationToken)
    {
        var limit = request.PageSize;
        ChangeToken? token = null;
        if (request.Since is not null && (!cursors.TryDecode(request.Since, AppJsonContext.Default.ChangeToken, out token) || token!.Phase is not ("snapshot" or "changes")))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["since"] = ["The token is not valid: pass the nextToken of a previous page unchanged."] },
                detail: "One or more values are invalid; see 'errors'.");
        }

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        if (token is null or { Phase: "snapshot" })
        {
            var seq = token?.Seq ?? await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT last FROM change_sequence WHERE singleton", cancellationToken: cancellationToken));
            var ids = (await connection.QueryAsync<long>(new CommandDefinition($"""
                SELECT a.id FROM articles a
                WHERE {ArticleStore.PartnerVisible} AND a.id > @afterId
                ORDER BY a.id
                LIMIT @take
                """, new { afterId = token?.AfterId ?? 0, take = limit + 1 }, cancellationToken: cancellationToken))).AsList();
            var page = ids.Take(limit).ToList();
            var rendered = await RenderAsync(articles, categories, site.Value, media, page, cancellationToken);
            var items = page.Where(rendered.ContainsKey)
                .Select(id => new ChangeItem(null, "snapshot", id, rendered[id].UpdatedAt, rendered[id], null))
                .ToList();
            var next = ids.Count > limit ? new ChangeToken("snapshot", seq, page[^1]) : new ChangeToken("changes", seq, 0);
            return TypedResults.Ok(new ChangePage(items, cursors.Encode(next, AppJsonContext.Default.ChangeToken), "snapshot"));
        }

        var changes = (await connection.QueryAsync<ChangeRow>(new CommandDefinition("""
            SELECT seq, entity_id, kind, occurred_at FROM changes
            WHERE entity = 'article' AND seq > @after
            ORDER BY seq
            LIMIT @limit
            """, new { after = token.Seq, limit }, cancellationToken: cancellationToken))).AsList();
        var articleIds = changes.Select(c => c.EntityId).Distinct().ToArray();
        var states = (await connection.QueryAsync<StateRow>(new CommandDefinition(
            "SELECT id, status, published_at, deleted_at, updated_at FROM articles WHERE id = ANY(@articleIds)", new { articleIds }, cancellationToken: cancellationToken)))
            .ToDictionary(s => s.Id);
        var visible = await RenderAsync(articles, categories, site.Value, media, articleIds, cancellationToken);
        var feed = changes.Select(c => visible.TryGetValue(c.EntityId, out var article)
                ? new ChangeItem(c.Seq, c.Kind, c.EntityId, c.OccurredAt, article, null)
                : new ChangeItem(c.Seq, c.Kind, c.EntityId, c.OccurredAt, null, new Tombstone(c.EntityId, Reason(states.GetValueOrDefault(c.EntityId)))))
            .ToList();
        var last = changes.Count > 0 ? changes[^1].Seq : token.Seq;
        return TypedResults.Ok(new ChangePage(feed, cursors.Encode(new ChangeToken("changes", last, 0), AppJsonContext.Default.ChangeToken), "changes"));
    }

    private static string Reason(StateRow? state) => state switch
    {
        null or { DeletedAt: not null } => "deleted",
        { Status: "draft" } => "unpublished",
        { Status: "archived" } => "archived",
        _ => "scheduled",
    };

    /// <summary>
    /// The current representation of each of these articles that partners can see, as they get it:
    /// the public one, or for an article under embargo, the same with status scheduled and <c>embargoed</c> (a bounded number of queries).
    /// </summary>
    private static async Task<Dictionary<long, ArticleDto>> RenderAsync(
        ArticleStore articles, CategoryStore categories, SiteOptions site, Api.Media.MediaUrls media, IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var fields = ArticleFields.Names.ToHashSet(StringComparer.Ordinal);
        // The editors' list with the published and scheduled statuses, less the scheduled articles not
        // under embargo: what partners see, in one statement.
        var query = new ArticleListQuery(null, null, null, null, null, null, [.. ids], ArticleSort.PublishedDescending, ids.Count, false, fields,
            Statuses: [ArticleStatuses.Published, ArticleStatuses.Scheduled]);
        var rows = (await articles.ListAsync(query, null, cancellationToken))
            .Where(r => r.Status != ArticleStatuses.Scheduled || r.Embargoed)
            .ToList();
        var index = await categories.GetIndexAsync(cancellationToken);
        var translations = await articles.FindTranslationsAsync(rows.Select(r => r.TranslationGroup).OfType<Guid>().Distinct().ToArray(), cancellationToken);
        return rows.ToDictionary(
            r => r.Id,
            r => ArticleMapping.ToDto(r, index.PathSteps(r.CategoryId), r.TranslationGroup is { } g ? translations[g] : [], site, media));
    }
}
