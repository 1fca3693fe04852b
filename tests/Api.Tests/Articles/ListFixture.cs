using Api.Tests.Infrastructure;

namespace Api.Tests.Articles;

/// <summary>
/// The sample content plus a known set of articles for the list tests: 30 English articles over
/// nested categories, three at a time sharing a publication second (so ties need the id), tags,
/// a Chinese translation pair, and articles that must never show (draft, archived, scheduled, deleted).
/// </summary>
public sealed class ListFixture : ApiFactory
{
    public const string HiddenWord = "zanzibarquokka";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await ExecuteAsync("""
            INSERT INTO tags (slug, name) VALUES ('trade', 'Trade'), ('security', 'Security');

            INSERT INTO articles (slug, title, summary, body_html, body_text, language, category_id, status, published_at, created_at, updated_at)
            SELECT 'list-' || lpad(n::text, 2, '0'),
                   'List article ' || lpad(n::text, 2, '0') || CASE WHEN n % 3 = 0 THEN ' on trade talks' ELSE ' on regional security' END,
                   'Summary of list article ' || n,
                   '<p>Body of list article ' || n || '.</p>',
                   'Body of list article ' || n || '.',
                   'en',
                   (SELECT id FROM categories WHERE slug = (ARRAY['china-news', 'political-relations', 'economy-and-trade', 'visas', 'visa-fees'])[1 + n % 5]),
                   'published',
                   timestamptz '2021-01-01 00:00:00Z' + (n / 3) * interval '1 day',
                   timestamptz '2021-01-01 00:00:00Z',
                   timestamptz '2022-01-01 00:00:00Z' + ((n * 7) % 30) * interval '1 hour'
            FROM generate_series(1, 30) AS n;

            INSERT INTO article_tags (article_id, tag_id)
            SELECT a.id, t.id FROM articles a JOIN tags t ON t.slug = 'trade'
            WHERE a.slug LIKE 'list-%' AND substring(a.slug from 6)::int % 3 = 0;
            INSERT INTO article_tags (article_id, tag_id)
            SELECT a.id, t.id FROM articles a JOIN tags t ON t.slug = 'security'
            WHERE a.slug LIKE 'list-%' AND substring(a.slug from 6)::int % 5 = 0;

            INSERT INTO articles (slug, title, summary, body_html, body_text, language, category_id, status, published_at, translation_group)
            VALUES
              ('spokesperson-on-the-peninsula', 'Spokesperson answers questions on regional issues',
               'The spokesperson spoke about denuclearization.', '<p>China supports denuclearization.</p>',
               'China supports denuclearization.', 'en', (SELECT id FROM categories WHERE slug = 'china-news'),
               'published', '2022-06-01T08:00:00Z', '6f9619ff-8b86-d011-b42d-00cf4fc964ff'),
              ('wai-jiao-bu-fa-yan-ren', '外交部发言人就朝鲜半岛问题答记者问',
               '发言人谈朝鲜半岛无核化。', '<p>中方坚持实现半岛无核化目标。</p>',
               '中方坚持实现半岛无核化目标。', 'zh-Hans', (SELECT id FROM categories WHERE slug = 'china-news'),
               'published', '2022-06-01T08:00:00Z', '6f9619ff-8b86-d011-b42d-00cf4fc964ff');

            INSERT INTO articles (slug, title, summary, body_text, category_id, status, published_at, deleted_at)
            SELECT 'hidden-' || kind, 'Hidden ' || kind || ' on trade talks', '{{HiddenWord}} summary', '{{HiddenWord}} body',
                   (SELECT id FROM categories WHERE slug = 'economy-and-trade'), status, published_at, deleted_at
            FROM (VALUES
                ('draft', 'draft', timestamptz '2021-01-05Z', NULL::timestamptz),
                ('archived', 'archived', timestamptz '2021-01-05Z', NULL),
                ('scheduled', 'published', timestamptz '2999-01-01Z', NULL),
                ('deleted', 'published', timestamptz '2021-01-05Z', timestamptz '2021-02-01Z')) AS h (kind, status, published_at, deleted_at);
            INSERT INTO article_tags (article_id, tag_id)
            SELECT a.id, t.id FROM articles a JOIN tags t ON t.slug = 'trade' WHERE a.slug LIKE 'hidden-%';
            """.Replace("{{HiddenWord}}", HiddenWord));
    }

    /// <summary>Ids of the visible articles in the given SQL order, straight from the database.</summary>
    public Task<List<long>> VisibleIdsAsync(string orderBy, string where = "TRUE") =>
        QueryAsync<long>($"""
            SELECT id FROM articles
            WHERE status = 'published' AND published_at <= now() AND deleted_at IS NULL AND {where}
            ORDER BY {orderBy}
            """);
}
