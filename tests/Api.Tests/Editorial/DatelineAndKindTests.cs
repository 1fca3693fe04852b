using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Api.Tests.Infrastructure;

namespace Api.Tests.Editorial;

public sealed class DatelineAndKindTests(EditorialFixture api) : IClassFixture<EditorialFixture>
{
    [Fact]
    public async Task An_article_has_a_dateline_and_a_kind_that_lists_filter_on()
    {
        var (opinion, etag) = await api.CreateAsync(new { title = "Why talks matter", categorySlug = "visas", status = "published", kind = "opinion", dateline = "  BEIJING " });
        var (news, _) = await api.CreateAsync(new { title = "Talks held", categorySlug = "visas", status = "published" });

        Assert.Equal("opinion", opinion.GetProperty("kind").GetString());
        Assert.Equal("BEIJING", opinion.GetProperty("dateline").GetString());
        Assert.Equal("news", news.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, news.GetProperty("dateline").ValueKind);

        var opinions = await (await api.Public.GetAsync("/v1/articles?kind=opinion,analysis&fields=id,title,kind,dateline")).ReadJsonAsync();
        Assert.Equal(["Why talks matter"], opinions.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("title").GetString()));
        Assert.Equal("BEIJING", opinions.GetProperty("items")[0].GetProperty("dateline").GetString());

        var id = opinion.GetProperty("id").GetInt64();
        var patched = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Patch, $"/v1/articles/{id}", """{"kind":"analysis","dateline":null}""", etag, "application/merge-patch+json"));
        var analysis = await patched.ReadJsonAsync();
        Assert.Equal("analysis", analysis.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, analysis.GetProperty("dateline").ValueKind);
        var revision = await (await api.Editor.GetAsync($"/v1/articles/{id}/revisions/1")).ReadJsonAsync();
        Assert.Equal("opinion", revision.GetProperty("article").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Unknown_kinds_and_long_datelines_are_400()
    {
        var write = await (await api.Editor.PostAsJsonAsync("/v1/articles", new { title = "Bad kind", categorySlug = "visas", kind = "gossip", dateline = new string('x', 101) }))
            .AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(write.ErrorsFor("kind"));
        Assert.NotEmpty(write.ErrorsFor("dateline"));

        var list = await (await api.Public.GetAsync("/v1/articles?kind=gossip")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(list.ErrorsFor("kind"));
        await (await api.Public.GetAsync("/v1/articles?kind=news,")).AssertProblemAsync(HttpStatusCode.BadRequest);
    }
}
