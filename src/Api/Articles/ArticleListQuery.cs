using System.Security.Cryptography;
using System.Text;
using Api.Content;
using Api.Infrastructure;

namespace Api.Articles;

/// <summary>A validated article list request, in the types the store works with.</summary>
public sealed record ArticleListQuery(
    long[]? CategoryIds,
    string[]? Tags,
    string? Language,
    DateTime? PublishedAfter,
    DateTime? PublishedBefore,
    string? Search,
    long[]? Ids,
    ArticleSort Sort,
    int Limit,
    bool Count,
    IReadOnlySet<string> Fields,
    string[]? Statuses = null,
    string[]? Authors = null,
    string[]? Kinds = null,
    long? TagId = null)
{
    public bool WithBody => Fields.Contains("bodyHtml") || Fields.Contains("bodyText") || Fields.Contains("media");

    /// <summary>Whether the answer shows earlier slugs or legacy ids (lists leave them out by default).</summary>
    public bool WithAliases => Fields.Contains("previousSlugs") || Fields.Contains("legacyIds");

    public SearchTerms? Terms { get; } = SearchTerms.Parse(Search);

    /// <summary>
    /// Identifies the filters and order (not the page size or fields), so that a cursor is only
    /// accepted by the query that issued it.
    /// </summary>
    public string Fingerprint()
    {
        var text = string.Join('\u001f',
            ArticleSorts.Name(Sort),
            CategoryIds is null ? "" : string.Join(',', CategoryIds.Order()),
            Tags is null ? "" : string.Join(',', Tags.Order(StringComparer.Ordinal)),
            Language ?? "",
            PublishedAfter?.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
            PublishedBefore?.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
            Search ?? "",
            Ids is null ? "" : string.Join(',', Ids.Order()),
            Statuses is null ? "" : string.Join(',', Statuses.Order(StringComparer.Ordinal)),
            Authors is null ? "" : string.Join(',', Authors.Order(StringComparer.Ordinal)),
            Kinds is null ? "" : string.Join(',', Kinds.Order(StringComparer.Ordinal)),
            TagId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 8));
    }

    /// <summary>Builds the query from requests that passed validation.</summary>
    public static ArticleListQuery From(ArticleListRequest request, long[]? categoryIds, ArticleStore.Audience audience)
    {
        var search = request.Q?.Trim();
        var sort = ArticleSorts.TryParse(request.Sort, out var s) ? s
            : search is not null ? ArticleSort.Relevance
            : ArticleSort.PublishedDescending;
        return new ArticleListQuery(
            categoryIds,
            request.Tag is null ? null : QueryValues.List(request.Tag).Distinct(StringComparer.Ordinal).ToArray(),
            request.Language is null ? null : Languages.Normalize(request.Language),
            request.PublishedAfter?.Utc,
            request.PublishedBefore?.Utc,
            search,
            request.Ids is null ? null : QueryValues.List(request.Ids).Select(id => QueryValues.TryParseId(id, out var v) ? v : 0).Distinct().ToArray(),
            sort,
            request.PageSize,
            request.WithTotal,
            ArticleFields.ForList(request.Fields, search is not null, audience),
            request.Status is null ? null : QueryValues.List(request.Status).Distinct(StringComparer.Ordinal).ToArray(),
            request.Author is null ? null : QueryValues.List(request.Author).Distinct(StringComparer.Ordinal).ToArray(),
            request.Kind is null ? null : QueryValues.List(request.Kind).Distinct(StringComparer.Ordinal).ToArray());
    }
}

/// <summary>Where a page ended, signed into the next page's cursor.</summary>
/// <param name="Query">Fingerprint of the query that issued it.</param>
/// <param name="At">published_at or updated_at of the last item, for the time orders.</param>
/// <param name="Title">Title of the last item, for sort=title.</param>
/// <param name="Rank">Rank of the last item, for sort=relevance.</param>
/// <param name="Id">Id of the last item (every order's tie-breaker).</param>
public sealed record ArticleCursor(string Query, DateTime? At, string? Title, double? Rank, long Id);
