using System.Net;
using System.Text.Json;
using Api.Articles;
using Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Api.Tests.Articles;

/// <summary>
/// Public reads send what a front end renders: no <c>bodyText</c> or aliases unless asked for, and never
/// the editor-only workflow fields; editors keep the whole article.
/// </summary>
public sealed class PublicFieldsTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string SeedSlug = "xi-jinping-holds-telephone-talks-with-president-donald-trump-of-the-us";

    private static readonly string[] EditorOnly = ["status", "version", "createdAt", "deletedAt"];

    private readonly HttpClient _public = api.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    private static List<string> Names(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToList();

    [Fact]
    public async Task A_public_read_leaves_out_bodyText_the_aliases_and_the_editor_fields_and_an_editor_read_has_them_all()
    {
        var publicResponse = await _public.GetAsync($"/v1/articles/{SeedSlug}");
        var publicBody = await publicResponse.Content.ReadAsStringAsync();
        var shown = await publicResponse.ReadJsonAsync();
        var names = Names(shown);
        foreach (var absent in EditorOnly.Concat(["bodyText", "previousSlugs", "legacyIds"]))
        {
            Assert.DoesNotContain(absent, names);
        }

        Assert.Contains("bodyHtml", names);
        Assert.Contains("tags", names);
        Assert.Contains("embargoed", names);

        var editor = api.CreateClient(await api.CreateKeyAsync("content:write"));
        var editorResponse = await editor.GetAsync($"/v1/articles/{SeedSlug}");
        var editorBody = await editorResponse.Content.ReadAsStringAsync();
        var full = await editorResponse.ReadJsonAsync();
        Assert.Equal(ArticleFields.Names.Where(n => n != ArticleFields.Snippet), Names(full));
        Assert.Equal("published", full.GetProperty("status").GetString());
        Assert.Equal(["t1453741"], full.GetProperty("legacyIds").EnumerateArray().Select(e => e.GetString()));

        // Every member the public gets is the editor's, byte for byte; the body text was most of the rest.
        foreach (var property in shown.EnumerateObject())
        {
            Assert.Equal(full.GetProperty(property.Name).GetRawText(), property.Value.GetRawText());
        }

        Assert.True(publicBody.Length + full.GetProperty("bodyText").GetString()!.Length < editorBody.Length);
        Assert.NotEqual(publicResponse.Headers.ETag, editorResponse.Headers.ETag);
    }

    [Fact]
    public async Task Include_adds_bodyText_and_the_aliases_to_a_public_read()
    {
        var plain = await (await _public.GetAsync($"/v1/articles/{SeedSlug}")).ReadJsonAsync();
        var more = await (await _public.GetAsync($"/v1/articles/{SeedSlug}?include=legacyIds,bodyText,jsonld")).ReadJsonAsync();

        // The same members in the same (catalog) order, plus those asked for; jsonLd last.
        var expected = ArticleFields.Names.Where(n => Names(plain).Contains(n) || n is "bodyText" or "legacyIds").Append("jsonLd");
        Assert.Equal(expected, Names(more));
        Assert.StartsWith("On the morning of April 12, 2017", more.GetProperty("bodyText").GetString());
        Assert.Equal(["t1453741"], more.GetProperty("legacyIds").EnumerateArray().Select(e => e.GetString()));
        Assert.False(more.TryGetProperty("previousSlugs", out _));
    }

    [Theory]
    [InlineData("status")]
    [InlineData("version")]
    [InlineData("bodyText,,jsonld")]
    [InlineData("title")]
    [InlineData("")]
    public async Task Include_takes_only_the_extras_it_lists_editor_fields_are_not_among_them(string include)
    {
        var problem = await (await _public.GetAsync($"/v1/articles/{SeedSlug}?include={include}")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorsFor("include"));
    }

    [Theory]
    [InlineData("/v1/articles?fields=title,status")]
    [InlineData("/v1/articles?fields=version")]
    [InlineData("/v1/articles?fields=title,createdAt")]
    [InlineData("/v1/articles?q=trump&fields=deletedAt")]
    [InlineData("/v1/categories/china-news/articles?fields=version")]
    [InlineData("/v1/articles/{0}/related?fields=status")]
    public async Task Editor_fields_need_an_editor_key_401_without_a_key_and_403_with_another(string template)
    {
        var path = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, SeedSlug);

        var anonymous = await _public.GetAsync(path);
        var problem = await anonymous.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("content:write", problem.GetProperty("detail").GetString());
        Assert.NotEmpty(anonymous.Headers.WwwAuthenticate);

        var partner = api.CreateClient(await api.CreateKeyAsync("partner"));
        await (await partner.GetAsync(path)).AssertProblemAsync(HttpStatusCode.Forbidden);

        var editor = api.CreateClient(await api.CreateKeyAsync("content:write"));
        Assert.Equal(HttpStatusCode.OK, (await editor.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task Lists_send_status_and_version_to_editors_only()
    {
        var shown = await (await _public.GetAsync("/v1/articles?limit=3")).ReadJsonAsync();
        foreach (var item in shown.GetProperty("items").EnumerateArray())
        {
            Assert.DoesNotContain("status", Names(item));
            Assert.DoesNotContain("version", Names(item));
            Assert.Contains("title", Names(item));
        }

        var editor = api.CreateClient(await api.CreateKeyAsync("content:write"));
        var full = await (await editor.GetAsync("/v1/articles?limit=3")).ReadJsonAsync();
        foreach (var item in full.GetProperty("items").EnumerateArray())
        {
            Assert.Equal("published", item.GetProperty("status").GetString());
            Assert.True(item.GetProperty("version").GetInt32() >= 1);
        }

        var related = await (await _public.GetAsync($"/v1/articles/{SeedSlug}/related")).ReadJsonAsync();
        Assert.All(related.GetProperty("items").EnumerateArray(), item => Assert.DoesNotContain("status", Names(item)));
    }
}
