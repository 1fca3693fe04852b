using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Api.Tests.Editorial;
using Api.Tests.Infrastructure;
using Api.Tests.Shares;
using Api.Webhooks;

namespace Api.Tests.Webhooks;

/// <summary>
/// Which events the editorial actions send, walked from the README's event table: each action the
/// table names is taken through HTTP, and a real receiver gets each event exactly once, signed, in
/// the change feed's order, and nothing for what the public cannot see.
/// </summary>
public sealed partial class WebhookEventTests(WebhookApiFactory api) : IClassFixture<WebhookApiFactory>
{
    private const string Published = WebhookEvents.ArticlePublished;
    private const string Updated = WebhookEvents.ArticleUpdated;
    private const string Unpublished = WebhookEvents.ArticleUnpublished;
    private const string Deleted = WebhookEvents.ArticleDeleted;
    private const string CategoryChanged = WebhookEvents.CategoryChanged;

    private sealed record Written(long Id, EntityTagHeaderValue ETag);

    /// <summary>An event a subject (an article or a category) must receive, and the action that sends it.</summary>
    private sealed record Expected(string Action, string Type, string Change);

    /// <summary>What each subject must receive, in order.</summary>
    private sealed class Script
    {
        public Dictionary<long, List<Expected>> Articles { get; } = [];

        public Dictionary<long, List<Expected>> Categories { get; } = [];

        public void Article(long id, string action, string type, string change) => Expect(Articles, id, new Expected(action, type, change));

        public void Category(long id, string action, string change) => Expect(Categories, id, new Expected(action, CategoryChanged, change));

        /// <summary>A subject that must receive nothing (so far).</summary>
        public void Silent(long id) => Articles.TryAdd(id, []);

        private static void Expect(Dictionary<long, List<Expected>> subjects, long id, Expected expected)
        {
            if (!subjects.TryGetValue(id, out var list))
            {
                subjects[id] = list = [];
            }

            list.Add(expected);
        }

        public IEnumerable<Expected> All => Articles.Values.Concat(Categories.Values).SelectMany(e => e);
    }

    /// <summary>The events of the README's table ("| Event | Sent for |"), in its order.</summary>
    private static List<string> DocumentedEvents()
    {
        var readme = Repository.ReadAllText("README.md");
        var start = readme.IndexOf("| Event | Sent for |", StringComparison.Ordinal);
        Assert.True(start >= 0, "The README has no event table.");
        var table = readme[start..];
        table = table[..table.IndexOf("\n\n", StringComparison.Ordinal)];
        return EventRow().Matches(table).Select(m => m.Groups[1].Value).ToList();
    }

    [GeneratedRegex(@"^\| `([a-z]+\.[a-z]+)` \|", RegexOptions.Multiline)]
    private static partial Regex EventRow();

    [Fact]
    public void The_readme_event_table_lists_every_event_a_webhook_can_subscribe_to()
    {
        Assert.Equal(WebhookEvents.All.Order(), DocumentedEvents().Order());
    }

    [Fact]
    public async Task Every_event_of_the_readme_table_is_sent_once_for_each_action_it_names()
    {
        var url = api.Receiver.NewUrl("good");
        var (_, secret) = await api.RegisterAsync(url);
        var script = new Script();

        // A scheduled article, first, so that its time comes while the rest runs: nothing until then.
        var due = DateTimeOffset.UtcNow.AddSeconds(5);
        var scheduled = await CreateAsync(new { title = "Scheduled for five seconds", categorySlug = "visas", status = "scheduled", publishedAt = due });
        scheduled = await PatchAsync(scheduled, new { summary = "Edited before its time" });
        script.Article(scheduled.Id, "its scheduled time came", Published, "published");

        // Created straight into publication (several: one missed would be one too many), then edited.
        for (var i = 0; i < 3; i++)
        {
            var straight = await CreateAsync(new { title = $"Straight into publication {i}", categorySlug = "visas", status = "published" });
            script.Article(straight.Id, "created straight into publication", Published, "created");
            await PatchAsync(straight, new { summary = "An edit" });
            script.Article(straight.Id, "an edit of a public article", Updated, "updated");
        }

        // A draft's life: nothing while a draft, then each state change.
        var draft = await CreateAsync(new { title = "A draft first", categorySlug = "visas" });
        draft = await PatchAsync(draft, new { summary = "Still a draft" });
        draft = await ActAsync(draft, "archive");
        draft = await ActAsync(draft, "unpublish");
        draft = await ActAsync(draft, "publish");
        script.Article(draft.Id, "a draft published", Published, "published");
        draft = await ActAsync(draft, "publish");
        script.Article(draft.Id, "a published article published again", Updated, "published");
        draft = await PatchAsync(draft, new { slug = $"a-new-slug-{draft.Id}" });
        script.Article(draft.Id, "a new slug", Updated, "slug-changed");
        script.Article(draft.Id, "a new slug", Updated, "updated");
        draft = await ActAsync(draft, "unpublish");
        script.Article(draft.Id, "taken back to draft", Unpublished, "unpublished");
        draft = await ActAsync(draft, "publish");
        script.Article(draft.Id, "published again", Published, "published");
        draft = await ActAsync(draft, "archive");
        script.Article(draft.Id, "archived", Unpublished, "archived");
        await ActAsync(draft, "delete");
        script.Article(draft.Id, "deleted", Deleted, "deleted");

        // Visibility changed by an edit rather than by an action.
        var edited = await CreateAsync(new { title = "Published by an edit", categorySlug = "visas" });
        edited = await PatchAsync(edited, new { status = "published" });
        script.Article(edited.Id, "a draft published by an edit", Published, "updated");
        edited = await PatchAsync(edited, new { status = "draft" });
        script.Article(edited.Id, "taken back to draft by an edit", Unpublished, "updated");
        edited = await PatchAsync(edited, new { status = "archived" });
        edited = await PatchAsync(edited, new { status = "published", slug = $"published-with-a-new-slug-{edited.Id}" });
        script.Article(edited.Id, "an archived article published by an edit that also changed its slug", Published, "updated");
        await PatchAsync(edited, new { status = "archived" });
        script.Article(edited.Id, "archived by an edit", Unpublished, "updated");

        // Deleted, then restored.
        var restored = await CreateAsync(new { title = "Deleted and restored", categorySlug = "visas", status = "published" });
        script.Article(restored.Id, "created straight into publication", Published, "created");
        restored = await ActAsync(restored, "delete");
        script.Article(restored.Id, "deleted", Deleted, "deleted");
        await ActAsync(restored, "restore");
        script.Article(restored.Id, "a deleted article restored", Published, "restored");

        // A deleted draft was never public, but partners still hear that the id is gone.
        var deletedDraft = await CreateAsync(new { title = "A draft deleted", categorySlug = "visas" });
        await ActAsync(deletedDraft, "delete");
        script.Article(deletedDraft.Id, "a draft deleted", Deleted, "deleted");

        // An earlier revision restored.
        var revised = await CreateAsync(new { title = "Revised", summary = "First", categorySlug = "visas", status = "published" });
        script.Article(revised.Id, "created straight into publication", Published, "created");
        revised = await PatchAsync(revised, new { summary = "Second" });
        script.Article(revised.Id, "an edit of a public article", Updated, "updated");
        var restoredRevision = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Post, $"/v1/articles/{revised.Id}/revisions/1/restore", null, revised.ETag));
        Assert.Equal(HttpStatusCode.OK, restoredRevision.StatusCode);
        script.Article(revised.Id, "a revision restored", Updated, "updated");

        // A correction note on a public article: an update, and the correction itself.
        var correction = await api.Editor.SendAsync(EditorialFixture.Write(
            HttpMethod.Post, $"/v1/articles/{revised.Id}/corrections", new { kind = "correction", text = "An earlier version misstated the date." }, restoredRevision.Headers.ETag));
        Assert.Equal(HttpStatusCode.OK, correction.StatusCode);
        script.Article(revised.Id, "a correction", Updated, "updated");
        script.Article(revised.Id, "a correction", WebhookEvents.ArticleCorrected, "corrected");

        // Imported pages: a new published one, the same again (unchanged), then a changed one.
        var imported = await ImportAsync("Embassy reception", "May 3, 2018");
        script.Article(imported, "imported straight into publication", Published, "created");
        Assert.Equal(imported, await ImportAsync("Embassy reception", "May 3, 2018"));
        Assert.Equal(imported, await ImportAsync("Embassy reception", "May 4, 2018"));
        script.Article(imported, "imported again with changes", Updated, "updated");

        // Categories.
        var created = await api.Editor.PostAsJsonAsync("/v1/categories", new { name = "Hook walk", slug = $"hook-walk-{Guid.NewGuid():N}"[..20] });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var category = await created.ReadJsonAsync();
        var categoryId = category.GetProperty("id").GetInt64();
        var slug = category.GetProperty("slug").GetString()!;
        script.Category(categoryId, "a category created", "created");
        var renamed = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Patch, $"/v1/categories/{slug}", new { name = "Hook walk renamed" }, created.Headers.ETag, "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        script.Category(categoryId, "a category changed", "updated");
        var deleted = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Delete, $"/v1/categories/{slug}", null, renamed.Headers.ETag));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        script.Category(categoryId, "a category deleted", "deleted");

        // The scheduled article's time comes; then a last article whose event closes the walk:
        // deliveries to one webhook go out in the feed's order, so everything before it has arrived.
        var announced = (await api.WaitForAsync(url, r => r.Any(h => h.ArticleId == scheduled.Id), "the scheduled article's event")).First(h => h.ArticleId == scheduled.Id);
        Assert.True(announced.ReceivedAt >= due, $"The scheduled article was announced at {announced.ReceivedAt:O}, before its time {due:O}.");
        Assert.True(announced.Json.GetProperty("occurredAt").GetDateTimeOffset() >= due, "The event says it happened before the article's time.");
        var closing = await api.PublishNewAsync("Closing the walk");
        var received = (await api.WaitForAsync(url, r => r.Any(h => h.ArticleId == closing), "the closing event")).ToList();

        foreach (var (id, expected) in script.Articles)
        {
            var events = received.Where(h => h.CategoryId is null && h.ArticleId == id).ToList();
            Assert.True(
                expected.Select(e => (e.Type, e.Change)).SequenceEqual(events.Select(h => (h.Type, h.Change))),
                $"Article {id} ({string.Join(", ", expected.Select(e => e.Action).Distinct())}): expected [{string.Join(", ", expected.Select(e => $"{e.Type}/{e.Change}"))}], received [{string.Join(", ", events.Select(h => $"{h.Type}/{h.Change}"))}].");
            // The article as it stands when the event is queued: gone again by then, it is null.
            Assert.All(events, h =>
            {
                var article = h.Json.GetProperty("data").GetProperty("article");
                if (h.Type is Published or Updated && article.ValueKind == JsonValueKind.Object)
                {
                    Assert.Equal(id, article.GetProperty("id").GetInt64());
                }
                else
                {
                    Assert.Equal(JsonValueKind.Null, article.ValueKind);
                }
            });
        }

        foreach (var (id, expected) in script.Categories)
        {
            Assert.Equal(expected.Select(e => (e.Type, e.Change)), received.Where(h => h.CategoryId == id).Select(h => (h.Type, h.Change)));
        }

        Assert.All(received, h => Assert.True(h.IsSignedWith(secret), $"The {h.Type} event {h.EventId} is not signed with the webhook's secret."));
        Assert.Equal(received.Count, received.Select(h => h.EventId).Distinct().Count());
        Assert.Equal(received.Select(h => h.Seq).Order(), received.Select(h => h.Seq));
        // Every event of the table was produced by an action above.
        Assert.Equal(DocumentedEvents().Order(), script.All.Select(e => e.Type).Distinct().Order());
    }

    [Fact]
    public async Task Categories_an_import_creates_are_announced_with_the_article_filed_in_them()
    {
        var url = api.Receiver.NewUrl("good");
        await api.RegisterAsync(url, CategoryChanged, Published);
        var section = $"Imported Section {Guid.NewGuid():N}"[..30];
        var content = $"Home > {section} > Sub Desk\nImported with its categories\n\nOn May 5, 2018, the embassy imported a page.\n\nGuests came.";

        var response = await api.Editor.PostAsJsonAsync("/v1/imports", new { pages = new[] { new { content } } });
        var item = (await response.ReadJsonAsync()).GetProperty("items")[0];
        Assert.Equal("created", item.GetProperty("outcome").GetString());
        var articleId = item.GetProperty("articleId").GetInt64();
        var article = await (await api.Editor.GetAsync($"/v1/articles/{articleId}")).ReadJsonAsync();
        var created = article.GetProperty("category").GetProperty("breadcrumb").EnumerateArray().Skip(1).Select(c => c.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(2, created.Count);

        // One transaction: the article's change, then the categories' (recorded last, in path order).
        var received = await api.WaitForAsync(url, r => r.Count(h => h.CategoryId is { } c && created.Contains(c)) == 2, "the imported categories' events");
        var mine = received.Where(h => h.ArticleId == articleId || (h.CategoryId is { } c && created.Contains(c))).ToList();
        Assert.Equal(
            [(Published, (long?)null, "created"), (CategoryChanged, created[0], "created"), (CategoryChanged, created[1], "created")],
            mine.Select(h => (h.Type, h.CategoryId, h.Change)));
    }

    [Fact]
    public async Task An_article_created_straight_into_publication_is_in_the_delivery_log_and_the_change_feed_once()
    {
        var url = api.Receiver.NewUrl("good");
        var (webhookId, _) = await api.RegisterAsync(url, Published);
        var partner = api.CreateClient(await api.CreateKeyAsync("partner"));
        var since = await FeedEndAsync(partner);
        var article = await CreateAsync(new { title = "Logged once", categorySlug = "visas", status = "published" });
        await PatchAsync(article, new { summary = "An update that sends no article.published" });
        var closing = await api.PublishNewAsync("Closing the log check");
        await api.WaitForAsync(url, r => r.Any(h => h.ArticleId == closing), "the closing event");

        var hook = Assert.Single(api.Receiver.At(url), h => h.ArticleId == article.Id);
        Assert.Equal("created", hook.Change);
        Assert.Equal(article.Id, hook.Json.GetProperty("data").GetProperty("article").GetProperty("id").GetInt64());
        var log = await Eventually.WaitForAsync(
            () => api.DeliveriesAsync(webhookId),
            l => l.GetProperty("items").EnumerateArray().Count(d => d.GetProperty("status").GetString() == "delivered") == 2,
            "both deliveries to be logged");
        var delivery = Assert.Single(log.GetProperty("items").EnumerateArray(), d => d.GetProperty("eventId").GetString() == hook.EventId);
        Assert.Equal(hook.Seq, delivery.GetProperty("seq").GetInt64());

        // The change feed has the same change, with the article as the public sees it.
        var change = await FindChangeAsync(partner, since, hook.Seq);
        Assert.Equal("created", change.GetProperty("kind").GetString());
        Assert.Equal(article.Id, change.GetProperty("article").GetProperty("id").GetInt64());
        Assert.Equal(hook.Json.GetProperty("occurredAt").GetDateTimeOffset(), change.GetProperty("occurredAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_write_dates_the_publication_the_change_and_the_revision_by_one_clock()
    {
        var article = await CreateAsync(new { title = "One clock", categorySlug = "visas", status = "published" });

        var times = (await api.QueryAsync<(DateTime PublishedAt, DateTime UpdatedAt, DateTime RevisionAt, DateTime OccurredAt)>("""
            SELECT a.published_at, a.updated_at, r.created_at, c.occurred_at
            FROM articles a
            JOIN article_revisions r ON r.article_id = a.id AND r.version = a.version
            JOIN changes c ON c.entity = 'article' AND c.entity_id = a.id
            WHERE a.id = @id
            """, new { id = article.Id })).Single();

        // The transaction's own time: publication, last change and revision are one instant, and the
        // change (numbered as the transaction's last step) is not before it.
        Assert.Equal(times.UpdatedAt, times.PublishedAt);
        Assert.Equal(times.UpdatedAt, times.RevisionAt);
        Assert.InRange(times.OccurredAt - times.PublishedAt, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        var body = await (await api.Editor.GetAsync($"/v1/articles/{article.Id}")).ReadJsonAsync();
        Assert.Equal("published", body.GetProperty("status").GetString());
    }

    private static async Task<JsonElement> ChangesAsync(HttpClient partner, string? since) =>
        await (await partner.GetAsync("/v1/changes?limit=100" + (since is null ? "" : "&since=" + Uri.EscapeDataString(since)))).ReadJsonAsync();

    /// <summary>Follows the change feed from its start to its end; returns the token to continue from.</summary>
    private static async Task<string> FeedEndAsync(HttpClient partner)
    {
        string? since = null;
        while (true)
        {
            var page = await ChangesAsync(partner, since);
            since = page.GetProperty("nextToken").GetString()!;
            if (page.GetProperty("phase").GetString() == "changes" && page.GetProperty("items").GetArrayLength() == 0)
            {
                return since;
            }
        }
    }

    /// <summary>Reads the change feed from <paramref name="since"/> until the change numbered <paramref name="seq"/>.</summary>
    private static async Task<JsonElement> FindChangeAsync(HttpClient partner, string since, long seq)
    {
        while (true)
        {
            var page = await ChangesAsync(partner, since);
            foreach (var item in page.GetProperty("items").EnumerateArray())
            {
                if (item.GetProperty("seq").GetInt64() == seq)
                {
                    return item;
                }
            }

            Assert.True(page.GetProperty("items").GetArrayLength() > 0, $"The change feed has no change {seq}.");
            since = page.GetProperty("nextToken").GetString()!;
        }
    }

    private async Task<Written> CreateAsync(object article)
    {
        var response = await api.Editor.PostAsJsonAsync("/v1/articles", article);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"Create answered {(int)response.StatusCode}: {body}");
        return new Written(JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt64(), response.Headers.ETag!);
    }

    private async Task<Written> PatchAsync(Written article, object patch)
    {
        using var request = EditorialFixture.Write(HttpMethod.Patch, $"/v1/articles/{article.Id}", patch, article.ETag, "application/merge-patch+json");
        return await SendAsync(article, request);
    }

    /// <summary>publish, unpublish, archive, restore or delete.</summary>
    private async Task<Written> ActAsync(Written article, string action)
    {
        using var request = action == "delete"
            ? EditorialFixture.Write(HttpMethod.Delete, $"/v1/articles/{article.Id}", null, article.ETag)
            : EditorialFixture.Write(HttpMethod.Post, $"/v1/articles/{article.Id}/{action}", null, article.ETag);
        return await SendAsync(article, request);
    }

    private async Task<Written> SendAsync(Written article, HttpRequestMessage request)
    {
        var response = await api.Editor.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{request.Method} {request.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return article with { ETag = response.Headers.ETag! };
    }

    /// <summary>Imports one legacy page (published) and returns its article's id.</summary>
    private async Task<long> ImportAsync(string title, string date)
    {
        var content = $"Home > Embassy News\n{title}\n\nOn {date}, the embassy held {title.ToLowerInvariant()}.\n\nMany guests attended.";
        var response = await api.Editor.PostAsJsonAsync("/v1/imports", new { pages = new[] { new { content, legacyId = "t7700001" } } });
        var item = (await response.ReadJsonAsync()).GetProperty("items")[0];
        Assert.NotEqual("failed", item.GetProperty("outcome").GetString());
        return item.GetProperty("articleId").GetInt64();
    }
}
