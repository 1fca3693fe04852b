using Api.Articles;
using Api.Categories;
using Api.Health;
using Api.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.AddDatabase();
builder.AddJson();
builder.AddProblemResponses();
builder.AddRequestLimits();
builder.AddSite();
builder.AddRequestValidation();
builder.AddOpenApiDocument();
builder.AddReadiness();
builder.AddArticles();
builder.AddCategories();

var app = builder.Build();

app.UseProblemResponses();
app.UseUtf8QueryStrings();
app.UseHeadAsGet();
app.UseRouting();
app.UseOpenApiDocument();

app.MapHealth();
app.MapArticles();
app.MapCategories();

await app.MigrateDatabaseAsync();
await app.LoadSecretsAsync();
app.Run();

/// <summary>The application's entry point (public so the tests can host it).</summary>
public partial class Program;
