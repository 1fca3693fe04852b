using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Api.Tests.Infrastructure;

namespace Api.Tests.Imports;

/// <summary>Ghost's JSON export, imported through <c>POST /v1/imports/ghost</c> as a job.</summary>
public sealed class GhostImportTests(ImportFixture api) : IClassFixture<ImportFixture>
{
    /// <summary>A Ghost 5 export in Ghost's own shape: two staff users, public and internal tags, and posts in each state.</summary>
    private const string Export = """
        {"db":[{"meta":{"exported_on":1700000000000,"version":"5.74.0"},"data":{
          "posts":[
            {"id":"6560a1b2c3d4e5f600000001","uuid":"0b6c7c1e-0001","title":"Harbour reopens","slug":"harbour-reopens",
             "mobiledoc":null,"lexical":"{\"root\":{}}","html":"<p>The harbour reopened on <a href=\"__GHOST_URL__/tag/port/\">Monday</a>.</p><script>alert(1)</script>",
             "feature_image":"__GHOST_URL__/content/images/2023/11/harbour.jpg","featured":1,"type":"post","status":"published","visibility":"public",
             "created_at":"2023-11-20T08:00:00.000Z","updated_at":"2023-11-20T09:00:00.000Z","published_at":"2023-11-20T08:30:00.000Z",
             "custom_excerpt":"Ships are back.","plaintext":"The harbour reopened on Monday."},
            {"id":"6560a1b2c3d4e5f600000002","uuid":"0b6c7c1e-0002","title":"Members briefing","slug":"members-briefing",
             "html":"<p>For members only.</p>","type":"post","status":"published","visibility":"members",
             "created_at":"2023-11-21T08:00:00.000Z","updated_at":"2023-11-21T08:00:00.000Z","published_at":"2023-11-21T08:00:00.000Z"},
            {"id":"6560a1b2c3d4e5f600000003","uuid":"0b6c7c1e-0003","title":"Weekly letter","slug":"weekly-letter",
             "html":"<p>Sent by e-mail.</p>","type":"post","status":"sent","visibility":"public",
             "created_at":"2023-11-22T08:00:00.000Z","updated_at":"2023-11-22T08:00:00.000Z","published_at":"2023-11-22T08:00:00.000Z"},
            {"id":"6560a1b2c3d4e5f600000004","uuid":"0b6c7c1e-0004","title":"Draft about tides","slug":"draft-about-tides",
             "html":"<p>Not yet.</p>","type":"post","status":"draft","visibility":"public",
             "created_at":"2023-11-23T08:00:00.000Z","updated_at":"2023-11-23T08:00:00.000Z","published_at":null},
            {"id":"6560a1b2c3d4e5f600000005","uuid":"0b6c7c1e-0005","title":"About the Gazette","slug":"about",
             "html":"<p>We cover the coast.</p>","type":"page","status":"published","visibility":"public",
             "created_at":"2020-01-01T00:00:00.000Z","updated_at":"2020-01-01T00:00:00.000Z","published_at":"2020-01-01T00:00:00.000Z"}
          ],
          "posts_meta":[{"id":"m1","post_id":"6560a1b2c3d4e5f600000001","feature_image_alt":"Cranes at dawn","feature_image_caption":"<span>Photo: Gazette</span>"}],
          "tags":[
            {"id":"t1","name":"Port","slug":"port","description":"Ships and cargo","visibility":"public"},
            {"id":"t2","name":"Economy","slug":"economy","visibility":"public"},
            {"id":"t3","name":"#newsletter","slug":"hash-newsletter","visibility":"internal"}
          ],
          "posts_tags":[
            {"id":"pt1","post_id":"6560a1b2c3d4e5f600000001","tag_id":"t3","sort_order":0},
            {"id":"pt2","post_id":"6560a1b2c3d4e5f600000001","tag_id":"t1","sort_order":1},
            {"id":"pt3","post_id":"6560a1b2c3d4e5f600000001","tag_id":"t2","sort_order":2}
          ],
          "users":[
            {"id":"u1","name":"Ada Shore","slug":"ada","email":"ada@gazette.example","bio":"Covers the port.","website":"https://ada.example"},
            {"id":"u2","name":"Ben Quay","slug":"ben","email":"ben@gazette.example"}
          ],
          "posts_authors":[
            {"id":"pa1","post_id":"6560a1b2c3d4e5f600000001","author_id":"u2","sort_order":1},
            {"id":"pa2","post_id":"6560a1b2c3d4e5f600000001","author_id":"u1","sort_order":0}
          ],
          "settings":[{"id":"s1","key":"title","value":"Coast Gazette"},{"id":"s2","key":"lang","value":"en"}]
        }}]}
        """;

    private Task<HttpResponseMessage> PostAsync(string body, string query = "", string contentType = "application/json")
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return api.Editor.PostAsync("/v1/imports/ghost" + query, content);
    }

    private async Task<JsonElement> ImportAsync(string body, string query = "")
    {
        var response = await PostAsync(body, query);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await api.WaitAsync((await response.ReadJsonAsync()).GetProperty("id").GetInt64());
    }

    private async Task<JsonElement> EditorArticleAsync(string slug) => await (await api.Editor.GetAsync($"/v1/articles/{slug}")).ReadJsonAsync();

    [Fact]
    public async Task Posts_pages_tags_and_authors_come_in_as_ghost_shows_them()
    {
        var job = await ImportAsync(Export, "?siteUrl=https%3A%2F%2Fgazette.example");

        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        Assert.Equal("ghost", job.GetProperty("format").GetString());
        Assert.Equal(0, job.GetProperty("counts").GetProperty("failed").GetInt32());
        // 2 users, 1 category (the primary tag "Port"), 1 feature image, 5 posts.
        Assert.Equal(9, job.GetProperty("total").GetInt32());

        var post = await EditorArticleAsync("harbour-reopens");
        Assert.Equal("published", post.GetProperty("status").GetString());
        Assert.Equal("2023-11-20T08:30:00Z", post.GetProperty("publishedAt").GetString());
        Assert.Equal("Ships are back.", post.GetProperty("summary").GetString());
        Assert.Equal("port", post.GetProperty("category").GetProperty("slug").GetString());
        Assert.Equal(["port", "economy"], post.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("slug").GetString()));
        Assert.Equal(["Ada Shore", "Ben Quay"], post.GetProperty("authors").EnumerateArray().Select(a => a.GetProperty("name").GetString()));
        var body = post.GetProperty("bodyHtml").GetString()!;
        Assert.Contains("href=\"https://gazette.example/tag/port/\"", body);
        Assert.DoesNotContain("<script", body);
        Assert.Equal("https://gazette.example/content/images/2023/11/harbour.jpg", post.GetProperty("image").GetProperty("url").GetString());

        var redirect = await api.Public.GetAsync($"/v1/redirects?url={Uri.EscapeDataString("https://gazette.example/harbour-reopens/")}");
        Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);

        var page = await EditorArticleAsync("about");
        Assert.Equal("page", page.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Nothing_meant_for_members_or_only_for_the_newsletter_becomes_public()
    {
        await ImportAsync(Export);

        Assert.Equal("draft", (await EditorArticleAsync("members-briefing")).GetProperty("status").GetString());
        Assert.Equal("draft", (await EditorArticleAsync("weekly-letter")).GetProperty("status").GetString());
        Assert.Equal("draft", (await EditorArticleAsync("draft-about-tides")).GetProperty("status").GetString());
        foreach (var slug in new[] { "members-briefing", "weekly-letter", "draft-about-tides" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await api.Public.GetAsync($"/v1/articles/{slug}")).StatusCode);
        }
    }

    [Fact]
    public async Task Importing_the_export_again_changes_nothing()
    {
        await ImportAsync(Export);
        var versions = await api.ScalarAsync<long>("SELECT sum(version) FROM articles");

        var again = await ImportAsync(Export);

        Assert.Equal(0, again.GetProperty("counts").GetProperty("created").GetInt32());
        Assert.Equal(0, again.GetProperty("counts").GetProperty("updated").GetInt32());
        Assert.Equal(versions, await api.ScalarAsync<long>("SELECT sum(version) FROM articles"));
        Assert.Equal(1L, await api.ScalarAsync<long>("SELECT count(*) FROM articles WHERE slug LIKE 'harbour-reopens%'"));
    }

    [Fact]
    public async Task Bad_files_and_queries_get_clear_problems()
    {
        var notJson = await (await PostAsync("{\"db\": [")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("not JSON", notJson.GetProperty("detail").GetString());
        var notGhost = await (await PostAsync("{\"posts\": []}")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("not a Ghost export", notGhost.GetProperty("detail").GetString());
        await (await PostAsync("[1, 2]")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await PostAsync(Export, contentType: "application/xml")).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        await (await PostAsync(Export, "?siteUrl=gazette.example")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await PostAsync(Export, "?siteUrl=javascript%3Aalert(1)")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await PostAsync(Export, "?site=x")).AssertProblemAsync(HttpStatusCode.BadRequest);
    }
}

/// <summary>A real Ghost export (Ghost 4.1's own test fixture, tests/Api.Tests/Imports/Data/ghost), imported through the API.</summary>
public sealed class GhostExportTests(ImportFixture api) : IClassFixture<ImportFixture>
{
    private static byte[] Export => File.ReadAllBytes(Path.Combine(Repository.Root(), "tests/Api.Tests/Imports/Data/ghost/v4_export.json"));

    private async Task<JsonElement> ImportAsync(string query)
    {
        var content = new ByteArrayContent(Export);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var response = await api.Editor.PostAsync("/v1/imports/ghost" + query, content);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await api.WaitAsync((await response.ReadJsonAsync()).GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task A_fresh_ghost_sites_export_imports_whole_and_again_changes_nothing()
    {
        var job = await ImportAsync("?siteUrl=https%3A%2F%2Fghost.example");

        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        // 2 users, 1 category (the tag "Getting Started"), 7 feature images, 7 posts and 4 pages.
        Assert.Equal(21, job.GetProperty("total").GetInt32());
        var counts = job.GetProperty("counts");
        Assert.Equal(0, counts.GetProperty("failed").GetInt32());
        Assert.Equal(7, counts.GetProperty("recorded").GetInt32());

        var welcome = await (await api.Editor.GetAsync("/v1/articles/welcome")).ReadJsonAsync();
        Assert.Equal("Start here for a quick overview of everything you need to know", welcome.GetProperty("title").GetString());
        Assert.Equal("published", welcome.GetProperty("status").GetString());
        Assert.Equal("2021-03-24T04:34:15Z", welcome.GetProperty("publishedAt").GetString());
        Assert.Equal("getting-started", welcome.GetProperty("category").GetProperty("slug").GetString());
        Assert.Equal(["getting-started"], welcome.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("slug").GetString()));
        Assert.Equal("ghost", Assert.Single(welcome.GetProperty("authors").EnumerateArray()).GetProperty("slug").GetString());
        Assert.Equal("https://static.ghost.org/v4.0.0/images/welcome-to-ghost.png", welcome.GetProperty("image").GetProperty("url").GetString());
        var body = welcome.GetProperty("bodyHtml").GetString()!;
        Assert.DoesNotContain("__GHOST_URL__", body);
        Assert.Contains("https://ghost.example/design/", body);

        // The paid post stays out of public view.
        Assert.Equal("draft", (await (await api.Editor.GetAsync("/v1/articles/sell")).ReadJsonAsync()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await api.Public.GetAsync("/v1/articles/sell")).StatusCode);
        Assert.Equal("page", (await (await api.Editor.GetAsync("/v1/articles/contribute")).ReadJsonAsync()).GetProperty("kind").GetString());
        Assert.Equal(HttpStatusCode.MovedPermanently, (await api.Public.GetAsync($"/v1/redirects?url={Uri.EscapeDataString("https://ghost.example/welcome/")}")).StatusCode);

        var again = await ImportAsync("?siteUrl=https%3A%2F%2Fghost.example");
        Assert.Equal(21, again.GetProperty("counts").GetProperty("unchanged").GetInt32());
    }
}
