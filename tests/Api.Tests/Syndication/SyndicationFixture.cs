using Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace Api.Tests.Syndication;

/// <summary>
/// The sample content plus articles for the feeds, sitemaps and ninjs: markup and non-ASCII text,
/// an English/Chinese translation pair with tags, image, byline and source, articles in sub-categories,
/// articles inside and outside the Google News window, and articles that must never show.
/// </summary>
public class SyndicationFixture : ApiFactory
{
    public const string SiteName = "Embassy News";
    public const string ApiBase = "https://api.news.example.com";
    public const string SpecialTitle = "Tom & Jerry <\"quoted\"> 习近平";
    public const string SpecialSummary = "A summary with <markup> & \"quotes\" — 中文摘要 ']]>'";
    public const string SpecialBody = "<p>Body &amp; more <b>bold</b> 中文正文 ]]&gt;</p>";
    public const string SpecialByline = "Li Wei & Ann O'Neil";
    public const string HiddenWord = "neverpublic";
    public const string PartnerUrl = "https://partner.example.org/trade-talks?id=7&lang=en";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Site:Name", SiteName);
        // A trailing slash must not double the slashes of the URLs built from it.
        builder.UseSetting("Share:PublicBaseUrl", ApiBase + "/");
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await ExecuteAsync("""
            INSERT INTO tags (slug, name) VALUES ('cartoons', 'Cartoons <"classic"> & more'), ('trade', 'Trade'), ('fees', 'Fees');

            INSERT INTO articles (slug, title, summary, body_html, body_text, language, category_id, status,
                                  published_at, created_at, updated_at, byline, source, image_url, image_alt, translation_group)
            VALUES
              ('tom-and-jerry', @specialTitle, @specialSummary, @specialBody, 'Body & more bold 中文正文 ]]>', 'en',
               (SELECT id FROM categories WHERE slug = 'political-relations'), 'published',
               '2022-03-01T10:00:00Z', '2022-02-28T09:00:00Z', '2022-03-02T08:00:00Z',
               @specialByline, 'Xinhua', 'https://img.news.example.com/tom-and-jerry.jpg', 'Tom chases Jerry',
               '7a0b3c1e-0000-4000-8000-000000000001'),
              ('mao-he-lao-shu', '猫和老鼠', '中文摘要', '<p>中文正文</p>', '中文正文', 'zh-Hans',
               (SELECT id FROM categories WHERE slug = 'political-relations'), 'published',
               '2022-03-01T11:00:00Z', '2022-02-28T09:30:00Z', '2022-03-01T11:00:00Z',
               NULL, NULL, NULL, NULL, '7a0b3c1e-0000-4000-8000-000000000001'),
              ('visa-fees-change', 'Visa fees change', 'New fees for every visa type.', '<p>New fees.</p>', 'New fees.', 'en',
               (SELECT id FROM categories WHERE slug = 'visa-fees'), 'published',
               '2022-02-01T00:00:00Z', '2022-02-01T00:00:00Z', '2022-02-01T00:00:00Z', NULL, NULL, NULL, NULL, NULL),
              ('trade-talks-resume', 'Trade talks resume', 'Both sides met again.', '<p>They met.</p>', 'They met.', 'en',
               (SELECT id FROM categories WHERE slug = 'economy-and-trade'), 'published',
               '2022-01-15T00:00:00Z', '2022-01-15T00:00:00Z', '2022-01-15T00:00:00Z', NULL, NULL, NULL, NULL, NULL),
              ('bell-in-the-title', E'Bell\x07 in the title', E'Form\x0cfeed summary', '<p>Plain.</p>', 'Plain.', 'en',
               (SELECT id FROM categories WHERE slug = 'china-news'), 'published',
               '2021-06-01T00:00:00Z', '2021-06-01T00:00:00Z', '2021-06-01T00:00:00Z', NULL, NULL, NULL, NULL, NULL);

            -- Its text was edited after publication: what feeds call the entry's update.
            UPDATE articles SET content_modified_at = '2022-03-02T08:00:00Z' WHERE slug = 'tom-and-jerry';

            -- A canonical URL of its own, with characters XML must escape.
            UPDATE articles SET canonical_url = @partnerUrl WHERE slug = 'trade-talks-resume';

            INSERT INTO article_tags (article_id, tag_id, position)
            SELECT a.id, t.id, v.position
            FROM (VALUES ('tom-and-jerry', 'cartoons', 1), ('tom-and-jerry', 'trade', 2),
                         ('trade-talks-resume', 'trade', 1), ('visa-fees-change', 'fees', 1)) AS v (article, tag, position)
            JOIN articles a ON a.slug = v.article JOIN tags t ON t.slug = v.tag;

            -- The Google News window: two days back from now.
            INSERT INTO articles (slug, title, summary, body_html, body_text, language, category_id, status, published_at, created_at, updated_at)
            SELECT v.slug, v.title, 'Summary of ' || v.title, '<p>Body.</p>', 'Body.', v.language,
                   (SELECT id FROM categories WHERE slug = 'china-news'), 'published', now() - v.age, now() - v.age, now() - v.age
            FROM (VALUES ('published-an-hour-ago', 'Published an hour ago', 'en', interval '1 hour'),
                         ('jian-ti-zhong-wen-xin-wen', '简体中文新闻', 'zh-Hans', interval '2 hours'),
                         ('fan-ti-zhong-wen-xin-wen', '繁體中文新聞', 'zh-Hant', interval '3 hours'),
                         ('noticias-do-brasil', 'Notícias do Brasil', 'pt-BR', interval '4 hours'),
                         ('published-three-days-ago', 'Published three days ago', 'en', interval '3 days')) AS v (slug, title, language, age);

            INSERT INTO articles (slug, title, summary, body_html, body_text, language, category_id, status, published_at, deleted_at)
            SELECT 'hidden-' || v.kind, 'Hidden ' || v.kind || ' {{hidden}}', '{{hidden}}', '<p>{{hidden}}</p>', '{{hidden}}', 'en',
                   (SELECT id FROM categories WHERE slug = 'political-relations'), v.status, now() + v.shift, v.deleted_at
            FROM (VALUES ('draft', 'draft', interval '-1 hour', NULL::timestamptz),
                         ('archived', 'archived', interval '-1 hour', NULL),
                         ('scheduled', 'published', interval '1 hour', NULL),
                         ('deleted', 'published', interval '-1 hour', now())) AS v (kind, status, shift, deleted_at);
            INSERT INTO article_tags (article_id, tag_id)
            SELECT a.id, t.id FROM articles a JOIN tags t ON t.slug = 'trade' WHERE a.slug LIKE 'hidden-%';
            """.Replace("{{hidden}}", HiddenWord),
            new { partnerUrl = PartnerUrl, specialTitle = SpecialTitle, specialSummary = SpecialSummary, specialBody = SpecialBody, specialByline = SpecialByline });
    }

    /// <summary>Slugs of the public articles, newest first (ties by id), straight from the database.</summary>
    public Task<List<string>> VisibleSlugsAsync(string where = "TRUE") =>
        QueryAsync<string>($"""
            SELECT a.slug FROM articles a
            WHERE a.status = 'published' AND a.published_at <= now() AND a.deleted_at IS NULL AND {where}
            ORDER BY a.published_at DESC, a.id DESC
            """);

    /// <summary>The tag URI the API gives an article.</summary>
    public async Task<string> TagUriAsync(string slug)
    {
        var row = (await QueryAsync<(long Id, DateTime CreatedAt)>("SELECT id, created_at FROM articles WHERE slug = @slug", new { slug })).Single();
        return $"tag:news.example.com,{row.CreatedAt.ToUniversalTime():yyyy-MM-dd}:article:{row.Id}";
    }

    /// <summary>The public articles' page URLs (their canonical URL, else the site's template), by id.</summary>
    public Task<List<string>> VisibleUrlsAsync(string where = "TRUE") =>
        QueryAsync<string>($"""
            SELECT coalesce(a.canonical_url, 'https://news.example.com/articles/' || a.slug) FROM articles a
            WHERE a.status = 'published' AND a.published_at <= now() AND a.deleted_at IS NULL AND {where}
            ORDER BY a.id
            """);

    public async Task<long> IdOfAsync(string slug) => await ScalarAsync<long>("SELECT id FROM articles WHERE slug = @slug", new { slug });

    public async Task<long> CategoryIdAsync(string slug) => await ScalarAsync<long>("SELECT id FROM categories WHERE slug = @slug", new { slug });
}
