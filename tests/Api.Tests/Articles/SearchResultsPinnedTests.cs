using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Api.Tests.Infrastructure;

namespace Api.Tests.Articles;

/// <summary>
/// A fixed corpus (600 English articles made from a seeded generator, and 40 Chinese ones) and the
/// answers search gives for it: common and rare words, phrases, exclusions, alternatives, Chinese and
/// mixed queries, with the order of the results over two pages and the first snippets.
/// </summary>
public sealed class SearchCorpusFixture : ApiFactory
{
    private static readonly string[] Topics =
    [
        "trade cooperation", "security dialogue", "climate change", "renewable energy", "student exchanges",
        "maritime security", "cultural heritage", "public health", "digital economy", "infrastructure investment",
        "agricultural exports", "consular protection", "space exploration", "visa facilitation",
    ];

    private static readonly string[] Verbs = ["discussed", "agreed on", "reviewed", "welcomed progress in", "called for more", "signed a memorandum on"];

    private static readonly string[] Actors = ["The ambassador", "Both ministers", "The delegation", "Business leaders", "The two sides", "Officials"];

    private static readonly string[] ChineseTopics = ["经贸合作", "气候变化", "人文交流", "海上安全", "数字经济"];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var random = new Random(20261203);
        var rows = new StringBuilder();
        for (var n = 1; n <= 600; n++)
        {
            // A rare topic: one article in fifty.
            var topic = n % 50 == 0 ? "glacier research" : Topics[random.Next(Topics.Length)];
            var other = Topics[random.Next(Topics.Length)];
            var sentences = Enumerable.Range(0, 4 + random.Next(5))
                .Select(_ => $"{Actors[random.Next(Actors.Length)]} {Verbs[random.Next(Verbs.Length)]} {(random.Next(3) == 0 ? other : topic)}.")
                .ToList();
            rows.Append(Row(n, $"Talks on {topic}, number {n}", $"A meeting about {topic} and {other}.", string.Join(' ', sentences), "en"));
        }

        for (var n = 601; n <= 640; n++)
        {
            var topic = ChineseTopics[random.Next(ChineseTopics.Length)];
            var other = ChineseTopics[random.Next(ChineseTopics.Length)];
            rows.Append(Row(n, $"双方就{topic}举行会谈{n}", $"会议讨论了{topic}和{other}。", $"两国代表就{topic}深入交换意见。双方同意加强{other}。trade cooperation", "zh-Hans"));
        }

        await ExecuteAsync($"""
            INSERT INTO articles (slug, title, summary, body_html, body_text, language, category_id, status, published_at, created_at, updated_at)
            SELECT v.slug, v.title, v.summary, '<p>' || v.body || '</p>', v.body, v.language,
                   (SELECT id FROM categories WHERE slug = 'china-news'), 'published',
                   timestamptz '2024-01-01 00:00:00Z' + v.n * interval '37 minutes',
                   timestamptz '2024-01-01 00:00:00Z', timestamptz '2024-01-01 00:00:00Z'
            FROM (VALUES {rows.ToString().TrimEnd(',', '\n')}) AS v (n, slug, title, summary, body, language);
            """);
    }

    private static string Row(int n, string title, string summary, string body, string language) =>
        $"({n}, 'corpus-{n:D3}', {Quote(title)}, {Quote(summary)}, {Quote(body)}, '{language}'),\n";

    private static string Quote(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}

public sealed class SearchResultsPinnedTests(SearchCorpusFixture api) : IClassFixture<SearchCorpusFixture>
{
    private const string GoldenFile = "tests/Api.Tests/Articles/search-results.json";

    private static readonly string[] Queries =
    [
        "trade",
        "cooperation",
        "glacier",
        "renewable energy",
        "\"security dialogue\"",
        "security -maritime",
        "climate or health",
        "exchanges students",
        "合作",
        "海上安全",
        "合作 trade",
        "nonexistentword",
    ];

    /// <summary>What search answers for each query: the slugs of the first two pages in order, the total, and the first three snippets.</summary>
    private async Task<JsonObject> AnswersAsync()
    {
        using var client = api.CreateClient();
        var answers = new JsonObject();
        foreach (var query in Queries)
        {
            var slugs = new JsonArray();
            var snippets = new JsonArray();
            string? cursor = null;
            long? total = null;
            for (var page = 0; page < 2; page++)
            {
                var url = $"/v1/articles?q={Uri.EscapeDataString(query)}&limit=20&fields=slug,snippet" + (cursor is null ? "&count=true" : "&cursor=" + Uri.EscapeDataString(cursor));
                var body = await (await client.GetAsync(url)).ReadJsonAsync();
                total ??= body.TryGetProperty("total", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetInt64() : null;
                foreach (var item in body.GetProperty("items").EnumerateArray())
                {
                    slugs.Add(item.GetProperty("slug").GetString());
                    if (snippets.Count < 3)
                    {
                        snippets.Add(item.GetProperty("snippet").GetString());
                    }
                }

                cursor = body.GetProperty("nextCursor").GetString();
                if (cursor is null)
                {
                    break;
                }
            }

            answers[query] = new JsonObject { ["total"] = total, ["slugs"] = slugs, ["snippets"] = snippets };
        }

        return answers;
    }

    [Fact]
    public async Task Search_answers_the_fixed_corpus_as_recorded()
    {
        var answers = await AnswersAsync();
        var text = answers.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
        if (Environment.GetEnvironmentVariable("UPDATE_SEARCH_RESULTS") == "1")
        {
            await File.WriteAllTextAsync(Path.Combine(Repository.Root(), GoldenFile), text);
            return;
        }

        var recorded = JsonNode.Parse(Repository.ReadAllText(GoldenFile))!.AsObject();
        Assert.True(answers.Count >= 12 && recorded.Count == answers.Count, "the recorded file does not list the same queries");
        foreach (var (query, answer) in answers)
        {
            Assert.True(JsonNode.DeepEquals(recorded[query], answer),
                $"Search for '{query}' answers differently from {GoldenFile} (run with UPDATE_SEARCH_RESULTS=1 only for an intended change):\n{answer!.ToJsonString()}");
        }

        // The corpus is one that search distinguishes: common words fill pages, rare ones do not.
        Assert.True(answers["trade"]!["slugs"]!.AsArray().Count == 40);
        Assert.True(answers["glacier"]!["slugs"]!.AsArray().Count is > 0 and < 20);
        Assert.Empty(answers["nonexistentword"]!["slugs"]!.AsArray());
    }
}
