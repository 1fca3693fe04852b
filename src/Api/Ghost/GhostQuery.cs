using System.Globalization;
using System.Text.Json.Nodes;

namespace Api.Ghost;

/// <summary>
/// The query of a Ghost Content API request: <c>limit</c> (1 to 1,000 or <c>all</c>; default 15),
/// <c>page</c> (from 1), <c>order</c> (<c>published_at desc</c> by default for posts and pages, <c>name
/// asc</c> for tags and authors), <c>filter</c>, <c>include</c> (<c>tags</c>, <c>authors</c>,
/// <c>count.posts</c>), <c>fields</c> and <c>formats</c> (<c>html</c>, <c>plaintext</c>). Other
/// parameters are ignored, as Ghost ignores them.
/// </summary>
public sealed class GhostQuery
{
    private static readonly string[] ArticleOrder = ["id", "title", "slug", "published_at", "updated_at", "created_at"];
    private static readonly string[] NamedOrder = ["id", "name", "slug"];

    public int? Limit { get; private init; }

    public int Page { get; private init; } = 1;

    public string? Filter { get; private init; }

    public string OrderSql { get; private init; } = "";

    public IReadOnlySet<string> Include { get; private init; } = new HashSet<string>();

    public IReadOnlySet<string>? Fields { get; private init; }

    public IReadOnlySet<string> Formats { get; private init; } = new HashSet<string>();

    public bool CountPosts => Include.Contains("count.posts");

    public bool Includes(string name) => Include.Contains(name);

    /// <exception cref="GhostFilterException">A parameter has a value Ghost would refuse.</exception>
    public static GhostQuery Parse(IQueryCollection query, GhostResource resource)
    {
        int? limit = GhostContent.DefaultLimit;
        if (query["limit"].ToString() is { Length: > 0 } given)
        {
            limit = given == "all" ? null
                : int.TryParse(given, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is >= 1 and <= GhostContent.MaxLimit ? number
                : throw new GhostFilterException($"'limit' must be a number from 1 to {GhostContent.MaxLimit}, or 'all'.");
        }

        var page = 1;
        if (query["page"].ToString() is { Length: > 0 } pageText
            && !(int.TryParse(pageText, NumberStyles.None, CultureInfo.InvariantCulture, out page) && page >= 1))
        {
            throw new GhostFilterException("'page' must be a number from 1.");
        }

        var alias = resource.IsArticle ? "a" : resource == GhostResource.Tags ? "t" : "au";
        var orderable = resource.IsArticle ? ArticleOrder : NamedOrder;
        var order = new List<string>();
        var orderText = query["order"].ToString();
        foreach (var part in orderText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var words = part.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var field = words[0].ToLowerInvariant();
            var direction = words.Length > 1 ? words[1].ToLowerInvariant() : "asc";
            if (words.Length > 2 || !orderable.Contains(field) || direction is not ("asc" or "desc"))
            {
                throw new GhostFilterException($"'order' must list fields among {string.Join(", ", orderable)}, each with asc or desc.");
            }

            order.Add($"{alias}.{field} {direction.ToUpperInvariant()}{(field == "published_at" ? " NULLS LAST" : "")}");
        }

        if (order.Count == 0)
        {
            order.Add(resource.IsArticle ? "a.published_at DESC" : $"{alias}.name ASC");
        }

        order.Add($"{alias}.id DESC");
        var filter = query["filter"].ToString();
        return new GhostQuery
        {
            Limit = limit,
            Page = page,
            Filter = filter.Length > 0 ? filter : null,
            OrderSql = string.Join(", ", order),
            Include = List(query["include"]),
            Fields = query["fields"].ToString().Length > 0 ? List(query["fields"]) : null,
            Formats = query["formats"].ToString().Length > 0 ? List(query["formats"]) : new HashSet<string> { "html" },
        };
    }

    /// <summary>The object with only the asked <c>fields</c> (all when none were asked), plus what <c>include</c> added.</summary>
    public JsonNode Select(JsonObject item)
    {
        if (Fields is null)
        {
            return item;
        }

        foreach (var name in item.Select(p => p.Key).ToList())
        {
            if (!Fields.Contains(name) && !(Include.Contains(name) || name is "primary_tag" && Include.Contains("tags") || name is "primary_author" && Include.Contains("authors")))
            {
                item.Remove(name);
            }
        }

        return item;
    }

    private static HashSet<string> List(Microsoft.Extensions.Primitives.StringValues values) =>
        values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(v => v.ToLowerInvariant())
            .ToHashSet(StringComparer.Ordinal);
}
