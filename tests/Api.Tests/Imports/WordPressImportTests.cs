using System.Net;
using System.Text;
using System.Text.Json;
using Api.Tests.Infrastructure;

namespace Api.Tests.Imports;

/// <summary>
/// WordPress's theme unit test export (tests/Api.Tests/Imports/Data/wordpress), imported through the
/// API as a job: what its posts, pages, categories, tags, authors and attachments became.
/// </summary>
public sealed class WordPressImportTests(WordPressFixture api) : IClassFixture<WordPressFixture>
{
    private const string Site = "https://wpthemetestdata.wordpress.com";

    private async Task<JsonElement> EditorArticleAsync(string slug)
    {
        var response = await api.Editor.GetAsync($"/v1/articles/{slug}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    private async Task<JsonElement> ItemAsync(string sourceId)
    {
        var items = await api.ItemsAsync(api.FirstJob.GetProperty("id").GetInt64());
        return items.Single(i => i.GetProperty("sourceId").GetString() == sourceId && i.GetProperty("itemType").GetString() is "post" or "page");
    }

    [Fact]
    public async Task Every_item_of_the_file_has_an_outcome_and_none_failed()
    {
        var job = api.FirstJob;
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        Assert.False(job.GetProperty("dryRun").GetBoolean());
        // 2 authors, 68 categories and the 186 items.
        Assert.Equal(256, job.GetProperty("total").GetInt32());
        var counts = job.GetProperty("counts");
        Assert.Equal(256, counts.GetProperty("processed").GetInt32());
        Assert.Equal(0, counts.GetProperty("failed").GetInt32());
        // The 37 attachments' files are not on this server: recorded with their addresses.
        Assert.Equal(37, counts.GetProperty("recorded").GetInt32());
        // The 70 menu entries.
        Assert.Equal(70, counts.GetProperty("skipped").GetInt32());

        var items = await api.ItemsAsync(job.GetProperty("id").GetInt64());
        Assert.Equal(256, items.Count);
        Assert.Equal(58, items.Count(i => i.GetProperty("itemType").GetString() == "post" && i.GetProperty("target").GetString() == "article"));
        Assert.Equal(21, items.Count(i => i.GetProperty("itemType").GetString() == "page" && i.GetProperty("target").GetString() == "article"));
        Assert.All(items.Where(i => i.GetProperty("outcome").GetString() == "skipped"), i => Assert.Equal("nav_menu_item", i.GetProperty("itemType").GetString()));
        Assert.Equal(79, await api.ScalarAsync<long>("SELECT count(*) FROM import_sources WHERE item_type = 'article' AND source = 'wordpress:wpthemetestdata.wordpress.com'"));
    }

    [Fact]
    public async Task Nested_categories_keep_their_hierarchy()
    {
        var response = await api.Public.GetAsync("/v1/categories/grandchild-category");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var category = await response.ReadJsonAsync();
        Assert.Equal(
            ["Parent Category", "Child Category 03", "Grandchild Category"],
            category.GetProperty("breadcrumb").EnumerateArray().Select(b => b.GetProperty("name").GetString()).TakeLast(3));
    }

    [Fact]
    public async Task A_post_keeps_its_slug_date_author_tags_and_its_permalink_leads_to_it()
    {
        var article = await EditorArticleAsync("template-featured-image-horizontal");

        Assert.Equal("Template: Featured Image (Horizontal)", article.GetProperty("title").GetString());
        Assert.Equal("published", article.GetProperty("status").GetString());
        Assert.Equal("2012-03-15T22:15:12Z", article.GetProperty("publishedAt").GetString());
        Assert.Equal("news", article.GetProperty("kind").GetString());
        Assert.Equal("classic", article.GetProperty("category").GetProperty("slug").GetString());
        Assert.Contains("codex", article.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("slug").GetString()));
        Assert.Equal("Theme Buster", Assert.Single(article.GetProperty("authors").EnumerateArray()).GetProperty("name").GetString());
        // Its featured image's file is not here: the article links to it where it was.
        Assert.Equal(
            "https://wpthemetestdata.files.wordpress.com/2013/03/featured-image-horizontal.jpg",
            article.GetProperty("image").GetProperty("url").GetString());

        foreach (var old in new[] { $"{Site}/2012/03/15/template-featured-image-horizontal/", "http://www.wpthemetestdata.wordpress.com/2012/03/15/template-featured-image-horizontal", $"{Site}/?p=1011" })
        {
            var redirect = await api.Public.GetAsync($"/v1/redirects?url={Uri.EscapeDataString(old)}");
            Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
            Assert.Equal("/v1/articles/template-featured-image-horizontal", redirect.Headers.Location!.OriginalString);
        }
    }

    [Fact]
    public async Task A_non_ascii_slug_is_transliterated_and_the_old_address_still_leads_to_the_page()
    {
        var page = await EditorArticleAsync("epipedo-2");

        Assert.Equal("Επίπεδο 2 -Second Greek level", page.GetProperty("title").GetString());
        Assert.Equal("page", page.GetProperty("kind").GetString());
        var old = $"{Site}//greek/%ce%b5%cf%80%ce%af%cf%80%ce%b5%ce%b4%ce%bf-2/";
        var redirect = await api.Public.GetAsync($"/v1/redirects?url={Uri.EscapeDataString(old)}");
        Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
        Assert.Equal("/v1/articles/epipedo-2", redirect.Headers.Location!.OriginalString);
        // As a browser sends it: upper-case escapes, one slash.
        var browser = $"{Site}/greek/%CE%B5%CF%80%CE%AF%CF%80%CE%B5%CE%B4%CE%BF-2";
        Assert.Equal(HttpStatusCode.MovedPermanently, (await api.Public.GetAsync($"/v1/redirects?url={Uri.EscapeDataString(browser)}")).StatusCode);
        Assert.Contains("not one here", (await ItemAsync("1811")).GetProperty("notes")[0].GetString());
    }

    [Fact]
    public async Task Pages_are_listed_only_when_asked_for_by_kind()
    {
        var listed = await (await api.Public.GetAsync("/v1/articles?limit=100&language=en")).ReadJsonAsync();
        Assert.DoesNotContain("page", listed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("kind").GetString()));
        Assert.DoesNotContain("about", listed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("slug").GetString()));

        var pages = await (await api.Public.GetAsync("/v1/articles?kind=page&limit=100")).ReadJsonAsync();
        Assert.Equal(21, pages.GetProperty("items").GetArrayLength());
        Assert.Contains("about", pages.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("slug").GetString()));
    }

    [Fact]
    public async Task Scheduled_draft_and_password_protected_posts_stay_out_of_public_view()
    {
        var scheduled = await EditorArticleAsync("scheduled");
        var due = new DateTimeOffset(2030, 1, 1, 19, 0, 18, TimeSpan.Zero);
        Assert.Equal("2030-01-01T19:00:18Z", scheduled.GetProperty("publishedAt").GetString());
        Assert.Equal(DateTimeOffset.UtcNow < due ? "scheduled" : "published", scheduled.GetProperty("status").GetString());
        if (DateTimeOffset.UtcNow < due)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await api.Public.GetAsync("/v1/articles/scheduled")).StatusCode);
        }

        // The draft has no slug in WordPress: it gets one from its title.
        Assert.Equal("draft", (await EditorArticleAsync("draft")).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await api.Public.GetAsync("/v1/articles/draft")).StatusCode);

        var protectedPost = await EditorArticleAsync("template-password-protected");
        Assert.Equal("draft", protectedPost.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await api.Public.GetAsync("/v1/articles/template-password-protected")).StatusCode);
        Assert.Contains((await ItemAsync("1168")).GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("password-protected"));
    }

    [Fact]
    public async Task Edge_cases_many_tags_many_categories_markup_titles_and_comments()
    {
        Assert.Equal(45, (await EditorArticleAsync("edge-case-many-tags")).GetProperty("tags").GetArrayLength());

        var manyCategories = await ItemAsync("1152");
        Assert.Equal("created", manyCategories.GetProperty("outcome").GetString());
        Assert.Contains(manyCategories.GetProperty("notes").EnumerateArray(), n => n.GetString()!.StartsWith("An article has one category", StringComparison.Ordinal));

        var markup = await EditorArticleAsync("markup-title-with-markup");
        Assert.Equal("Markup: Title With Markup", markup.GetProperty("title").GetString());

        // Comments are not imported anywhere; the report says they were left out.
        var comments = await ItemAsync("1148");
        Assert.Contains(comments.GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("20 comment(s) were left out"));
        Assert.Equal(0, await api.ScalarAsync<long>("SELECT count(*) FROM articles WHERE body_text LIKE '%This is a comment%'"));
    }

    [Fact]
    public async Task Classic_posts_get_their_paragraphs_and_every_body_is_sanitized()
    {
        var article = await EditorArticleAsync("template-excerpt-defined");
        var body = article.GetProperty("bodyHtml").GetString()!;
        Assert.StartsWith("<p>", body);
        Assert.False(string.IsNullOrEmpty(article.GetProperty("summary").GetString()));

        Assert.Equal(0, await api.ScalarAsync<long>(
            "SELECT count(*) FROM articles WHERE body_html ~* '<script|<iframe|<style|onerror=|javascript:'"));
    }

    [Fact]
    public async Task Importing_the_same_file_again_changes_nothing()
    {
        var articles = await api.ScalarAsync<long>("SELECT count(*) FROM articles");
        var versions = await api.ScalarAsync<long>("SELECT sum(version) FROM articles");

        var posted = await api.PostAsync(WordPressFixture.ThemeUnitTest);
        var job = await api.WaitAsync((await posted.ReadJsonAsync()).GetProperty("id").GetInt64());

        var counts = job.GetProperty("counts");
        Assert.Equal(0, counts.GetProperty("created").GetInt32());
        Assert.Equal(0, counts.GetProperty("updated").GetInt32());
        Assert.Equal(186, counts.GetProperty("unchanged").GetInt32());
        Assert.Equal(70, counts.GetProperty("skipped").GetInt32());
        Assert.Equal(articles, await api.ScalarAsync<long>("SELECT count(*) FROM articles"));
        Assert.Equal(versions, await api.ScalarAsync<long>("SELECT sum(version) FROM articles"));
    }

    [Fact]
    public async Task A_changed_post_is_updated_but_one_editors_changed_here_is_left_alone()
    {
        // Editors change one post here; then both it and another change in WordPress.
        var edited = await api.Editor.SendAsync(Editorial.EditorialFixture.Write(
            HttpMethod.Patch, "/v1/articles/post-format-link", new { summary = "Edited here." }, System.Net.Http.Headers.EntityTagHeaderValue.Any, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        var file = Encoding.UTF8.GetString(WordPressFixture.ThemeUnitTest)
            .Replace("<title>Post Format: Quote</title>", "<title>Post Format: Quote (changed)</title>", StringComparison.Ordinal)
            .Replace("<title>Post Format: Link</title>", "<title>Post Format: Link (changed)</title>", StringComparison.Ordinal);
        Assert.Contains("(changed)", file);

        var job = await api.WaitAsync((await (await api.PostAsync(Encoding.UTF8.GetBytes(file))).ReadJsonAsync()).GetProperty("id").GetInt64());

        var updated = await api.ItemsAsync(job.GetProperty("id").GetInt64(), "updated");
        Assert.Equal("post-format-quote", (await EditorArticleAsync("post-format-quote")).GetProperty("slug").GetString());
        Assert.Equal("Post Format: Quote (changed)", (await EditorArticleAsync("post-format-quote")).GetProperty("title").GetString());
        Assert.Contains(updated, i => i.GetProperty("title").GetString() == "Post Format: Quote (changed)");
        var skipped = Assert.Single(await api.ItemsAsync(job.GetProperty("id").GetInt64(), "skipped"), i => i.GetProperty("itemType").GetString() == "post");
        Assert.Contains("editors changed it here", skipped.GetProperty("error").GetString());
        Assert.Equal("Post Format: Link", (await EditorArticleAsync("post-format-link")).GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_dry_run_reports_what_would_be_created_and_keeps_nothing()
    {
        var file = File.ReadAllBytes(WordPressFixture.DataFile("importer-edge-cases/authors-multiline.xml"));
        var articles = await api.ScalarAsync<long>("SELECT count(*) FROM articles");
        var authors = await api.ScalarAsync<long>("SELECT count(*) FROM authors");

        var job = await api.WaitAsync((await (await api.PostAsync(file, "?dryRun=true")).ReadJsonAsync()).GetProperty("id").GetInt64());

        Assert.True(job.GetProperty("dryRun").GetBoolean());
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        // Three authors (their logins on several lines) and one post.
        Assert.Equal(4, job.GetProperty("counts").GetProperty("created").GetInt32());
        var post = (await api.ItemsAsync(job.GetProperty("id").GetInt64())).Single(i => i.GetProperty("itemType").GetString() == "post");
        Assert.Equal("Sample", post.GetProperty("title").GetString());
        Assert.Equal(articles, await api.ScalarAsync<long>("SELECT count(*) FROM articles"));
        Assert.Equal(authors, await api.ScalarAsync<long>("SELECT count(*) FROM authors"));
        Assert.Equal(0, await api.ScalarAsync<long>("SELECT count(*) FROM import_sources WHERE source LIKE 'wordpress:authors%'"));
    }

    [Fact]
    public async Task A_job_whose_instance_died_is_taken_up_where_it_stopped()
    {
        // As an instance killed after the first item of a job: the job still "running", its hold run
        // out, the first item's outcome recorded (with its writes, in the same transaction).
        var file = Encoding.UTF8.GetBytes("""
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
            <channel><title>Resumed</title><link>https://resumed.example</link><wp:wxr_version>1.2</wp:wxr_version>
            <wp:author><wp:author_login>resumed-one</wp:author_login></wp:author>
            <wp:author><wp:author_login>resumed-two</wp:author_login></wp:author>
            <wp:author><wp:author_login>resumed-three</wp:author_login></wp:author>
            <item><title>Resumed post</title><wp:post_id>1</wp:post_id><wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>
            </channel></rss>
            """);
        var job = await api.ScalarAsync<long>("""
            INSERT INTO import_jobs (format, dry_run, file_name, file_sha256, file_size, file, status, started_at, lease_until)
            VALUES ('wordpress', false, 'resumed.xml', sha256(@file), length(@file), @file, 'running', now() - interval '5 minutes', now() - interval '1 second')
            RETURNING id
            """, new { file });
        await api.ScalarAsync<int>("""
            INSERT INTO import_job_items (job_id, position, item_type, source_id, title, outcome) VALUES (@job, 0, 'author', 'resumed-one', 'resumed-one', 'created');
            SELECT 1
            """, new { job });

        var done = await api.WaitAsync(job);

        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        Assert.Equal(4, done.GetProperty("counts").GetProperty("processed").GetInt32());
        // The item done before is not done again; the others are.
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM authors WHERE slug = 'resumed-one'"));
        Assert.Equal(2L, await api.ScalarAsync<long>("SELECT count(*) FROM authors WHERE slug IN ('resumed-two', 'resumed-three')"));
        Assert.Equal(1L, await api.ScalarAsync<long>("SELECT count(*) FROM articles WHERE title = 'Resumed post'"));
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM import_jobs WHERE id = @job AND file IS NOT NULL", new { job }));
    }

    [Theory]
    [InlineData("malformed-simple.xml", "not well-formed XML (line")]
    [InlineData("crazy-cdata.xml", "not well-formed XML (line")]
    [InlineData("missing-version-tag.xml", "no WXR version")]
    [InlineData("invalid-version-tag.xml", "'abc' is not a version number")]
    public async Task A_file_that_is_not_a_readable_export_is_refused_before_any_job(string name, string reason)
    {
        var jobs = await api.ScalarAsync<long>("SELECT count(*) FROM import_jobs");

        var response = await api.PostAsync(File.ReadAllBytes(WordPressFixture.DataFile($"importer-edge-cases/{name}")));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(reason, problem.GetProperty("detail").GetString());
        Assert.Equal(jobs, await api.ScalarAsync<long>("SELECT count(*) FROM import_jobs"));
    }

    [Fact]
    public async Task Bad_requests_get_clear_problems()
    {
        await (await api.PostAsync("<rss><channel/></rss>"u8.ToArray())).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.PostAsync("not xml at all"u8.ToArray())).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.PostAsync([])).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.PostAsync(WordPressFixture.ThemeUnitTest, contentType: "application/json")).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        await (await api.PostAsync(new byte[ImportFixture.MaxFileBytes + 1])).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        await (await api.PostAsync(WordPressFixture.ThemeUnitTest, "?dryRun=maybe")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.PostAsync(WordPressFixture.ThemeUnitTest, "?dry=true")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.PostAsync(WordPressFixture.ThemeUnitTest, client: api.Public)).StatusCode);

        await (await api.Editor.GetAsync("/v1/imports/jobs/999999999")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await api.Editor.GetAsync("/v1/imports/jobs/abc")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.Editor.GetAsync($"/v1/imports/jobs/{api.FirstJob.GetProperty("id")}/items?outcome=lost")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.Editor.GetAsync($"/v1/imports/jobs/{api.FirstJob.GetProperty("id")}/items?limit=0")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.Editor.GetAsync($"/v1/imports/jobs/{api.FirstJob.GetProperty("id")}/items?cursor=x")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Public.GetAsync($"/v1/imports/jobs/{api.FirstJob.GetProperty("id")}")).StatusCode);

        await (await api.Public.GetAsync("/v1/redirects")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.Public.GetAsync("/v1/redirects?url=/relative/path")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.Public.GetAsync("/v1/redirects?url=ftp%3A%2F%2Fexample.org%2Fx")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.Public.GetAsync($"/v1/redirects?url={Uri.EscapeDataString(Site + "/no/such/post/")}")).AssertProblemAsync(HttpStatusCode.NotFound);
        // A draft's address does not reveal it.
        await (await api.Public.GetAsync($"/v1/redirects?url={Uri.EscapeDataString(Site + "/?p=1164")}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }
}
