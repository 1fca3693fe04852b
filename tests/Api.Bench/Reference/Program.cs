// tests/Api.Bench/Reference - the yardstick of scripts/bench: the public reads of the News API as a
// careful engineer would write them with nothing around them, independent of the API's code. Kestrel,
// one Npgsql data source, prepared statements of its own SQL (the simplest correct queries for each
// answer: the row, its category, its tags in order), and the rows written straight to JSON; no
// middleware, no validation, no caching, no logging below warnings. The API's ratio to it therefore
// shows the cost of the API's SQL as well as of its own work around the queries.
//
//   GET /v1/articles/{slug}   the public article by slug (body, category, tags), 404 when there is none
//   GET /v1/articles          the newest public articles, newest first: limit 1..100 (default 20),
//                             category=slug (the category and its descendants), q=text (ranked
//                             English full-text search with a highlighted snippet); {"items": [...]}
//   GET /ready                200 once a first SELECT 1 has succeeded, 503 until then
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

    private const string Tags = """
        (SELECT coalesce(json_agg(json_build_object('slug', t.slug, 'name', t.name) ORDER BY at.position), '[]')
         FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id)::text
        """;

    private const string BySlug = $"""
        SELECT a.id, a.slug, a.title, a.summary, a.body_html, a.language, a.published_at, a.updated_at,
               a.byline, a.source, a.image_url, a.image_alt, c.id, c.slug, c.name, {Tags}
        FROM articles a JOIN categories c ON c.id = a.category_id
        WHERE a.slug = $1 AND {Visible}
        """;

    private const string ListColumns = $"""
        a.id, a.slug, a.title, a.summary, a.language, a.published_at, a.image_url, a.image_alt, c.id, c.slug, c.name, {Tags}
        """;

    private const string Newest = $"""
        SELECT {ListColumns}
        FROM articles a JOIN categories c ON c.id = a.category_id
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
        FROM articles a JOIN categories c ON c.id = a.category_id
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
        FROM hits JOIN articles a ON a.id = hits.id JOIN categories c ON c.id = a.category_id
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

        var app = builder.Build();

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
                json.WriteNumber("id", reader.GetInt64(0));
                json.WriteString("slug", reader.GetString(1));
                json.WriteString("title", reader.GetString(2));
                json.WriteString("summary", reader.GetString(3));
                json.WriteString("bodyHtml", reader.GetString(4));
                json.WriteString("language", reader.GetString(5));
                json.WriteString("publishedAt", reader.GetDateTime(6));
                json.WriteString("updatedAt", reader.GetDateTime(7));
                WriteNullable(json, "byline", reader, 8);
                WriteNullable(json, "source", reader, 9);
                WriteImage(json, reader, 10);
                WriteCategory(json, reader, 12);
                json.WritePropertyName("tags");
                json.WriteRawValue(reader.GetString(15), skipInputValidation: true);
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
                    json.WriteNumber("id", reader.GetInt64(0));
                    json.WriteString("slug", reader.GetString(1));
                    json.WriteString("title", reader.GetString(2));
                    json.WriteString("summary", reader.GetString(3));
                    json.WriteString("language", reader.GetString(4));
                    json.WriteString("publishedAt", reader.GetDateTime(5));
                    WriteImage(json, reader, 6);
                    WriteCategory(json, reader, 8);
                    json.WritePropertyName("tags");
                    json.WriteRawValue(reader.GetString(11), skipInputValidation: true);
                    if (reader.FieldCount > 12)
                    {
                        json.WriteString("snippet", reader.GetString(12));
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
        json.WriteEndObject();
    }

    /// <summary>The category: id, slug and name (three columns from <paramref name="ordinal"/>).</summary>
    private static void WriteCategory(Utf8JsonWriter json, NpgsqlDataReader reader, int ordinal)
    {
        json.WriteStartObject("category");
        json.WriteNumber("id", reader.GetInt64(ordinal));
        json.WriteString("slug", reader.GetString(ordinal + 1));
        json.WriteString("name", reader.GetString(ordinal + 2));
        json.WriteEndObject();
    }

    /// <summary>A body serialized up front and sent with its Content-Length, as the API sends its reads.</summary>
    private static IResult JsonBody(MemoryStream body) =>
        Results.Bytes(body.GetBuffer().AsMemory(0, (int)body.Length), "application/json; charset=utf-8");
}
