// tests/Api.Bench/Reference - the yardstick of scripts/bench: the public reads of the News API as a
// careful engineer would write them with nothing around them, independent of the API's code. Kestrel,
// one Npgsql data source, prepared statements of its own SQL (the simplest correct queries for each
// answer: the rows, and each row's tags, translations, authors and corrections as JSON from
// subqueries), and the rows written straight to JSON; no middleware, no validation, no caching, no
// logging below warnings. It sends the same document as the API's public reads (the same members
// with the same values; its JSON arrays come from PostgreSQL as they are), so the API's ratio to it
// shows the cost of the API's SQL as well as of its own work around the queries. The category tree
// (a few dozen rows) is read once at start, breadcrumbs are written from memory; library images are
// out of its scope (the bench content has none).
//
//   GET /v1/articles/{slug}   the public article by slug, 404 when there is none
//   GET /v1/articles          the newest public articles, newest first: limit 1..100 (default 20),
//                             category=slug (the category and its descendants), q=text (ranked
//                             English full-text search with a highlighted snippet); {"items": [...]}
//   GET /ready                200 once a first SELECT 1 has succeeded and the categories are read,
//                             503 until then
//
// Settings (environment): ASPNETCORE_URLS (where it listens) and ConnectionStrings__Content. The
// connection string gets the pool size the API's defaults use (Database.WithDefaults), nothing else
// from the API.

using System.Data.Common;
using System.Text.Encodings.Web;
using System.Text.Json;
using Api.Infrastructure;
using Microsoft.Extensions.Logging.Console;
using Npgsql;
using NpgsqlTypes;

namespace NewsApi.Bench.Reference;

public static class ReferenceApp
{
    private const string Visible = "a.status = 'published' AND a.published_at <= now() AND a.deleted_at IS NULL";

    // The related rows of an article, each as the text of a compact JSON array (row_to_json), in the
    // order the API gives them.

    private const string Tags = """
        (SELECT coalesce('[' || string_agg(row_to_json(x)::text, ',' ORDER BY at.position) || ']', '[]')
         FROM article_tags at JOIN tags t ON t.id = at.tag_id, LATERAL (SELECT t.slug, t.name) x
         WHERE at.article_id = a.id)
        """;

    private const string Translations = """
        (SELECT coalesce('[' || string_agg(row_to_json(x)::text, ',' ORDER BY t.language, t.id) || ']', '[]')
         FROM articles t, LATERAL (SELECT t.id, t.slug, t.language) x
         WHERE t.translation_group = a.translation_group AND t.id <> a.id
           AND t.status = 'published' AND t.published_at <= now() AND t.deleted_at IS NULL)
        """;

    private const string Authors = """
        (SELECT coalesce('[' || string_agg(row_to_json(x)::text, ',' ORDER BY aa.position) || ']', '[]')
         FROM article_authors aa JOIN authors au ON au.id = aa.author_id, LATERAL (SELECT au.id, au.slug, au.name, au.title) x
         WHERE aa.article_id = a.id)
        """;

    private const string Corrections = """
        (SELECT coalesce('[' || string_agg(row_to_json(x)::text, ',' ORDER BY c.created_at, c.id) || ']', '[]')
         FROM article_corrections c, LATERAL (SELECT c.id, c.kind, c.text, c.created_at AS "createdAt") x
         WHERE c.article_id = a.id)
        """;

    /// <summary>What an article and a list item share, in the API's order (from column 0).</summary>
    private const string Head = "a.id, a.slug, a.title, a.summary";

    /// <summary>The rest of a list item or an article, after the body (17 columns).</summary>
    private const string Tail = $"""
        a.language, a.published_at, a.updated_at, a.canonical_url, a.byline, a.source, a.image_url, a.image_alt,
        a.category_id, {Tags}, {Translations}, {Authors}, a.dateline, a.kind, {Corrections}, a.content_modified_at
        """;

    private const string BySlug = $"""
        SELECT {Head}, a.body_html, {Tail}
        FROM articles a
        WHERE a.slug = $1 AND {Visible}
        """;

    private const string ListColumns = $"{Head}, {Tail}";

    private const string Newest = $"""
        SELECT {ListColumns}
        FROM articles a
        WHERE {Visible}
        ORDER BY a.published_at DESC, a.id DESC
        LIMIT $1
        """;

    private const string InCategory = $"""
        WITH RECURSIVE tree AS (
            SELECT id FROM categories WHERE slug = $2
            UNION ALL
            SELECT child.id FROM categories child JOIN tree ON child.parent_id = tree.id
        )
        SELECT {ListColumns}
        FROM articles a
        WHERE a.category_id IN (SELECT id FROM tree) AND {Visible}
        ORDER BY a.published_at DESC, a.id DESC
        LIMIT $1
        """;

    private const string Search = $"""
        WITH hits AS (
            SELECT a.id, ts_rank_cd(a.search_vector, q, 32) AS rank
            FROM articles a, websearch_to_tsquery('english', $2) q
            WHERE a.search_vector @@ q AND {Visible}
            ORDER BY rank DESC, a.published_at DESC, a.id DESC
            LIMIT $1
        )
        SELECT {ListColumns},
               ts_headline('english', a.body_text, websearch_to_tsquery('english', $2), 'MaxWords=30, MinWords=12, MaxFragments=2')
        FROM hits JOIN articles a ON a.id = hits.id
        ORDER BY hits.rank DESC, a.published_at DESC, a.id DESC
        """;

    /// <summary>Non-ASCII text as UTF-8 (ASP.NET Core's relaxed escaping), so bodies compare in size with the API's.</summary>
    private static readonly JsonWriterOptions Writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static int ready;

    public static async Task<int> Main(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);

        // The API's project reference brings its appsettings.json along; whatever it says, this
        // app logs warnings and errors only, as plain text.
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(options => options.SingleLine = true);
        builder.Logging.AddFilter<ConsoleLoggerProvider>(category: null, LogLevel.Warning);

        var connectionString = builder.Configuration.GetConnectionString(Database.ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            await Console.Error.WriteLineAsync("error: set ConnectionStrings__Content");
            return 2;
        }

        var dataSourceBuilder = new NpgsqlDataSourceBuilder(Database.WithDefaults(connectionString));
        dataSourceBuilder.ConnectionStringBuilder.ApplicationName ??= "news-api-bench-reference";
        await using var dataSource = dataSourceBuilder.Build();

        var homeName = builder.Configuration["Site:HomeName"] ?? "Home";
        var app = builder.Build();
        Site? site = null;

        app.MapGet("/ready", async (CancellationToken cancellationToken) =>
        {
            if (Volatile.Read(ref ready) == 1)
            {
                return Results.Text("ready\n");
            }

            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync(cancellationToken);
                site = new Site(
                    app.Configuration["Site:ArticleUrlTemplate"] ?? "https://news.example.com/articles/{slug}",
                    await CategoryTree.LoadAsync(dataSource, homeName));
                Volatile.Write(ref ready, 1);
                return Results.Text("ready\n");
            }
            catch (Exception e) when (e is DbException or TimeoutException)
            {
                return Results.Text("the database does not answer\n", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });

        app.MapGet("/v1/articles/{slug}", async (string slug, CancellationToken cancellationToken) =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var command = await PreparedAsync(connection, BySlug, cancellationToken, (NpgsqlDbType.Text, slug));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return Results.NotFound();
            }

            using var body = new MemoryStream();
            using (var json = new Utf8JsonWriter(body, Writer))
            {
                json.WriteStartObject();
                WriteHead(json, reader);
                json.WriteString("bodyHtml", reader.GetString(4));
                WriteTail(json, reader, 5, site!);
                // Library images are out of the reference's scope (the bench content has none); public
                // reads never see an article under embargo.
                json.WriteStartArray("media");
                json.WriteEndArray();
                json.WriteBoolean("embargoed", false);
                json.WriteEndObject();
            }

            return JsonBody(body);
        });

        app.MapGet("/v1/articles", async (HttpRequest request, CancellationToken cancellationToken) =>
        {
            var limit = 20;
            if (request.Query.TryGetValue("limit", out var given)
                && (!int.TryParse(given, out limit) || limit is < 1 or > 100))
            {
                return Results.Text("limit must be an integer from 1 to 100\n", statusCode: StatusCodes.Status400BadRequest);
            }

            string? category = request.Query["category"];
            string? q = request.Query["q"];
            var (sql, text) = q is { Length: > 0 } ? (Search, q) : category is { Length: > 0 } ? (InCategory, category) : (Newest, null);
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var command = text is null
                ? await PreparedAsync(connection, sql, cancellationToken, (NpgsqlDbType.Integer, limit))
                : await PreparedAsync(connection, sql, cancellationToken, (NpgsqlDbType.Integer, limit), (NpgsqlDbType.Text, text));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            using var body = new MemoryStream();
            using (var json = new Utf8JsonWriter(body, Writer))
            {
                json.WriteStartObject();
                json.WriteStartArray("items");
                while (await reader.ReadAsync(cancellationToken))
                {
                    json.WriteStartObject();
                    WriteHead(json, reader);
                    WriteTail(json, reader, 4, site!);
                    if (reader.FieldCount > 21)
                    {
                        json.WriteString("snippet", reader.GetString(21));
                    }

                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            return JsonBody(body);
        });

        await app.RunAsync();
        return 0;
    }

    /// <summary>The statement prepared on this physical connection (Npgsql keeps it across pool checkouts).</summary>
    private static async Task<NpgsqlCommand> PreparedAsync(
        NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (NpgsqlDbType Type, object Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var (type, value) in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = type, Value = value });
        }

        await command.PrepareAsync(cancellationToken);
        return command;
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, NpgsqlDataReader reader, int ordinal)
    {
        if (reader.IsDBNull(ordinal))
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, reader.GetString(ordinal));
        }
    }

    private static void WriteHead(Utf8JsonWriter json, NpgsqlDataReader reader)
    {
        json.WriteNumber("id", reader.GetInt64(0));
        json.WriteString("slug", reader.GetString(1));
        json.WriteString("title", reader.GetString(2));
        json.WriteString("summary", reader.GetString(3));
    }

    /// <summary>The members after the body, from the 17 columns of <see cref="Tail"/> at <paramref name="at"/>.</summary>
    private static void WriteTail(Utf8JsonWriter json, NpgsqlDataReader reader, int at, Site site)
    {
        json.WriteString("language", reader.GetString(at));
        json.WriteString("publishedAt", reader.GetDateTime(at + 1));
        json.WriteString("updatedAt", reader.GetDateTime(at + 2));
        json.WriteString("canonicalUrl", reader.IsDBNull(at + 3) ? site.ArticleUrl(reader.GetInt64(0), reader.GetString(1)) : reader.GetString(at + 3));
        WriteNullable(json, "byline", reader, at + 4);
        WriteNullable(json, "source", reader, at + 5);
        WriteImage(json, reader, at + 6);
        site.Categories.Write(json, reader.GetInt64(at + 8));
        json.WritePropertyName("tags");
        json.WriteRawValue(reader.GetString(at + 9), skipInputValidation: true);
        json.WritePropertyName("translations");
        json.WriteRawValue(reader.GetString(at + 10), skipInputValidation: true);
        json.WritePropertyName("authors");
        json.WriteRawValue(reader.GetString(at + 11), skipInputValidation: true);
        WriteNullable(json, "dateline", reader, at + 12);
        json.WriteString("kind", reader.GetString(at + 13));
        json.WritePropertyName("corrections");
        json.WriteRawValue(reader.GetString(at + 14), skipInputValidation: true);
        if (reader.IsDBNull(at + 15))
        {
            json.WriteNull("contentModifiedAt");
        }
        else
        {
            json.WriteString("contentModifiedAt", reader.GetDateTime(at + 15));
        }
    }

    /// <summary>
    /// The public site's settings (Site:ArticleUrlTemplate and Site:HomeName, read as the API's
    /// appsettings.json gives them) and its categories.
    /// </summary>
    private sealed class Site(string articleUrlTemplate, CategoryTree categories)
    {
        public CategoryTree Categories => categories;

        public string ArticleUrl(long id, string slug) =>
            articleUrlTemplate.Replace("{slug}", slug, StringComparison.Ordinal).Replace("{id}", id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    /// <summary>
    /// The category tree (a few dozen rows), read once at start: each category's member of an article,
    /// breadcrumb included, is written from memory. The bench never edits categories during a run; a
    /// category the tree does not know is an error, not a stale answer.
    /// </summary>
    private sealed class CategoryTree(Dictionary<long, (string Slug, string Name, long? Parent)> rows, string homeName)
    {
        public static async Task<CategoryTree> LoadAsync(NpgsqlDataSource dataSource, string homeName)
        {
            var rows = new Dictionary<long, (string, string, long?)>();
            await using var connection = await dataSource.OpenConnectionAsync();
            await using var command = new NpgsqlCommand("SELECT id, slug, name, parent_id FROM categories", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows[reader.GetInt64(0)] = (reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetInt64(3));
            }

            return new CategoryTree(rows, homeName);
        }

        public void Write(Utf8JsonWriter json, long id)
        {
            var (slug, name, _) = rows[id];
            json.WriteStartObject("category");
            json.WriteNumber("id", id);
            json.WriteString("slug", slug);
            json.WriteString("name", name);
            json.WriteStartArray("breadcrumb");
            json.WriteStartObject();
            json.WriteNull("id");
            json.WriteNull("slug");
            json.WriteString("name", homeName);
            json.WriteEndObject();
            WriteFromTop(json, id);
            json.WriteEndArray();
            json.WriteEndObject();
        }

        private void WriteFromTop(Utf8JsonWriter json, long id)
        {
            var (slug, name, parent) = rows[id];
            if (parent is { } above)
            {
                WriteFromTop(json, above);
            }

            json.WriteStartObject();
            json.WriteNumber("id", id);
            json.WriteString("slug", slug);
            json.WriteString("name", name);
            json.WriteEndObject();
        }
    }

    private static readonly string[] ExternalImageNulls = ["mediumId", "width", "height", "caption", "credit", "copyright", "dominantColor", "placeholder", "renditions"];

    /// <summary>The image: its URL and alt text (two columns from <paramref name="ordinal"/>), or null.</summary>
    private static void WriteImage(Utf8JsonWriter json, NpgsqlDataReader reader, int ordinal)
    {
        if (reader.IsDBNull(ordinal))
        {
            json.WriteNull("image");
            return;
        }

        json.WriteStartObject("image");
        json.WriteString("url", reader.GetString(ordinal));
        json.WriteString("alt", reader.IsDBNull(ordinal + 1) ? "" : reader.GetString(ordinal + 1));
        // What a library medium would give: none for an external image.
        foreach (var member in ExternalImageNulls)
        {
            json.WriteNull(member);
        }

        json.WriteEndObject();
    }

    /// <summary>A body serialized up front and sent with its Content-Length, as the API sends its reads.</summary>
    private static IResult JsonBody(MemoryStream body) =>
        Results.Bytes(body.GetBuffer().AsMemory(0, (int)body.Length), "application/json; charset=utf-8");
}
