using System.Text.Json;
using Api.Tests.Editorial;
using Api.Tests.Infrastructure;

namespace Api.Tests.Articles;

/// <summary>
/// What articles show of their tags and authors is kept ready in article_lists (migration 0024); the database
/// keeps it in step with article_tags, tags, article_authors and authors whoever writes them.
/// </summary>
public sealed class DenormalizedListsTests(EditorialFixture api) : IClassFixture<EditorialFixture>
{
    private async Task<JsonElement> ReadAsync(long id) => await (await api.Editor.GetAsync($"/v1/articles/{id}")).ReadJsonAsync();

    [Fact]
    public async Task Tags_and_authors_follow_writes_made_outside_the_api()
    {
        var (article, _) = await api.CreateAsync(new { title = "Kept in step", categorySlug = "visas", tags = new[] { "Alpha tag", "Beta tag" } });
        var id = article.GetProperty("id").GetInt64();
        Assert.Equal(["alpha-tag", "beta-tag"], article.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("slug").GetString()));

        // As an administrator with psql would: rename a tag, add an author, reorder, delete a tag.
        await api.ExecuteAsync("UPDATE tags SET name = 'Alpha (renamed)' WHERE slug = 'alpha-tag'");
        await api.ExecuteAsync("""
            INSERT INTO authors (slug, name) VALUES ('outside-writer', 'Outside Writer');
            INSERT INTO article_authors (article_id, position, author_id) SELECT @id, 0, id FROM authors WHERE slug = 'outside-writer';
            UPDATE article_tags SET position = (SELECT max(position) + min(position) FROM article_tags WHERE article_id = @id) - position WHERE article_id = @id;
            """, new { id });
        var read = await ReadAsync(id);
        Assert.Equal(["Beta tag", "Alpha (renamed)"], read.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.Equal("Outside Writer", read.GetProperty("authors")[0].GetProperty("name").GetString());

        await api.ExecuteAsync("UPDATE authors SET name = 'Outside Writer Jr', title = 'Intern' WHERE slug = 'outside-writer'");
        await api.ExecuteAsync("DELETE FROM tags WHERE slug = 'beta-tag'");
        read = await ReadAsync(id);
        Assert.Equal(["alpha-tag"], read.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("slug").GetString()));
        Assert.Equal("Intern", read.GetProperty("authors")[0].GetProperty("title").GetString());

        // The kept lists equal what the tables say, for every article.
        Assert.Equal(0, await api.ScalarAsync<long>("""
            SELECT count(*) FROM articles a LEFT JOIN article_lists l ON l.article_id = a.id
            WHERE coalesce(l.tags, '[]') <> article_tag_list(a.id) OR coalesce(l.authors, '[]') <> article_author_list(a.id)
            """));
    }

    [Fact]
    public async Task Lists_and_related_read_earlier_slugs_and_legacy_ids_only_when_asked_for()
    {
        var (article, etag) = await api.CreateAsync(new { title = "Renamed for aliases", slug = "aliases-before", categorySlug = "visas", status = "published", tags = new[] { "Alias tag" } });
        var id = article.GetProperty("id").GetInt64();
        var renamed = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Patch, $"/v1/articles/{id}", """{"slug":"aliases-after"}""", etag, "application/merge-patch+json"));
        Assert.Equal(System.Net.HttpStatusCode.OK, renamed.StatusCode);
        await api.CreateAsync(new { title = "Neighbour for aliases", categorySlug = "visas", status = "published", tags = new[] { "Alias tag" } });

        var asked = await (await api.Public.GetAsync($"/v1/articles?ids={id}&fields=id,previousSlugs,legacyIds")).ReadJsonAsync();
        Assert.Equal(["aliases-before"], asked.GetProperty("items")[0].GetProperty("previousSlugs").EnumerateArray().Select(s => s.GetString()));
        var plain = await (await api.Public.GetAsync($"/v1/articles?ids={id}")).ReadJsonAsync();
        Assert.False(plain.GetProperty("items")[0].TryGetProperty("previousSlugs", out _));

        var related = await (await api.Public.GetAsync("/v1/articles/neighbour-for-aliases/related?fields=id,previousSlugs")).ReadJsonAsync();
        var item = related.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetInt64() == id);
        Assert.Equal(["aliases-before"], item.GetProperty("previousSlugs").EnumerateArray().Select(s => s.GetString()));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task A_tag_renamed_while_its_articles_are_saved_leaves_every_list_right(int round)
    {
        var articles = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            var (article, _) = await api.CreateAsync(new { title = $"Raced article {round}-{i}", categorySlug = "visas", tags = new[] { $"Raced tag {round}" } });
            articles.Add(article.GetProperty("id").GetInt64());
        }

        var tagETag = (await api.Editor.GetAsync($"/v1/tags/raced-tag-{round}")).Headers.ETag;
        var saves = articles.Select(id => api.Editor.SendAsync(EditorialFixture.Write(
            HttpMethod.Patch, $"/v1/articles/{id}", $$"""{"tags":["Raced tag {{round}}","Second raced tag {{round}}"]}""",
            System.Net.Http.Headers.EntityTagHeaderValue.Any, "application/merge-patch+json"))).ToList();
        var rename = api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Patch, $"/v1/tags/raced-tag-{round}", """{"name":"Renamed raced tag"}""", tagETag, "application/merge-patch+json"));
        var answers = await Task.WhenAll(saves.Append(rename));

        Assert.All(answers, a => Assert.Equal(System.Net.HttpStatusCode.OK, a.StatusCode));
        foreach (var id in articles)
        {
            var read = await ReadAsync(id);
            Assert.Equal(["Renamed raced tag", $"Second raced tag {round}"], read.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        }

        Assert.Equal(0, await api.ScalarAsync<long>("""
            SELECT count(*) FROM articles a LEFT JOIN article_lists l ON l.article_id = a.id
            WHERE coalesce(l.tags, '[]') <> article_tag_list(a.id) OR coalesce(l.authors, '[]') <> article_author_list(a.id)
            """));
    }

    [Fact]
    public async Task A_rename_waits_for_a_save_of_the_same_article_and_then_sees_it()
    {
        var (article, _) = await api.CreateAsync(new { title = "Saved during a rename", categorySlug = "visas", tags = new[] { "Renamed meanwhile" } });
        var id = article.GetProperty("id").GetInt64();
        await api.ExecuteAsync("INSERT INTO tags (slug, name) VALUES ('added-meanwhile', 'Added meanwhile')");

        // An editor's save, still open: it changed the article's tags (and so its lists).
        await using var save = new Npgsql.NpgsqlConnection(api.ConnectionString);
        await save.OpenAsync();
        await using var transaction = await save.BeginTransactionAsync();
        await Dapper.SqlMapper.ExecuteAsync(save, """
            SELECT id FROM articles WHERE id = @id FOR UPDATE;
            INSERT INTO article_tags (article_id, tag_id, position) SELECT @id, id, 9 FROM tags WHERE slug = 'added-meanwhile';
            """, new { id }, transaction);

        // The rename of the article's other tag waits for the save, then counts it.
        var rename = api.ExecuteAsync("UPDATE tags SET name = 'Renamed meanwhile (new)' WHERE slug = 'renamed-meanwhile'");
        await Task.Delay(500);
        Assert.False(rename.IsCompleted, "the rename did not wait for the article's save");
        await transaction.CommitAsync();
        await rename;

        var read = await ReadAsync(id);
        Assert.Equal(["Renamed meanwhile (new)", "Added meanwhile"], read.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
    }
}
