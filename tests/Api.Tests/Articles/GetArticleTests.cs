using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Api.Articles;
using Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Api.Tests.Articles;

public sealed class GetArticleTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string SeedSlug = "xi-jinping-holds-telephone-talks-with-president-donald-trump-of-the-us";
    private const string SeedTitle = "Xi Jinping Holds Telephone Talks with President Donald Trump of the US";
    private const string SeedLede =
        "On the morning of April 12, 2017, President Xi Jinping held telephone talks with President Donald Trump of the US.";

    private readonly HttpClient _client = api.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    private async Task<HttpClient> EditorAsync() => api.CreateClient(await api.CreateKeyAsync("content:write"));

    [Fact]
    public async Task GetArticle_returns_the_seed_article_with_its_breadcrumb()
    {
        var response = await _client.GetAsync($"/v1/articles/{SeedSlug}");
        var article = await response.ReadJsonAsync();

        Assert.Equal(SeedSlug, article.GetProperty("slug").GetString());
        Assert.Equal(SeedTitle, article.GetProperty("title").GetString());
        Assert.Equal(SeedLede, article.GetProperty("summary").GetString());
        Assert.Equal("2017-04-12T00:00:00Z", article.GetProperty("publishedAt").GetString());
        Assert.Equal("en", article.GetProperty("language").GetString());
        Assert.Equal($"https://news.example.com/articles/{SeedSlug}", article.GetProperty("canonicalUrl").GetString());
        var aliases = await (await _client.GetAsync($"/v1/articles/{SeedSlug}?include=legacyIds,previousSlugs")).ReadJsonAsync();
        Assert.Equal(["t1453741"], aliases.GetProperty("legacyIds").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(aliases.GetProperty("previousSlugs").EnumerateArray());

        var category = article.GetProperty("category");
        Assert.Equal("china-news", category.GetProperty("slug").GetString());
        Assert.Equal("China News", category.GetProperty("name").GetString());
        var breadcrumb = category.GetProperty("breadcrumb").EnumerateArray().ToList();
        Assert.Equal(2, breadcrumb.Count);
        Assert.Equal("Home", breadcrumb[0].GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, breadcrumb[0].GetProperty("slug").ValueKind);
        Assert.Equal(JsonValueKind.Null, breadcrumb[0].GetProperty("id").ValueKind);
        Assert.Equal("China News", breadcrumb[1].GetProperty("name").GetString());
        Assert.Equal("china-news", breadcrumb[1].GetProperty("slug").GetString());
        Assert.Equal(category.GetProperty("id").GetInt64(), breadcrumb[1].GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task Include_jsonld_adds_the_structured_data_of_the_jsonld_endpoint()
    {
        var plain = await _client.GetAsync("/v1/articles/1");
        Assert.DoesNotContain("\"jsonLd\"", await plain.Content.ReadAsStringAsync());

        var withLd = await _client.GetAsync("/v1/articles/1?include=jsonld");
        Assert.Equal(HttpStatusCode.OK, withLd.StatusCode);
        var sent = await withLd.Content.ReadAsStringAsync();
        var standalone = await (await _client.GetAsync("/v1/articles/1/jsonld")).Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(sent);
        Assert.Equal(standalone, document.RootElement.GetProperty("jsonLd").GetRawText());
        Assert.NotEqual(plain.Headers.ETag, withLd.Headers.ETag);

        // Byte for byte what the serializer writes for the DTO with the member set (an editor's read has every member).
        var full = await (await (await EditorAsync()).GetAsync("/v1/articles/1?include=jsonld")).Content.ReadAsStringAsync();
        var options = api.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        Assert.Equal(JsonSerializer.Serialize(JsonSerializer.Deserialize<ArticleDto>(full, options), options), full);

        var bad = await (await _client.GetAsync("/v1/articles/1?include=jsonld,comments")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(bad.ErrorsFor("include"));
    }

    [Fact]
    public async Task GetArticle_writes_exactly_what_the_serializer_writes_for_the_article()
    {
        // Every member filled in, with text the encoder must escape: the hand-written body of the
        // single-article read must not drift from ArticleDto's contract.
        var slug = $"written-{Guid.NewGuid():N}";
        var group = Guid.NewGuid();
        await api.ExecuteAsync("""
            INSERT INTO articles (slug, title, summary, body_html, body_text, language, category_id, status,
                                  byline, source, image_url, image_alt, canonical_url, translation_group, published_at)
            SELECT @slug, 'Talks on "trade" & <fees> — 习近平', E'Line\u2028break\ttab', '<p class="lede">A &amp; B</p>',
                   E'A & B\n\nC', 'en', id, 'published', 'By "Someone"', 'Agency', 'https://img.example.com/a b.jpg',
                   'Alt <text>', NULL, @group, '2021-03-04T05:06:07.891Z'
            FROM categories WHERE slug = 'china-news';
            INSERT INTO articles (slug, title, language, category_id, status, translation_group, published_at)
            SELECT @slug || '-fr', 'Traduction', 'fr', id, 'published', @group, '2021-03-04T05:06:07Z'
            FROM categories WHERE slug = 'china-news';
            INSERT INTO tags (slug, name) VALUES (@slug || '-tag', 'Tag <"one"> & more');
            INSERT INTO article_tags (article_id, tag_id)
            SELECT a.id, t.id FROM articles a, tags t WHERE a.slug = @slug AND t.slug = @slug || '-tag';
            INSERT INTO article_aliases (alias, article_id, kind) SELECT @slug || '-old', id, 'slug' FROM articles WHERE slug = @slug;
            """, new { slug, group });

        var response = await (await EditorAsync()).GetAsync($"/v1/articles/{slug}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = await response.Content.ReadAsStringAsync();

        var options = api.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var article = JsonSerializer.Deserialize<ArticleDto>(sent, options)!;
        Assert.Equal(JsonSerializer.Serialize(article, options), sent);

        Assert.Equal("Talks on \"trade\" & <fees> — 习近平", article.Title);
        Assert.Equal("Line\u2028break\ttab", article.Summary);
        Assert.Equal("<p class=\"lede\">A &amp; B</p>", article.BodyHtml);
        Assert.Equal("By \"Someone\"", article.Byline);
        Assert.Equal("Agency", article.Source);
        Assert.Equal(new ImageDto("https://img.example.com/a b.jpg", "Alt <text>"), article.Image);
        Assert.Equal(new DateTime(2021, 3, 4, 5, 6, 7, 891, DateTimeKind.Utc), article.PublishedAt);
        Assert.Equal($"https://news.example.com/articles/{slug}", article.CanonicalUrl);
        Assert.Equal("china-news", article.Category.Slug);
        Assert.Equal([new TagDto($"{slug}-tag", "Tag <\"one\"> & more")], article.Tags);
        Assert.Equal([$"{slug}-old"], article.PreviousSlugs);
        Assert.Equal($"{slug}-fr", Assert.Single(article.Translations).Slug);
    }

    [Fact]
    public async Task GetArticle_body_is_one_paragraph_each_without_the_page_chrome()
    {
        var article = await (await _client.GetAsync($"/v1/articles/{SeedSlug}?include=bodyText")).ReadJsonAsync();
        var html = article.GetProperty("bodyHtml").GetString()!;
        var text = article.GetProperty("bodyText").GetString()!;

        var paragraphs = Regex.Matches(html, "<p>(.*?)</p>", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(7, paragraphs.Count);
        Assert.Equal(SeedLede, paragraphs[0]);
        Assert.StartsWith("Xi Jinping stressed that I was very pleased", paragraphs[1]);
        Assert.Equal("The two heads of state agreed to maintain close contacts through various channels.", paragraphs[^1]);
        Assert.Equal(paragraphs, text.Split("\n\n"));
        Assert.DoesNotContain("Suggest to a friend", html);
        Assert.DoesNotContain("Suggest to a friend", text);
        Assert.DoesNotContain('\u00a0', html);
    }

    [Fact]
    public async Task GetArticle_by_numeric_id_returns_the_same_article()
    {
        var bySlug = await (await _client.GetAsync($"/v1/articles/{SeedSlug}")).ReadJsonAsync();
        var id = bySlug.GetProperty("id").GetInt64();

        var byId = await (await _client.GetAsync($"/v1/articles/{id}")).ReadJsonAsync();

        Assert.Equal(SeedSlug, byId.GetProperty("slug").GetString());
        Assert.Equal(id, byId.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task GetArticle_returns_the_tags_in_editorial_order()
    {
        var article = await (await _client.GetAsync($"/v1/articles/{SeedSlug}")).ReadJsonAsync();
        var tags = article.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("slug").GetString()).ToList();
        Assert.Equal(["xi-jinping", "donald-trump", "china-us-relations", "korean-peninsula", "syria"], tags);
    }

    [Fact]
    public async Task GetArticle_returns_301_for_the_legacy_id()
    {
        var response = await _client.GetAsync("/v1/articles/t1453741");

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal($"/v1/articles/{SeedSlug}", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task GetArticle_returns_301_for_a_previous_slug_and_keeps_the_query()
    {
        await api.ExecuteAsync("""
            INSERT INTO article_aliases (alias, article_id, kind)
            SELECT 'xi-and-trump-speak-by-phone', id, 'slug' FROM articles WHERE slug = @slug
            """, new { slug = SeedSlug });

        var response = await _client.GetAsync("/v1/articles/xi-and-trump-speak-by-phone?lang=en");

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal($"/v1/articles/{SeedSlug}?lang=en", response.Headers.Location?.OriginalString);
        var article = await (await _client.GetAsync($"{response.Headers.Location}&include=previousSlugs")).ReadJsonAsync();
        Assert.Contains("xi-and-trump-speak-by-phone", article.GetProperty("previousSlugs").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task GetArticle_returns_404_problem_for_an_unknown_slug()
    {
        var response = await _client.GetAsync("/v1/articles/no-such-article");

        var problem = await response.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("no-such-article", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("987654321")]
    [InlineData("1000000000000000000")]                          // 19 digits
    [InlineData("9223372036854775807")]                          // bigint max
    public async Task GetArticle_returns_404_problem_for_an_unknown_id(string id)
    {
        var response = await _client.GetAsync($"/v1/articles/{id}");
        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("draft", "2017-04-12T00:00:00Z", null)]
    [InlineData("archived", "2017-04-12T00:00:00Z", null)]
    [InlineData("published", "2999-01-01T00:00:00Z", null)]
    [InlineData("published", "2017-04-12T00:00:00Z", "2020-01-01T00:00:00Z")]
    public async Task GetArticle_hides_drafts_archived_scheduled_and_deleted_articles(string status, string publishedAt, string? deletedAt)
    {
        var slug = $"hidden-{Guid.NewGuid():N}";
        await api.ExecuteAsync("""
            INSERT INTO articles (slug, title, category_id, status, published_at, deleted_at)
            SELECT @slug, 'Hidden', id, @status, @publishedAt::timestamptz, @deletedAt::timestamptz
            FROM categories WHERE slug = 'china-news'
            """, new { slug, status, publishedAt, deletedAt });
        var id = await api.ScalarAsync<long>("SELECT id FROM articles WHERE slug = @slug", new { slug });
        await api.ExecuteAsync("INSERT INTO article_aliases (alias, article_id, kind) VALUES (@alias, @id, 'legacy')",
            new { alias = $"legacy-{slug}", id });

        await (await _client.GetAsync($"/v1/articles/{slug}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _client.GetAsync($"/v1/articles/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _client.GetAsync($"/v1/articles/legacy-{slug}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("Xi-Jinping")]                                   // uppercase
    [InlineData("xi--jinping")]                                  // double hyphen
    [InlineData("-xi")]                                          // leading hyphen
    [InlineData("xi%20jinping")]                                 // space
    [InlineData("xi%0Ajinping")]                                 // control character
    [InlineData("xi%09")]                                        // tab
    [InlineData("t1453741%0A")]                                  // trailing newline
    [InlineData("1%27%20OR%20%271%27%3D%271")]                   // 1' OR '1'='1
    [InlineData("x%27%3B%20DROP%20TABLE%20articles%3B--")]       // x'; DROP TABLE articles;--
    [InlineData("%E4%B9%A0%E8%BF%91%E5%B9%B3")]                  // non-ASCII
    [InlineData("%C3%28")]                                       // invalid UTF-8
    [InlineData("..%2F..%2Fetc%2Fpasswd")]                       // encoded path traversal
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("0")]
    [InlineData("99999999999999999999")]                         // beyond bigint
    [InlineData("9223372036854775808")]                          // bigint max + 1
    public async Task GetArticle_rejects_a_malformed_id_or_slug_with_400(string idOrSlug)
    {
        var response = await _client.GetAsync($"/v1/articles/{idOrSlug}");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorsFor("idOrSlug"));
    }

    [Fact]
    public async Task GetArticle_rejects_a_too_long_slug_with_400()
    {
        var response = await _client.GetAsync($"/v1/articles/{new string('a', 201)}");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(problem.ErrorsFor("idOrSlug"), m => m.Contains("200"));
    }

    [Fact]
    public async Task GetArticle_survives_injection_attempts_and_leaves_the_data_intact()
    {
        await _client.GetAsync("/v1/articles/x%27%3B%20DROP%20TABLE%20articles%3B--");
        var count = await api.ScalarAsync<long>("SELECT count(*) FROM articles WHERE slug = @slug", new { slug = SeedSlug });
        Assert.Equal(1, count);
    }

    [Fact]
    public async Task GetArticle_sends_validators_and_cache_headers()
    {
        var response = await _client.GetAsync($"/v1/articles/{SeedSlug}");
        var article = await response.ReadJsonAsync();

        Assert.NotNull(response.Headers.ETag);
        Assert.False(response.Headers.ETag!.IsWeak);
        Assert.Equal(new DateTimeOffset(2017, 4, 12, 0, 0, 0, TimeSpan.Zero), response.Content.Headers.LastModified);
        Assert.True(response.Headers.CacheControl?.Public);
        Assert.True(response.Headers.CacheControl?.MaxAge > TimeSpan.Zero);
        var keys = response.Headers.GetValues("Surrogate-Key").Single().Split(' ');
        Assert.Contains($"article-{article.GetProperty("id").GetInt64()}", keys);
        Assert.Contains($"category-{article.GetProperty("category").GetProperty("id").GetInt64()}", keys);
    }

    [Fact]
    public async Task GetArticle_answers_a_matching_If_None_Match_with_304_and_no_body()
    {
        var first = await _client.GetAsync($"/v1/articles/{SeedSlug}");
        var etag = first.Headers.ETag!;

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/articles/{SeedSlug}");
        request.Headers.IfNoneMatch.Add(etag);
        var second = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Equal(etag, second.Headers.ETag);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task GetArticle_answers_a_stale_If_None_Match_with_the_full_article()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/articles/{SeedSlug}");
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"not-the-current-one\""));
        var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(SeedSlug, (await response.ReadJsonAsync()).GetProperty("slug").GetString());
    }

    [Fact]
    public async Task GetArticle_answers_If_Modified_Since_after_the_last_change_with_304()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/articles/{SeedSlug}");
        request.Headers.IfModifiedSince = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Fact]
    public async Task HEAD_answers_like_GET_without_a_body()
    {
        var get = await _client.GetAsync($"/v1/articles/{SeedSlug}");
        var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v1/articles/{SeedSlug}"));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Equal(get.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/v1/articles/no-such-article"))).StatusCode);
    }
}
