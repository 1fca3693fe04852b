// What a .NET developer writes against the client that NSwag generates from openapi.json with its
// default settings. Nothing here works around the contract: where the API can send null, the code
// handles null.
// Usage: dotnet NSwagClientCheck.dll BASE_URL   (the server's root, e.g. http://127.0.0.1:5080)
using NewsApi.ClientCheck;
using NewsApi.NSwagClient;

const string SampleSlug = "xi-jinping-holds-telephone-talks-with-president-donald-trump-of-the-us";

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: NSwagClientCheck BASE_URL");
    return 2;
}

using var http = new HttpClient();
var client = new Client(args[0], http);
var checks = new Checks("nswag");

await checks.Run("GET /v1/articles/{idOrSlug}", async () =>
{
    var article = await client.GetArticleAsync(SampleSlug, include: null);
    var breadcrumb = article.Category.Breadcrumb.ToList();
    return (
        article.Slug == SampleSlug && !string.IsNullOrEmpty(article.Title)
            && breadcrumb.Count >= 2 && breadcrumb[0].Slug is null && breadcrumb[^1].Slug == article.Category.Slug,
        $"\"{article.Title}\", image {article.Image?.Url ?? "none"}, byline {article.Byline ?? "none"}, "
            + $"published {article.PublishedAt?.ToString("O") ?? "never"}, breadcrumb {Crumbs(breadcrumb)}, {article.Tags.Count} tags");
});

await checks.Run("GET /v1/articles?limit=5", async () =>
{
    var page = await client.ListArticlesAsync(
        q: null, tag: null, language: null, publishedAfter: null, publishedBefore: null, ids: null, sort: null,
        cursor: null, limit: 5, count: null, status: null, kind: null, author: null, fields: null, category: null, descendants: null);
    var first = page.Items.FirstOrDefault();
    return (
        page.Items.Count is >= 1 and <= 5 && first is not null && first.Id > 0,
        $"{page.Items.Count} items, first \"{first?.Title ?? "?"}\" (image {first?.Image?.Url ?? "none"}), nextCursor {page.NextCursor ?? "none"}");
});

await checks.Run("GET /v1/categories", async () =>
{
    var tree = await client.GetCategoryTreeAsync();
    static int Count(IEnumerable<CategoryNode> nodes) => nodes.Sum(node => 1 + Count(node.Children));
    return (
        tree.Items.Count > 0 && tree.Items.All(node => node.ParentId is null),
        $"{tree.Items.Count} top-level, {Count(tree.Items)} in all: {Join(tree.Items.Select(node => node.Slug))}");
});

await checks.Run("GET /v1/categories/{slug}", async () =>
{
    var category = await client.GetCategoryAsync("visas");
    var breadcrumb = category.Breadcrumb.ToList();
    return (
        category.Slug == "visas" && breadcrumb.Count >= 2 && breadcrumb[0].Slug is null && breadcrumb[^1].Slug == "visas",
        $"{category.Name}, parent {category.ParentId?.ToString() ?? "none"}, breadcrumb {Crumbs(breadcrumb)}, "
            + $"children {Join(category.Children.Select(child => child.Slug))}");
});

await checks.Run("GET /v1/articles/{idOrSlug} (unknown)", async () =>
{
    try
    {
        await client.GetArticleAsync("no-such-article", include: null);
        return (false, "answered 200");
    }
    catch (ApiException<ProblemDetails> e)
    {
        return (e.StatusCode == 404 && e.Result.Status == 404 && !string.IsNullOrEmpty(e.Result.Title),
            $"{e.StatusCode}: {e.Result.Title} ({e.Result.Detail})");
    }
});

await checks.Run("GET /v1/categories/{slug} (unknown)", async () =>
{
    try
    {
        await client.GetCategoryAsync("no-such-category");
        return (false, "answered 200");
    }
    catch (ApiException<ProblemDetails> e)
    {
        return (e.StatusCode == 404 && e.Result.Status == 404 && !string.IsNullOrEmpty(e.Result.Title),
            $"{e.StatusCode}: {e.Result.Title} ({e.Result.Detail})");
    }
});

return checks.Finish();

static string Join(IEnumerable<string> items) => string.Join(", ", items) is { Length: > 0 } joined ? joined : "none";

static string Crumbs(IEnumerable<BreadcrumbItem> steps) =>
    string.Join(" > ", steps.Select(step => step.Slug ?? $"({step.Name})"));
