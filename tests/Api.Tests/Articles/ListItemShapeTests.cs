using System.Net;
using Api.Tests.Editorial;
using Api.Tests.Infrastructure;

namespace Api.Tests.Articles;

/// <summary>List items are written field by field; each field must read exactly as the article's own answer has it.</summary>
public sealed class ListItemShapeTests(EditorialFixture api) : IClassFixture<EditorialFixture>
{
    [Fact]
    public async Task Every_field_of_a_list_item_is_byte_for_byte_the_article_s_own()
    {
        var (original, etag) = await api.CreateAsync(new
        {
            title = "Shape of things « 习近平 » & <more>",
            summary = "Summary with \"quotes\" and é",
            categorySlug = "visa-fees",
            status = "published",
            byline = "Staff",
            source = "Wire",
            tags = new[] { "Trade talks", "Été" },
            image = new { url = "https://images.example.com/a.jpg", alt = "A picture" },
        });
        var id = original.GetProperty("id").GetInt64();
        await api.CreateAsync(new { title = "La forme des choses", language = "fr", categorySlug = "visa-fees", status = "published", translationOf = id });
        var renamed = await api.Editor.SendAsync(EditorialFixture.Write(
            HttpMethod.Patch, $"/v1/articles/{id}", """{"slug":"shape-of-things-renamed"}""", etag, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);

        // An editor's read has every field.
        var article = await (await api.Editor.GetAsync($"/v1/articles/{id}")).ReadJsonAsync();
        var fields = string.Join(',', article.EnumerateObject().Select(p => p.Name));
        var list = await (await api.Editor.GetAsync($"/v1/articles?ids={id}&fields={fields}")).ReadJsonAsync();
        var item = Assert.Single(list.GetProperty("items").EnumerateArray());

        Assert.Equal(article.EnumerateObject().Select(p => p.Name), item.EnumerateObject().Select(p => p.Name));
        foreach (var property in article.EnumerateObject())
        {
            Assert.Equal(property.Value.GetRawText(), item.GetProperty(property.Name).GetRawText());
        }

        // The nested values the test is about are really there.
        Assert.Equal(2, item.GetProperty("tags").GetArrayLength());
        Assert.Equal(1, item.GetProperty("translations").GetArrayLength());
        Assert.Equal(1, item.GetProperty("previousSlugs").GetArrayLength());
        Assert.Equal("A picture", item.GetProperty("image").GetProperty("alt").GetString());
        Assert.True(item.GetProperty("category").GetProperty("breadcrumb").GetArrayLength() >= 3);
    }
}
