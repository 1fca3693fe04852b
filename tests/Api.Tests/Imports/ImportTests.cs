using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Api.Tests.Editorial;
using Api.Tests.Infrastructure;

namespace Api.Tests.Imports;

public sealed class ImportTests(EditorialFixture api) : IClassFixture<EditorialFixture>
{
    private const string SeedPage = "Home\u00A0>\u00A0China News\n"
        + "Xi Jinping Holds Telephone Talks with President Donald Trump of the US\n\n"
        + "On the morning of April 12, 2017, President Xi Jinping held telephone talks with President Donald Trump of the US.\n\n"
        + "Xi Jinping stressed that I was very pleased to hold telephone talks with Mr. President. Not long ago, Mr. President and I held meetings at Mar-a-Lago, and we achieved important outcomes, which is highly acclaimed by the Chinese people as well as the international community. I thank Mr. President for your warm reception and considerate arrangements.\n\n"
        + "The two heads of state agreed to maintain close contacts through various channels.\n\n"
        + "Suggest to a friend:";

    private static string Page(string title, string date = "May 3, 2018", string breadcrumb = "Home > Embassy News > Press Releases") =>
        $"{breadcrumb}\n{title}\n\nOn {date}, the embassy held an event about {title.ToLowerInvariant()}.\n\nIt was attended by many guests.\n\nPrint\nClose";

    private async Task<JsonElement> ImportAsync(object body)
    {
        var response = await api.Editor.PostAsJsonAsync("/v1/imports", body);
        return await response.ReadJsonAsync();
    }

    [Fact]
    public async Task A_new_page_becomes_a_published_article_under_its_breadcrumb_with_its_legacy_id()
    {
        var report = await ImportAsync(new { pages = new[] { new { content = Page("Reception for the national day"), legacyId = "t2000001" } } });

        var item = Assert.Single(report.GetProperty("items").EnumerateArray());
        Assert.Equal("created", item.GetProperty("outcome").GetString());
        var article = await (await api.Public.GetAsync($"/v1/articles/{item.GetProperty("slug").GetString()}?include=bodyText")).ReadJsonAsync();
        Assert.Equal("Reception for the national day", article.GetProperty("title").GetString());
        Assert.Equal("2018-05-03T00:00:00Z", article.GetProperty("publishedAt").GetString());
        Assert.Equal(["Home", "Embassy News", "Press Releases"], article.GetProperty("category").GetProperty("breadcrumb").EnumerateArray().Select(b => b.GetProperty("name").GetString()));
        Assert.DoesNotContain("Print", article.GetProperty("bodyText").GetString());
        var redirect = await api.Public.GetAsync("/v1/articles/t2000001");
        Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
    }

    [Fact]
    public async Task Importing_again_updates_or_leaves_unchanged_never_duplicates()
    {
        var first = await ImportAsync(new { pages = new[] { new { content = Page("Consular hours change"), legacyId = "t2000002" } } });
        var again = await ImportAsync(new { pages = new[] { new { content = Page("Consular hours change"), legacyId = "t2000002" } } });
        var changed = await ImportAsync(new { pages = new[] { new { content = Page("Consular hours change", "May 4, 2018"), legacyId = "t2000002" } } });

        Assert.Equal("unchanged", again.GetProperty("items")[0].GetProperty("outcome").GetString());
        Assert.Equal("updated", changed.GetProperty("items")[0].GetProperty("outcome").GetString());
        var id = first.GetProperty("items")[0].GetProperty("articleId").GetInt64();
        Assert.Equal(id, changed.GetProperty("items")[0].GetProperty("articleId").GetInt64());
        Assert.Equal(1, await api.ScalarAsync<long>("SELECT count(*) FROM articles WHERE title = 'Consular hours change'"));
        var article = await (await api.Editor.GetAsync($"/v1/articles/{id}")).ReadJsonAsync();
        Assert.Equal(2, article.GetProperty("version").GetInt32());
        Assert.Equal("2018-05-04T00:00:00Z", article.GetProperty("publishedAt").GetString());
    }

    [Fact]
    public async Task The_seed_page_imports_onto_the_seed_article()
    {
        var before = await api.ScalarAsync<long>("SELECT count(*) FROM articles");

        var report = await ImportAsync(new { pages = new[] { new { content = SeedPage, legacyId = "t1453741" } } });

        var item = report.GetProperty("items")[0];
        Assert.NotEqual("created", item.GetProperty("outcome").GetString());
        Assert.Equal("xi-jinping-holds-telephone-talks-with-president-donald-trump-of-the-us", item.GetProperty("slug").GetString());
        Assert.Equal(before, await api.ScalarAsync<long>("SELECT count(*) FROM articles"));
    }

    [Fact]
    public async Task A_malformed_page_is_reported_and_the_rest_of_the_batch_imports()
    {
        var report = await ImportAsync(new
        {
            pages = new object[]
            {
                new { content = Page("Batch page one"), legacyId = "t2000010" },
                new { content = "This is not a news page at all.", legacyId = "t2000011" },
                new { content = Page("Batch page three", date: "no date here"), legacyId = "t2000012" },
                new { content = Page("Batch page four"), legacyId = "t2000013" },
            },
        });

        var outcomes = report.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("outcome").GetString()).ToList();
        Assert.Equal(["created", "failed", "failed", "created"], outcomes);
        Assert.Contains("breadcrumb", report.GetProperty("items")[1].GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("date", report.GetProperty("items")[2].GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(2, report.GetProperty("created").GetInt32());
        Assert.Equal(2, report.GetProperty("failed").GetInt32());
        Assert.Equal(0, await api.ScalarAsync<long>("SELECT count(*) FROM article_aliases WHERE alias IN ('t2000011', 't2000012')"));
    }

    [Theory]
    [InlineData("""{"pages":[]}""", "pages")]
    [InlineData("""{}""", "pages")]
    [InlineData("""{"pages":[{"content":""}]}""", "pages[0].content")]
    [InlineData("""{"pages":[{"content":"x","legacyId":"T 1"}]}""", "pages[0].legacyId")]
    [InlineData("""{"pages":[{"content":"x"}],"status":"archived"}""", "status")]
    public async Task Bad_batches_are_400_naming_the_field(string json, string field)
    {
        var response = await api.Editor.PostAsync("/v1/imports", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        Assert.NotEmpty((await response.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor(field));
    }

    [Fact]
    public async Task A_batch_over_100_pages_is_400()
    {
        var pages = Enumerable.Range(0, 101).Select(i => new { content = "x" }).ToArray();
        var response = await api.Editor.PostAsJsonAsync("/v1/imports", new { pages });
        Assert.NotEmpty((await response.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("pages"));
    }

    [Fact]
    public async Task The_import_command_shows_progress_and_fails_when_a_page_fails()
    {
        var folder = Directory.CreateTempSubdirectory("import-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "t3000001.htm"),
                $"<html><body><div class=\"crumbs\">Home &gt; China News</div><h1>Command line import</h1><p>On June 1, 2019, a page came from a file.</p><p>Second paragraph.</p></body></html>");
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "t3000002.txt"), "garbage");

            var (exit, output) = await RunAsync("import", Path.Combine(folder.FullName, "t3000001.htm"), Path.Combine(folder.FullName, "t3000002.txt"));

            Assert.Equal(1, exit);
            Assert.Contains("[1/2]", output);
            Assert.Contains("created", output);
            Assert.Contains("[2/2]", output);
            Assert.Contains("failed", output);
            Assert.Contains("1 created", output);
            Assert.Equal(HttpStatusCode.MovedPermanently, (await api.Public.GetAsync("/v1/articles/t3000001")).StatusCode);

            var (again, againOutput) = await RunAsync("import", Path.Combine(folder.FullName, "t3000001.htm"));
            Assert.Equal(0, again);
            Assert.Contains("unchanged", againOutput);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        var (exit, output, errors) = await ApiCommand.RunAsync(api.ConnectionString, args);
        return (exit, output + errors);
    }
}
