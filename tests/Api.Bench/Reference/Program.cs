// tests/Api.Bench/Reference - the yardstick of scripts/bench: the News API's two hottest public
// reads with nothing around them. Kestrel, one Npgsql data source, Dapper and source-generated
// System.Text.Json; no middleware, no validation, no caching, no logging below warnings.
//
// It runs exactly the API's SQL (ArticleStore.PublicBySlugSql and ArticleStore.ListCommand) with
// the API's connection defaults (Database.WithDefaults: pool size, timeouts), so what separates
// the two apps in the figures is the API's own work around the queries.
//
//   GET /v1/articles/{slug}   the public article by slug: its row as JSON, 404 when there is none
//   GET /v1/articles          the first page of the public list, newest first (limit 1..100,
//                             default 20; no filters, no cursor): {"items": [rows]}
//   GET /ready                200 once a first SELECT 1 has succeeded, 503 until then
//
// Settings (environment): ASPNETCORE_URLS (where it listens) and ConnectionStrings__Content.

using System.Data.Common;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Api.Articles;
using Api.Infrastructure;
using Dapper;
using Microsoft.Extensions.Logging.Console;
using Npgsql;

namespace NewsApi.Bench.Reference;

public static class ReferenceApp
{
    /// <summary>The fields the API's lists return when the request names none (no body, no snippet).</summary>
    private static readonly IReadOnlySet<string> DefaultListFields = ArticleFields.ListDefaults(search: false);

    /// <summary>
    /// camelCase and the relaxed escaping of ASP.NET Core's JSON options (which the API uses):
    /// non-ASCII text goes out as UTF-8, not as \u escapes, so bodies compare in size.
    /// </summary>
    private static readonly ReferenceJson Json = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

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

        // As the API does (Database.AddDatabase): snake_case columns map to the rows' properties.
        DefaultTypeMap.MatchNamesWithUnderscores = true;

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
                await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: cancellationToken));
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
            var row = await connection.QuerySingleOrDefaultAsync<ArticleRow>(
                new CommandDefinition(ArticleStore.PublicBySlugSql, new { slug }, cancellationToken: cancellationToken));
            return row is null ? Results.NotFound() : JsonBody(JsonSerializer.SerializeToUtf8Bytes(row, Json.ArticleRow));
        });

        app.MapGet("/v1/articles", async (HttpRequest request, CancellationToken cancellationToken) =>
        {
            var limit = 20;
            if (request.Query.TryGetValue("limit", out var given)
                && (!int.TryParse(given, out limit) || limit is < 1 or > 100))
            {
                return Results.Text("limit must be an integer from 1 to 100\n", statusCode: StatusCodes.Status400BadRequest);
            }

            // The query the API builds for GET /v1/articles?limit=N (ArticleListQuery.From).
            var query = new ArticleListQuery(
                CategoryIds: null,
                Tags: null,
                Language: null,
                PublishedAfter: null,
                PublishedBefore: null,
                Search: null,
                Ids: null,
                Sort: ArticleSort.PublishedDescending,
                Limit: limit,
                Count: false,
                Fields: DefaultListFields);
            var (sql, parameters) = ArticleStore.ListCommand(query, after: null);
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            var rows = (await connection.QueryAsync<ArticleRow>(
                new CommandDefinition(sql, parameters, cancellationToken: cancellationToken))).AsList();

            // The command reads one row more than the page, to tell whether another page follows.
            if (rows.Count > limit)
            {
                rows.RemoveRange(limit, rows.Count - limit);
            }

            return JsonBody(JsonSerializer.SerializeToUtf8Bytes(new ArticlePage(rows), Json.ArticlePage));
        });

        await app.RunAsync();
        return 0;
    }

    /// <summary>A body serialized up front and sent with its Content-Length, as the API sends its reads.</summary>
    private static IResult JsonBody(byte[] body) => Results.Bytes(body, "application/json; charset=utf-8");
}

/// <summary>A page of the list: the rows as the store returns them.</summary>
public sealed record ArticlePage(List<ArticleRow> Items);

/// <summary>Serialization metadata of the two bodies, generated at build time (options: see ReferenceApp.Json).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ArticleRow))]
[JsonSerializable(typeof(ArticlePage))]
internal sealed partial class ReferenceJson : JsonSerializerContext;
