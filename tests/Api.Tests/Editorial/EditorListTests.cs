using System.Net;
using System.Text.Json;
using Api.Tests.Infrastructure;

namespace Api.Tests.Editorial;

public sealed class EditorListTests(EditorialFixture api) : IClassFixture<EditorialFixture>
{
    [Fact]
    public async Task Editors_list_drafts_scheduled_archived_and_deleted_articles_by_status()
    {
        var (draft, _) = await api.CreateAsync(new { title = "Editor list draft", categorySlug = "embassy-news" });
        var (scheduled, _) = await api.CreateAsync(new { title = "Editor list scheduled", categorySlug = "embassy-news", status = "scheduled", publishedAt = DateTimeOffset.UtcNow.AddDays(2) });
        var (archived, _) = await api.CreateAsync(new { title = "Editor list archived", categorySlug = "embassy-news", status = "archived", publishedAt = "2020-01-01T00:00:00Z" });
        var (deleted, deletedTag) = await api.CreateAsync(new { title = "Editor list deleted", categorySlug = "embassy-news" });
        await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Delete, $"/v1/articles/{deleted.GetProperty("id").GetInt64()}", null, deletedTag));

        async Task<List<long>> Ids(string status) =>
            (await (await api.Editor.GetAsync($"/v1/articles?status={status}&category=embassy-news&limit=100&fields=id")).ReadJsonAsync())
                .GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).ToList();

        Assert.Equal([draft.GetProperty("id").GetInt64()], await Ids("draft"));
        Assert.Equal([scheduled.GetProperty("id").GetInt64()], await Ids("scheduled"));
        Assert.Equal([archived.GetProperty("id").GetInt64()], await Ids("archived"));
        Assert.Equal([deleted.GetProperty("id").GetInt64()], await Ids("deleted"));
        Assert.Equal(4, (await Ids("draft,scheduled,archived,deleted")).Count);

        var response = await api.Editor.GetAsync("/v1/articles?status=draft");
        Assert.True(response.Headers.CacheControl?.Private);
    }

    [Fact]
    public async Task Editor_lists_page_through_undated_drafts()
    {
        for (var i = 0; i < 5; i++)
        {
            await api.CreateAsync(new { title = $"Paged draft {i}", categorySlug = "passports-and-travel-documents" });
        }

        var seen = new List<long>();
        var url = "/v1/articles?status=draft&category=passports-and-travel-documents&limit=2&fields=id";
        string? cursor = null;
        do
        {
            var page = await (await api.Editor.GetAsync(cursor is null ? url : $"{url}&cursor={Uri.EscapeDataString(cursor)}")).ReadJsonAsync();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.Null ? null : page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        Assert.Equal(5, seen.Distinct().Count());
        Assert.Equal(seen.OrderDescending(), seen);
    }

    [Fact]
    public async Task Listing_by_status_needs_an_editor_key()
    {
        var anonymous = await api.Public.GetAsync("/v1/articles?status=draft");
        await anonymous.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);

        var partner = api.CreateClient(await api.CreateKeyAsync("partner"));
        await (await partner.GetAsync("/v1/articles?status=draft")).AssertProblemAsync(HttpStatusCode.Forbidden);

        var bad = await api.Editor.GetAsync("/v1/articles?status=secret");
        Assert.NotEmpty((await bad.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("status"));
    }
}
