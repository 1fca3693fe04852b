using Api.Articles;
using Api.Authors;
using Api.Categories;
using Api.Changes;
using Api.Ghost;
using Api.Health;
using Api.Imports;
using Api.Infrastructure;
using Api.Keys;
using Api.Media;
using Api.Shares;
using Api.Shares.Email;
using Api.Syndication;
using Api.Tags;
using Api.Webhooks;

var builder = WebApplication.CreateBuilder(args);
if (KeyCommands.IsCommand(args) || ImportCommand.IsCommand(args))
{
    KeyCommands.ConfigureLogging(builder);
}

builder.AddTelemetry();
builder.AddDatabase();
builder.AddJson();
builder.AddResponseCompressionForReads();
builder.AddReadCache();
builder.AddProblemResponses();
builder.AddRequestLimits();
builder.AddCorsPolicies();
builder.AddSite();
builder.AddRequestValidation();
builder.AddOpenApiDocument();
builder.AddReadiness();
builder.AddApiKeys();
builder.AddRateLimits();
builder.AddArticles();
builder.AddShares();
builder.AddQrCodes();
builder.AddCategories();
builder.AddTags();
builder.AddMedia();
builder.AddAuthors();
builder.AddImports();
builder.AddGhostContentApi();
builder.AddChanges();
builder.AddSyndication();
builder.AddShareEmail();
builder.AddWebhooks();

var app = builder.Build();

app.UseMetricsPort();
app.UseProblemResponses();
app.UseUtf8QueryStrings();
app.UseHeadAsGet();
app.UseRouting();
app.UseRequestBodyLimit();
app.UseCorsPolicies();
app.UseApiKeys();
app.UseQueryParameters();
app.UseReadRouting();
app.UseReadCache();
app.UseResponseCompressionForReads();
app.UseOpenApiDocument();

app.MapHealth();
app.MapMetrics();
app.MapArticles();
app.MapArticleLists();
app.MapRelatedArticles();
app.MapArticleEditing();
app.MapArticleRevisions();
app.MapArticlePreviews();
app.MapShares();
app.MapQrCodes();
app.MapCategories();
app.MapTags();
app.MapMedia();
app.MapAuthors();
app.MapKeys();
app.MapImports();
app.MapImportJobs();
app.MapGhostContentApi();
app.MapChanges();
app.MapSyndication();
app.MapShareEmail();
app.MapWebhooks();

await app.MigrateDatabaseAsync();
await app.LoadSecretsAsync();

if (KeyCommands.IsCommand(args))
{
    return await KeyCommands.RunAsync(app, args);
}

if (ImportCommand.IsCommand(args))
{
    return await ImportCommand.RunAsync(app, args);
}

await app.RunAsync();
return 0;

/// <summary>The application's entry point (public so the tests can host it).</summary>
public partial class Program;
