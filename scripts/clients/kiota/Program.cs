// What a .NET developer writes against the client that Kiota generates from openapi.json with its
// default settings. Kiota types every property as nullable (it never trusts `required`), so the
// code checks for null everywhere; a property that is missing at run time fails its check.
// Usage: dotnet KiotaClientCheck.dll BASE_URL   (the server's root, e.g. http://127.0.0.1:5080)
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using NewsApi.ClientCheck;
using NewsApi.KiotaClient;
using NewsApi.KiotaClient.Models;

const string SampleSlug = "xi-jinping-holds-telephone-talks-with-president-donald-trump-of-the-us";

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: KiotaClientCheck BASE_URL");
    return 2;
}

var adapter = new HttpClientRequestAdapter(new AnonymousAuthenticationProvider()) { BaseUrl = args[0].TrimEnd('/') };
var client = new NewsClient(adapter);
var checks = new Checks("kiota");

await checks.Run("GET /v1/articles/{idOrSlug}", async () =>
{
    var article = await client.V1.Articles[SampleSlug].GetAsync();
    var breadcrumb = article?.Category?.Breadcrumb ?? [];
    return (
        article is not null && article.Slug == SampleSlug && !string.IsNullOrEmpty(article.Title)
            && breadcrumb.Count >= 2 && breadcrumb[0].Slug is null && breadcrumb[^1].Slug == article.Category?.Slug,
        $"\"{article?.Title}\", image {article?.Image?.Url ?? "none"}, byline {article?.Byline ?? "none"}, "
            + $"published {article?.PublishedAt?.ToString("O") ?? "never"}, breadcrumb {Crumbs(breadcrumb)}, {article?.Tags?.Count} tags");
});

await checks.Run("GET /v1/articles?limit=5", async () =>
{
    var page = await client.V1.Articles.GetAsync(request => request.QueryParameters.Limit = 5);
    var first = page?.Items?.FirstOrDefault();
    return (
        page?.Items is { Count: >= 1 and <= 5 } && first?.Id > 0,
        $"{page?.Items?.Count} items, first \"{first?.Title ?? "?"}\" (image {first?.Image?.Url ?? "none"}), nextCursor {page?.NextCursor ?? "none"}");
});

await checks.Run("GET /v1/categories", async () =>
{
    var tree = await client.V1.Categories.GetAsync();
    var items = tree?.Items ?? [];
    static int Count(IEnumerable<CategoryNode> nodes) => nodes.Sum(node => 1 + Count(node.Children ?? []));
    return (
        items.Count > 0 && items.All(node => node.ParentId is null && node.Slug is not null),
        $"{items.Count} top-level, {Count(items)} in all: {Join(items.Select(node => node.Slug))}");
});

await checks.Run("GET /v1/categories/{slug}", async () =>
{
    var category = await client.V1.Categories["visas"].GetAsync();
    var breadcrumb = category?.Breadcrumb ?? [];
    return (
        category?.Slug == "visas" && breadcrumb.Count >= 2 && breadcrumb[0].Slug is null && breadcrumb[^1].Slug == "visas",
        $"{category?.Name}, parent {category?.ParentId?.ToString() ?? "none"}, breadcrumb {Crumbs(breadcrumb)}, "
            + $"children {Join((category?.Children ?? []).Select(child => child.Slug))}");
});

await checks.Run("GET /v1/articles/{idOrSlug} (unknown)", async () =>
{
    try
    {
        await client.V1.Articles["no-such-article"].GetAsync();
        return (false, "answered 200");
    }
    catch (ProblemDetails e)
    {
        return (e.ResponseStatusCode == 404 && e.Status == 404 && !string.IsNullOrEmpty(e.Title),
            $"{e.ResponseStatusCode}: {e.Title} ({e.Detail})");
    }
});

await checks.Run("GET /v1/categories/{slug} (unknown)", async () =>
{
    try
    {
        await client.V1.Categories["no-such-category"].GetAsync();
        return (false, "answered 200");
    }
    catch (ProblemDetails e)
    {
        return (e.ResponseStatusCode == 404 && e.Status == 404 && !string.IsNullOrEmpty(e.Title),
            $"{e.ResponseStatusCode}: {e.Title} ({e.Detail})");
    }
});

return checks.Finish();

static string Join(IEnumerable<string?> items) => string.Join(", ", items) is { Length: > 0 } joined ? joined : "none";

static string Crumbs(IEnumerable<BreadcrumbItem> steps) =>
    string.Join(" > ", steps.Select(step => step.Slug ?? $"({step.Name})"));
