using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Api.Articles;
using Api.Authors;
using Api.Infrastructure;
using Api.Keys;
using Dapper;
using Microsoft.Extensions.Options;

namespace Api.Ghost;

/// <summary>
/// Ghost's Content API (<c>/ghost/api/content/</c>), served from this service's content, so that a front
/// end built on Ghost (its themes' data layer, Gatsby or Next.js sites using <c>@tryghost/content-api</c>)
/// keeps working while a newsroom moves. Posts, pages, tags, authors and settings, with Ghost's
/// <c>key</c>, <c>filter</c>, <c>include</c>, <c>fields</c>, <c>formats</c>, <c>limit</c>, <c>page</c> and
/// <c>order</c> and its envelope (<c>{"posts": [...], "meta": {"pagination": ...}}</c>) and errors
/// (<c>{"errors": [...]}</c>). It is Ghost's contract, not this service's: it is not in
/// <c>openapi.json</c>. What it leaves out is listed in the README.
/// </summary>
public static class GhostContentApi
{
    public static WebApplicationBuilder AddGhostContentApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<GhostContent>();
        return builder;
    }

    public static void MapGhostContentApi(this WebApplication app)
    {
        // Ghost 5 and later have no version in the path; v2 to v4 clients put theirs there.
        foreach (var prefix in new[] { "/ghost/api/content", "/ghost/api/{version:regex(^(v2|v3|v4|canary)$)}/content" })
        {
            var ghost = app.MapGroup(prefix).ExcludeFromDescription();
            foreach (var resource in new[] { GhostResource.Posts, GhostResource.Pages, GhostResource.Tags, GhostResource.Authors })
            {
                ghost.MapGet($"/{resource.Name}", (HttpContext http, GhostContent content, CancellationToken cancellationToken) =>
                    content.BrowseAsync(http, resource, cancellationToken));
                ghost.MapGet($"/{resource.Name}/slug/{{slug}}", (string slug, HttpContext http, GhostContent content, CancellationToken cancellationToken) =>
                    content.ReadAsync(http, resource, null, slug, cancellationToken));
                ghost.MapGet($"/{resource.Name}/{{id}}", (string id, HttpContext http, GhostContent content, CancellationToken cancellationToken) =>
                    content.ReadAsync(http, resource, id, null, cancellationToken));
            }

            ghost.MapGet("/settings", (HttpContext http, GhostContent content, CancellationToken cancellationToken) => content.SettingsAsync(http, cancellationToken));
            ghost.MapGet("/{resource}", (string resource) => GhostContent.Error(
                StatusCodes.Status404NotFound, "NotFoundError", $"Resource not found: '{resource}' is not served here (tiers, newsletters and offers need Ghost's members)."));
        }
    }
}

/// <summary>A resource of Ghost's Content API.</summary>
public sealed record GhostResource(string Name, string Singular)
{
    public static readonly GhostResource Posts = new("posts", "post");
    public static readonly GhostResource Pages = new("pages", "page");
    public static readonly GhostResource Tags = new("tags", "tag");
    public static readonly GhostResource Authors = new("authors", "author");

    public bool IsArticle => this == Posts || this == Pages;
}

/// <summary>The Ghost Content API's answers (see <see cref="GhostContentApi"/>).</summary>
public sealed class GhostContent(
    ReadSource reads, ArticleViews articles, ApiKeyStore keys, AuthorMapping authors, IOptions<SiteOptions> site)
{
    public const int DefaultLimit = 15;
    public const int MaxLimit = 1000;

    public async Task<IResult> BrowseAsync(HttpContext http, GhostResource resource, CancellationToken cancellationToken)
    {
        if (await RefusedAsync(http, cancellationToken) is { } refused)
        {
            return refused;
        }

        GhostQuery parsed;
        var parameters = new DynamicParameters();
        string where;
        try
        {
            parsed = GhostQuery.Parse(http.Request.Query, resource);
            where = parsed.Filter is { } filter ? GhostFilter.ToSql(filter, name => Field(resource, name), parameters) : "TRUE";
        }
        catch (GhostFilterException e)
        {
            return Error(StatusCodes.Status400BadRequest, "BadRequestError", $"Validation error, cannot list {resource.Name}.", e.Message);
        }

        var from = From(resource);
        await using var connection = await reads.OpenAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            $"SELECT count(*)::int FROM {from} AND ({where})", parameters, cancellationToken: cancellationToken));
        var limit = parsed.Limit ?? Math.Max(total, 1);
        parameters.Add("take", limit);
        parameters.Add("skip", (long)(parsed.Page - 1) * limit);
        var ids = (await connection.QueryAsync<long>(new CommandDefinition(
            $"SELECT {Alias(resource)}.id FROM {from} AND ({where}) ORDER BY {parsed.OrderSql} LIMIT @take OFFSET @skip",
            parameters, cancellationToken: cancellationToken))).AsList();
        var items = await RenderAsync(resource, ids, parsed, connection, cancellationToken);
        var pages = total == 0 ? 1 : (int)Math.Ceiling(total / (double)limit);
        var body = new JsonObject
        {
            [resource.Name] = new JsonArray([.. items]),
            ["meta"] = new JsonObject
            {
                ["pagination"] = new JsonObject
                {
                    ["page"] = parsed.Page,
                    ["limit"] = parsed.Limit is null ? JsonValue.Create("all") : JsonValue.Create(limit),
                    ["pages"] = pages,
                    ["total"] = total,
                    ["next"] = parsed.Page < pages ? JsonValue.Create(parsed.Page + 1) : null,
                    ["prev"] = parsed.Page > 1 ? JsonValue.Create(parsed.Page - 1) : null,
                },
            },
        };
        return Json(StatusCodes.Status200OK, body);
    }

    public async Task<IResult> ReadAsync(HttpContext http, GhostResource resource, string? id, string? slug, CancellationToken cancellationToken)
    {
        if (await RefusedAsync(http, cancellationToken) is { } refused)
        {
            return refused;
        }

        GhostQuery parsed;
        try
        {
            parsed = GhostQuery.Parse(http.Request.Query, resource);
        }
        catch (GhostFilterException e)
        {
            return Error(StatusCodes.Status400BadRequest, "BadRequestError", $"Validation error, cannot read {resource.Singular}.", e.Message);
        }

        var notFound = Error(StatusCodes.Status404NotFound, "NotFoundError", $"{char.ToUpperInvariant(resource.Singular[0])}{resource.Singular[1..]} not found.");
        if (id is not null && !long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            return notFound;
        }

        await using var connection = await reads.OpenAsync(cancellationToken);
        var found = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            $"SELECT {Alias(resource)}.id FROM {From(resource)} AND {Alias(resource)}.{(id is null ? "slug = @key" : "id = @key")}",
            new { key = id is null ? (object)slug! : long.Parse(id, CultureInfo.InvariantCulture) },
            cancellationToken: cancellationToken));
        if (found is not { } key)
        {
            return notFound;
        }

        var items = await RenderAsync(resource, [key], parsed, connection, cancellationToken);
        return items.Count == 0 ? notFound : Json(StatusCodes.Status200OK, new JsonObject { [resource.Name] = new JsonArray([.. items]) });
    }

    public async Task<IResult> SettingsAsync(HttpContext http, CancellationToken cancellationToken)
    {
        if (await RefusedAsync(http, cancellationToken) is { } refused)
        {
            return refused;
        }

        var settings = new JsonObject
        {
            ["title"] = site.Value.Name,
            ["description"] = "",
            ["logo"] = null,
            ["icon"] = null,
            ["accent_color"] = null,
            ["cover_image"] = null,
            ["facebook"] = null,
            ["twitter"] = null,
            ["lang"] = "en",
            ["locale"] = "en",
            ["timezone"] = "Etc/UTC",
            ["codeinjection_head"] = null,
            ["codeinjection_foot"] = null,
            ["navigation"] = new JsonArray(),
            ["secondary_navigation"] = new JsonArray(),
            ["meta_title"] = null,
            ["meta_description"] = null,
            ["og_image"] = null,
            ["og_title"] = null,
            ["og_description"] = null,
            ["twitter_image"] = null,
            ["twitter_title"] = null,
            ["twitter_description"] = null,
            ["members_support_address"] = null,
            ["url"] = SiteOrigin + "/",
        };
        return Json(StatusCodes.Status200OK, new JsonObject { ["settings"] = settings, ["meta"] = new JsonObject() });
    }

    /// <summary>Ghost's answers when the key is missing (403) or not a Content API key of this service (401).</summary>
    private async Task<IResult?> RefusedAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var key = http.Request.Query["key"].ToString();
        if (key.Length == 0)
        {
            return Error(
                StatusCodes.Status403Forbidden, "NoPermissionError", "Authorization failed",
                "Unable to determine the authenticated member or integration. Check the supplied Content API Key.");
        }

        if (!ApiKeyStore.LooksLikeGhostKey(key)
            || await keys.FindActiveAsync(key, cancellationToken) is not { } found
            || !found.Scopes.Contains(Scopes.GhostContent))
        {
            return Error(StatusCodes.Status401Unauthorized, "UnauthorizedError", "Unknown Content API Key");
        }

        return null;
    }

    /// <summary>The rows a resource lists (visible articles; tags and authors that some visible post has), as "table alias WHERE ...".</summary>
    private static string From(GhostResource resource)
    {
        if (resource.IsArticle)
        {
            var kind = resource == GhostResource.Pages ? "a.kind = 'page'" : "a.kind <> 'page'";
            return $"articles a LEFT JOIN article_lists l ON l.article_id = a.id WHERE {ArticleStore.Visible} AND {kind}";
        }

        return resource == GhostResource.Tags
            ? $"tags t WHERE EXISTS (SELECT 1 FROM article_tags at JOIN articles a ON a.id = at.article_id WHERE at.tag_id = t.id AND {ArticleStore.Visible} AND a.kind <> 'page')"
            : $"authors au WHERE EXISTS (SELECT 1 FROM article_authors aa JOIN articles a ON a.id = aa.article_id WHERE aa.author_id = au.id AND {ArticleStore.Visible})";
    }

    private static string Alias(GhostResource resource) => resource.IsArticle ? "a" : resource == GhostResource.Tags ? "t" : "au";

    /// <summary>The fields a filter may name, by resource.</summary>
    private static GhostField? Field(GhostResource resource, string name)
    {
        if (resource.IsArticle)
        {
            return name switch
            {
                "id" => new GhostField.Column("a.id", typeof(long)),
                "slug" => new GhostField.Column("a.slug", typeof(string)),
                "title" => new GhostField.Column("a.title", typeof(string)),
                "published_at" => new GhostField.Column("a.published_at", typeof(DateTime)),
                "updated_at" => new GhostField.Column("a.updated_at", typeof(DateTime)),
                "created_at" => new GhostField.Column("a.created_at", typeof(DateTime)),
                "tag" or "tags" or "tags.slug" => new GhostField.Related(
                    "SELECT 1 FROM article_tags ft JOIN tags fg ON fg.id = ft.tag_id WHERE ft.article_id = a.id", "fg.slug"),
                "tags.name" => new GhostField.Related(
                    "SELECT 1 FROM article_tags ft JOIN tags fg ON fg.id = ft.tag_id WHERE ft.article_id = a.id", "fg.name"),
                "author" or "authors" or "authors.slug" => new GhostField.Related(
                    "SELECT 1 FROM article_authors fa JOIN authors fu ON fu.id = fa.author_id WHERE fa.article_id = a.id", "fu.slug"),
                "primary_tag" or "primary_tag.slug" => new GhostField.Column("(l.tags -> 0 ->> 'slug')", typeof(string)),
                "primary_author" or "primary_author.slug" => new GhostField.Column("(l.authors -> 0 ->> 'slug')", typeof(string)),
                "featured" => new GhostField.Constant(false),
                "visibility" => new GhostField.Constant("public"),
                "status" => new GhostField.Constant("published"),
                "type" => new GhostField.Constant(resource.Singular),
                _ => null,
            };
        }

        var alias = Alias(resource);
        return name switch
        {
            "id" => new GhostField.Column($"{alias}.id", typeof(long)),
            "slug" => new GhostField.Column($"{alias}.slug", typeof(string)),
            "name" => new GhostField.Column($"{alias}.name", typeof(string)),
            "visibility" when resource == GhostResource.Tags => new GhostField.Constant("public"),
            _ => null,
        };
    }

    private async Task<List<JsonNode>> RenderAsync(
        GhostResource resource, IReadOnlyList<long> ids, GhostQuery query, Npgsql.NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (resource == GhostResource.Tags)
        {
            var tags = (await connection.QueryAsync<(long Id, string Slug, string Name, int Posts)>(new CommandDefinition($"""
                SELECT t.id, t.slug, t.name,
                       (SELECT count(*)::int FROM article_tags at JOIN articles a ON a.id = at.article_id WHERE at.tag_id = t.id AND {ArticleStore.Visible} AND a.kind <> 'page')
                FROM tags t WHERE t.id = ANY(@ids)
                """, new { ids = ids.ToArray() }, cancellationToken: cancellationToken))).ToDictionary(t => t.Id);
            return ids.Where(tags.ContainsKey)
                .Select(id => query.Select(Tag(tags[id].Id, tags[id].Slug, tags[id].Name, query.CountPosts ? tags[id].Posts : null)))
                .ToList();
        }

        if (resource == GhostResource.Authors)
        {
            var found = await AuthorsAsync(connection, ids, query.CountPosts, cancellationToken);
            return ids.Where(found.ContainsKey).Select(id => query.Select(found[id])).ToList();
        }

        var rendered = new List<ArticleDto>(ids.Count);
        foreach (var id in ids)
        {
            if (await articles.RenderAsync(id, ArticleStore.Audience.Public, cancellationToken, connection) is { } view)
            {
                rendered.Add(view.Article);
            }
        }

        Dictionary<string, long> tagIds = [];
        if (query.Includes("tags"))
        {
            var slugs = rendered.SelectMany(a => a.Tags.Select(t => t.Slug)).Distinct(StringComparer.Ordinal).ToArray();
            tagIds = (await connection.QueryAsync<(string Slug, long Id)>(new CommandDefinition(
                "SELECT slug, id FROM tags WHERE slug = ANY(@slugs)", new { slugs }, cancellationToken: cancellationToken))).ToDictionary(t => t.Slug, t => t.Id);
        }

        Dictionary<long, JsonObject> authorObjects = [];
        if (query.Includes("authors"))
        {
            authorObjects = await AuthorsAsync(connection, rendered.SelectMany(a => a.Authors.Select(au => au.Id)).Distinct().ToList(), false, cancellationToken);
        }

        return rendered.Select(article => query.Select(Post(article, query, tagIds, authorObjects))).ToList();
    }

    private async Task<Dictionary<long, JsonObject>> AuthorsAsync(Npgsql.NpgsqlConnection connection, IReadOnlyList<long> ids, bool countPosts, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<AuthorRow>(new CommandDefinition(
            $"SELECT {AuthorStore.Columns} FROM authors au WHERE au.id = ANY(@ids)", new { ids = ids.ToArray() }, cancellationToken: cancellationToken));
        var counts = countPosts
            ? (await connection.QueryAsync<(long Id, int Posts)>(new CommandDefinition($"""
                SELECT aa.author_id, count(*)::int FROM article_authors aa JOIN articles a ON a.id = aa.article_id
                WHERE aa.author_id = ANY(@ids) AND {ArticleStore.Visible} AND a.kind <> 'page' GROUP BY aa.author_id
                """, new { ids = ids.ToArray() }, cancellationToken: cancellationToken))).ToDictionary(c => c.Id, c => c.Posts)
            : [];
        return rows.ToDictionary(r => r.Id, r =>
        {
            var dto = authors.ToDto(r, editor: false);
            var author = new JsonObject
            {
                ["id"] = Id(dto.Id),
                ["name"] = dto.Name,
                ["slug"] = dto.Slug,
                ["profile_image"] = dto.Photo?.Url,
                ["cover_image"] = null,
                ["bio"] = dto.Bio,
                ["website"] = dto.Links.FirstOrDefault()?.Url,
                ["location"] = null,
                ["facebook"] = null,
                ["twitter"] = null,
                ["meta_title"] = null,
                ["meta_description"] = null,
                ["url"] = $"{SiteOrigin}/author/{dto.Slug}/",
            };
            if (countPosts)
            {
                author["count"] = new JsonObject { ["posts"] = counts.GetValueOrDefault(r.Id) };
            }

            return author;
        });
    }

    private JsonObject Tag(long id, string slug, string name, int? posts)
    {
        var tag = new JsonObject
        {
            ["id"] = Id(id),
            ["name"] = name,
            ["slug"] = slug,
            ["description"] = null,
            ["feature_image"] = null,
            ["visibility"] = "public",
            ["og_image"] = null,
            ["og_title"] = null,
            ["og_description"] = null,
            ["twitter_image"] = null,
            ["twitter_title"] = null,
            ["twitter_description"] = null,
            ["meta_title"] = null,
            ["meta_description"] = null,
            ["codeinjection_head"] = null,
            ["codeinjection_foot"] = null,
            ["canonical_url"] = null,
            ["accent_color"] = null,
            ["url"] = $"{SiteOrigin}/tag/{slug}/",
        };
        if (posts is { } count)
        {
            tag["count"] = new JsonObject { ["posts"] = count };
        }

        return tag;
    }

    private JsonObject Post(ArticleDto article, GhostQuery query, Dictionary<string, long> tagIds, Dictionary<long, JsonObject> authorObjects)
    {
        var url = site.Value.ArticleUrl(article.Id, article.Slug);
        var text = article.BodyText ?? "";
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        var post = new JsonObject
        {
            ["id"] = Id(article.Id),
            ["uuid"] = Uuid(article.Id),
            ["title"] = article.Title,
            ["slug"] = article.Slug,
        };
        if (query.Formats.Contains("html"))
        {
            post["html"] = article.BodyHtml;
        }

        if (query.Formats.Contains("plaintext"))
        {
            post["plaintext"] = text;
        }

        post["comment_id"] = Id(article.Id);
        post["feature_image"] = article.Image?.Url;
        post["featured"] = false;
        post["visibility"] = "public";
        post["created_at"] = Date(article.CreatedAt);
        post["updated_at"] = Date(article.UpdatedAt);
        post["published_at"] = article.PublishedAt is { } published ? Date(published) : null;
        post["custom_excerpt"] = article.Summary.Length > 0 ? article.Summary : null;
        post["codeinjection_head"] = null;
        post["codeinjection_foot"] = null;
        post["custom_template"] = null;
        post["canonical_url"] = article.CanonicalUrl != url ? article.CanonicalUrl : null;
        if (query.Includes("tags"))
        {
            var tags = article.Tags.Select(t => (JsonNode)Tag(tagIds.GetValueOrDefault(t.Slug), t.Slug, t.Name, null)).ToList();
            post["tags"] = new JsonArray([.. tags]);
            post["primary_tag"] = tags.Count > 0 ? Tag(tagIds.GetValueOrDefault(article.Tags[0].Slug), article.Tags[0].Slug, article.Tags[0].Name, null) : null;
        }

        if (query.Includes("authors"))
        {
            var bylines = article.Authors.Where(a => authorObjects.ContainsKey(a.Id)).Select(a => (JsonNode)authorObjects[a.Id].DeepClone()).ToList();
            post["authors"] = new JsonArray([.. bylines]);
            post["primary_author"] = bylines.Count > 0 ? bylines[0].DeepClone() : null;
        }

        post["url"] = url;
        post["excerpt"] = article.Summary.Length > 0 ? article.Summary : text.Length <= 500 ? text : text[..500];
        post["reading_time"] = (int)Math.Ceiling(words / 275.0);
        post["access"] = true;
        post["comments"] = false;
        post["og_image"] = null;
        post["og_title"] = null;
        post["og_description"] = null;
        post["twitter_image"] = null;
        post["twitter_title"] = null;
        post["twitter_description"] = null;
        post["meta_title"] = null;
        post["meta_description"] = null;
        post["email_subject"] = null;
        post["frontmatter"] = null;
        post["feature_image_alt"] = article.Image is { Alt.Length: > 0 } image ? image.Alt : null;
        post["feature_image_caption"] = article.Image?.Caption;
        return post;
    }

    /// <summary>The scheme and host of the site's article addresses (Site:ArticleUrlTemplate), where Ghost's tag and author pages would be.</summary>
    private string SiteOrigin =>
        Uri.TryCreate(site.Value.ArticleUrlTemplate.Replace("{slug}", "x").Replace("{id}", "1"), UriKind.Absolute, out var uri)
            ? uri.GetLeftPart(UriPartial.Authority)
            : "";

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>A stable UUID per article (Ghost gives each post one).</summary>
    private static string Uuid(long id)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"news-api:article:{id}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString();
    }

    private static string Date(DateTime value) =>
        DateTime.SpecifyKind(value, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+00:00'", CultureInfo.InvariantCulture);

    private static IResult Json(int status, JsonObject body) =>
        Results.Text(body.ToJsonString(), "application/json; charset=utf-8", Encoding.UTF8, status);

    /// <summary>Ghost's error envelope.</summary>
    public static IResult Error(int status, string type, string message, string? context = null) =>
        Json(status, new JsonObject
        {
            ["errors"] = new JsonArray(new JsonObject
            {
                ["message"] = message,
                ["context"] = context,
                ["type"] = type,
                ["details"] = null,
                ["property"] = null,
                ["help"] = null,
                ["code"] = null,
                ["id"] = Guid.NewGuid().ToString(),
            }),
        });
}
