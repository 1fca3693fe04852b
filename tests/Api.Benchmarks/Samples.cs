using System.Text;
using System.Text.Json;
using Api.Articles;
using Api.Categories;
using Api.Infrastructure;

namespace Api.Benchmarks;

/// <summary>What the benchmarks write: the seed's article and a list page of twenty items.</summary>
public enum Body
{
    Article,
    ListPage,
}

/// <summary>
/// The data the benchmarks write, made once: the sample article of <c>db/seed</c> (read from the
/// API's embedded copy of the seed, so its body is the real one), and a first list page of twenty
/// articles of the same kind (default fields, as <c>GET /v1/articles</c> answers).
/// </summary>
public static class Samples
{
    public const int PageSize = 20;

    // Declared first: the properties below are built from them, in this order.
    private static readonly DateTime Published = new(2017, 4, 12, 0, 0, 0, DateTimeKind.Utc);

    private static readonly IReadOnlyList<BreadcrumbItem> ChinaNews =
        [new(null, null, "Home"), new(1, "china-news", "China News")];

    private static readonly IReadOnlyList<BreadcrumbItem> PoliticalRelations =
        [new(null, null, "Home"), new(3, "bilateral-relations", "Bilateral Relations"), new(5, "political-relations", "Political Relations")];

    private static readonly IReadOnlyList<BreadcrumbItem> VisaFees =
        [new(null, null, "Home"), new(4, "consular-services", "Consular Services"), new(8, "visas", "Visas"), new(10, "visa-fees", "Visa Fees")];

    /// <summary>The options the HTTP pipeline serializes with: ASP.NET Core's defaults, then the API's <see cref="Json.Configure"/>.</summary>
    public static JsonSerializerOptions ApiOptions { get; } = CreateApiOptions();

    public static SiteOptions Site { get; } = new();

    public static ArticleDto Article { get; } = SeedArticle();

    public static IReadOnlyList<ArticleDto> Page { get; } = ListPage();

    /// <summary>What a list answers when <c>fields</c> is not given (no search).</summary>
    public static IReadOnlySet<string> ListFields { get; } = ArticleFields.ListDefaults(search: false);

    /// <summary>A next-page cursor of the usual length (its content does not matter here).</summary>
    public const string NextCursor = "eyJxIjoiNGY3YzE5ZTAiLCJrIjoiMjAxNy0wNC0xMlQwMDowMDowMFoiLCJ0IjpudWxsLCJyIjpudWxsLCJpIjoxMDAwODF9";

    /// <summary>The writer options the API's bodies use (<c>CachedJson</c>, <c>ArticleLists.Write</c>).</summary>
    public static JsonWriterOptions WriterOptions => new() { Encoder = ApiOptions.Encoder, Indented = ApiOptions.WriteIndented };

    /// <summary>The pooled buffer's first size, as the API asks for it.</summary>
    public static int SizeHint(Body body) => body == Body.Article ? 4096 : 4096 + (PageSize * 1280);

    /// <summary>The hand-written body, as the API writes it for this kind of answer.</summary>
    public static void WriteHandWritten(Utf8JsonWriter json, Body body)
    {
        if (body == Body.Article)
        {
            ArticleFields.WriteArticle(json, Article, ApiOptions);
        }
        else
        {
            WriteListPage(json, Page, ApiOptions);
        }
    }

    /// <summary>
    /// <c>ArticleLists.Write</c> (internal to the API) without its row-to-DTO mapping and snippet, which
    /// are not what is compared: the envelope written here, each item by <see cref="ArticleFields.Write"/>.
    /// </summary>
    public static void WriteListPage(Utf8JsonWriter json, IReadOnlyList<ArticleDto> page, JsonSerializerOptions options)
    {
        json.WriteStartObject();
        json.WriteStartArray("items");
        foreach (var article in page)
        {
            ArticleFields.Write(json, article, null, ListFields, options);
        }

        json.WriteEndArray();
        json.WriteString("nextCursor", NextCursor);
        json.WriteNull("total");
        json.WriteEndObject();
    }

    public static byte[] Bytes(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(json);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Fails the run when two ways of writing the same answer do not give the same bytes.</summary>
    public static void RequireSameBytes(string what, byte[] expected, byte[] actual)
    {
        if (!expected.AsSpan().SequenceEqual(actual))
        {
            var at = expected.AsSpan().CommonPrefixLength(actual);
            throw new InvalidOperationException(
                $"{what}: the bytes differ at offset {at} ({expected.Length} and {actual.Length} bytes): "
                + $"'{Excerpt(expected, at)}' against '{Excerpt(actual, at)}'.");
        }
    }

    private static string Excerpt(byte[] bytes, int at) =>
        Encoding.UTF8.GetString(bytes, Math.Max(0, at - 20), Math.Min(60, bytes.Length - Math.Max(0, at - 20)));

    private static JsonSerializerOptions CreateApiOptions()
    {
        var options = new Microsoft.AspNetCore.Http.Json.JsonOptions().SerializerOptions;
        Json.Configure(options);
        options.MakeReadOnly();
        return options;
    }

    /// <summary>The seed's article as <c>GET /v1/articles/{slug}</c> answers it: its text, tags and legacy id.</summary>
    private static ArticleDto SeedArticle()
    {
        var seed = ReadSeed();
        var article = Literals(Between(seed, "INSERT INTO articles", ";\n"));
        var tags = Literals(Between(seed, "INSERT INTO tags", ";\n"));
        var legacyId = Literals(Between(seed, "INSERT INTO article_aliases", ";\n"))[0];
        var (slug, title, summary, bodyHtml, bodyText, language) = (article[0], article[1], article[2], article[3], article[4], article[5]);
        return new ArticleDto(
            1,
            slug,
            title,
            summary,
            bodyHtml,
            bodyText,
            language,
            "published",
            Published,
            Published,
            Published,
            1,
            Site.ArticleUrl(1, slug),
            null,
            null,
            null,
            new ArticleCategory(1, "china-news", "China News", ChinaNews),
            [.. tags.Chunk(2).Select(t => new TagDto(t[0], t[1]))],
            null,
            [],
            [legacyId],
            []);
    }

    /// <summary>
    /// Twenty articles of the seed's kind: headlines (up to 90 characters) and standfirsts (up to 200) taken from its sentences, three to
    /// five of its tags, a category one to three levels deep, an image on every other one, a byline
    /// and a source on some, a translation on every fourth.
    /// </summary>
    private static IReadOnlyList<ArticleDto> ListPage()
    {
        var seed = Article;
        var sentences = seed.BodyText
            .Split(". ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => s.TrimEnd('.'))
            .Where(s => s.Length > 20)
            .ToArray();
        var categories = new[]
        {
            new ArticleCategory(1, "china-news", "China News", ChinaNews),
            new ArticleCategory(5, "political-relations", "Political Relations", PoliticalRelations),
            new ArticleCategory(10, "visa-fees", "Visa Fees", VisaFees),
        };

        var page = new List<ArticleDto>(PageSize);
        for (var i = 0; i < PageSize; i++)
        {
            var id = 100_100 - i;
            var title = Cut(sentences[i % sentences.Length], 90);
            var slug = Slug(title);
            var summary = Cut(sentences[(i + 1) % sentences.Length], 200) + ".";
            var published = Published.AddDays(-i).AddMinutes(-37 * i).AddMilliseconds(123 * i);
            page.Add(seed with
            {
                Id = id,
                Slug = slug,
                Title = title,
                Summary = summary,
                BodyHtml = "",
                BodyText = "",
                PublishedAt = published,
                CreatedAt = published.AddHours(-2),
                UpdatedAt = published.AddMinutes(i % 3 == 0 ? 45 : 0),
                Version = 1 + (i % 4),
                CanonicalUrl = Site.ArticleUrl(id, slug),
                Byline = i % 3 == 0 ? "By Embassy Staff" : null,
                Source = i % 5 == 0 ? "Xinhua" : null,
                Image = i % 2 == 0 ? new ImageDto($"https://images.news.example.com/2017/04/{slug}.jpg", title) : null,
                Category = categories[i % categories.Length],
                Tags = seed.Tags.Skip(i % 3).Take(3 + (i % 3)).ToArray(),
                LegacyIds = [],
                Translations = i % 4 == 0 ? [new TranslationDto(id + 500_000, slug + "-zh", "zh")] : [],
            });
        }

        return page;
    }

    private static string Cut(string sentence, int length) =>
        sentence.Length <= length ? sentence : sentence[..sentence.LastIndexOf(' ', length)];

    private static string Slug(string title)
    {
        var slug = new StringBuilder(title.Length);
        foreach (var c in title.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                slug.Append(c);
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }

        return slug.ToString().Trim('-');
    }

    private static string ReadSeed()
    {
        using var stream = typeof(ArticleDto).Assembly.GetManifestResourceStream("seed/0001_sample_content.sql")
            ?? throw new InvalidOperationException("The API assembly has no embedded seed/0001_sample_content.sql.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd().ReplaceLineEndings("\n");
    }

    private static string Between(string text, string start, string end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal);
        var to = text.IndexOf(end, from, StringComparison.Ordinal);
        if (from < 0 || to < 0)
        {
            throw new InvalidOperationException($"The seed has no '{start}' statement.");
        }

        return text[from..to];
    }

    /// <summary>The SQL string literals of a statement, in order ('' is a quote).</summary>
    private static List<string> Literals(string sql)
    {
        var literals = new List<string>();
        for (var i = 0; i < sql.Length; i++)
        {
            if (sql[i] != '\'')
            {
                continue;
            }

            var literal = new StringBuilder();
            for (i++; i < sql.Length; i++)
            {
                if (sql[i] == '\'')
                {
                    if (i + 1 < sql.Length && sql[i + 1] == '\'')
                    {
                        literal.Append('\'');
                        i++;
                        continue;
                    }

                    break;
                }

                literal.Append(sql[i]);
            }

            literals.Add(literal.ToString());
        }

        return literals;
    }
}
