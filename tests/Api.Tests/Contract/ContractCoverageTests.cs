using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Api.Tests.Editorial;
using Api.Tests.Infrastructure;
using Api.Tests.Shares;
using Api.Tests.Webhooks;
using Microsoft.AspNetCore.Hosting;

namespace Api.Tests.Contract;

/// <summary>
/// The application with every optional feature on (e-mail suggestions, webhooks to loopback, a paged
/// sitemap), an admin key and a receiver for webhooks. Its contract check (see <see cref="ContractCheck"/>)
/// records every operation it answered within the contract.
/// </summary>
public sealed class ContractFixture() : EmailApiFactory(new Dictionary<string, string>
{
    ["Webhooks:AllowPrivateAddresses"] = "true",
    ["Webhooks:PollIntervalSeconds"] = "0.1",
    ["Syndication:SitemapMaxUrls"] = "1",
})
{
    public WebhookReceiver Receiver { get; } = new();

    public HttpClient Public { get; private set; } = null!;

    public HttpClient Admin { get; private set; } = null!;

    public HttpClient Partner { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await Receiver.StartAsync();
        await base.InitializeAsync();
        Public = CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        Admin = CreateClient(await CreateKeyAsync("admin"));
        Partner = CreateClient(await CreateKeyAsync("partner"));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}

/// <summary>
/// Every operation of <c>openapi.json</c> is answered, and its answer checked against the document
/// (status, media type, body schema), over data that exercises the nulls: a draft with no publication
/// time, an article with and without image and byline, a root category, a change-feed tombstone, a
/// queued e-mail suggestion, a webhook never disabled, a key never used.
/// </summary>
public sealed class ContractCoverageTests(ContractFixture api) : IClassFixture<ContractFixture>
{
    private const string Seed = EmailRequests.Slug;

    /// <summary>Operations whose only success is a redirect.</summary>
    private static readonly Dictionary<string, int> Redirects = new(StringComparer.Ordinal)
    {
        ["GET /v1/articles/{idOrSlug}/share/{network}"] = 302,
        ["GET /s/{code}"] = 302,
        ["GET /v1/redirects"] = 301,
    };

    [Fact]
    public async Task Every_operation_of_the_document_answers_as_the_document_says()
    {
        var admin = api.Admin;
        var anonymous = api.Public;
        var snapshot = await Expect(HttpStatusCode.OK, api.Partner.GetAsync("/v1/changes?limit=100"));
        Assert.Equal("snapshot", snapshot.Json.GetProperty("phase").GetString());
        var token = snapshot.Json.GetProperty("nextToken").GetString()!;

        // Articles: a plain draft (no image, byline or publication time), then one with everything.
        var draft = await Expect(HttpStatusCode.Created, admin.PostAsJsonAsync("/v1/articles", new { title = "Contract draft", categorySlug = "visas" }));
        var draftId = draft.Json.GetProperty("id").GetInt64();
        Assert.Equal(JsonValueKind.Null, draft.Json.GetProperty("publishedAt").ValueKind);
        var full = await Expect(HttpStatusCode.Created, admin.PostAsJsonAsync("/v1/articles", new
        {
            title = "Contract story with everything",
            summary = "A summary",
            bodyHtml = "<p>Climate talks in the capital.</p>",
            categorySlug = "visas",
            tags = new[] { "Climate", "Talks" },
            status = "published",
            byline = "A. Reporter",
            source = "Agency",
            image = new { url = "https://images.example.com/a.jpg", alt = "A picture" },
        }));
        var fullId = full.Json.GetProperty("id").GetInt64();
        var etag = full.ETag;
        etag = (await Expect(HttpStatusCode.OK, Send(admin, HttpMethod.Put, $"/v1/articles/{fullId}", new
        {
            title = "Contract story with everything", summary = "A new summary", bodyHtml = "<p>Climate talks in the capital.</p>",
            categorySlug = "visas", tags = new[] { "Climate" }, byline = "A. Reporter",
            image = new { url = "https://images.example.com/a.jpg", alt = "A picture" },
        }, etag))).ETag;
        etag = (await Expect(HttpStatusCode.OK, Send(admin, HttpMethod.Patch, $"/v1/articles/{fullId}", new { source = (string?)null }, etag, "application/merge-patch+json"))).ETag;
        etag = (await Expect(HttpStatusCode.OK, Send(admin, HttpMethod.Post, $"/v1/articles/{fullId}/revisions/2/restore", null, etag))).ETag;
        etag = (await Expect(HttpStatusCode.OK, Send(admin, HttpMethod.Post, $"/v1/articles/{fullId}/corrections", new { kind = "correction", text = "An earlier version misstated the summary." }, etag))).ETag;

        var draftEtag = draft.ETag;
        foreach (var action in new[] { "publish", "unpublish", "archive" })
        {
            draftEtag = (await Expect(HttpStatusCode.OK, Send(admin, HttpMethod.Post, $"/v1/articles/{draftId}/{action}", null, draftEtag))).ETag;
        }

        draftEtag = (await Expect(HttpStatusCode.OK, Send(admin, HttpMethod.Delete, $"/v1/articles/{draftId}", null, draftEtag))).ETag;
        await Expect(HttpStatusCode.OK, Send(admin, HttpMethod.Post, $"/v1/articles/{draftId}/restore", null, draftEtag));
        var undated = await Expect(HttpStatusCode.Created, admin.PostAsJsonAsync("/v1/articles", new { title = "Contract undated draft", categorySlug = "china-news" }));
        var preview = await Expect(HttpStatusCode.Created, admin.PostAsync($"/v1/articles/{undated.Json.GetProperty("id").GetInt64()}/previews?expiresIn=600", null));
        await Expect(HttpStatusCode.OK, anonymous.GetAsync(preview.Json.GetProperty("url").GetString()));
        await Expect(HttpStatusCode.NoContent, admin.DeleteAsync($"/v1/articles/{undated.Json.GetProperty("id").GetInt64()}/previews"));

        // Reads of articles, public and editors'.
        await Expect(HttpStatusCode.OK, anonymous.GetAsync($"/v1/articles/{Seed}"));
        await Expect(HttpStatusCode.OK, anonymous.GetAsync($"/v1/articles/{fullId}"));
        await Expect(HttpStatusCode.OK, admin.GetAsync($"/v1/articles/{undated.Json.GetProperty("id").GetInt64()}"));
        await Expect(HttpStatusCode.OK, anonymous.GetAsync("/v1/articles?limit=2"));
        await Expect(HttpStatusCode.OK, anonymous.GetAsync("/v1/articles?q=climate&count=true"));
        await Expect(HttpStatusCode.OK, anonymous.GetAsync("/v1/articles?fields=id,title,image"));
        await Expect(HttpStatusCode.OK, admin.GetAsync("/v1/articles?status=draft,archived,deleted,scheduled"));
        await Expect(HttpStatusCode.OK, anonymous.GetAsync($"/v1/articles/{Seed}/related"));
        await Expect(HttpStatusCode.OK, admin.GetAsync($"/v1/articles/{fullId}/revisions"));
        await Expect(HttpStatusCode.OK, admin.GetAsync($"/v1/articles/{fullId}/revisions/1"));
        await Expect(HttpStatusCode.OK, anonymous.GetAsync($"/v1/articles/{fullId}/ninjs"));
        await Expect(HttpStatusCode.OK, anonymous.GetAsync($"/v1/articles/{fullId}/jsonld"));

        // Categories: a root one (no parent) and a nested one.
        await Expect(HttpStatusCode.OK, anonymous.GetAsync("/v1/categories"));
        await Expect(HttpStatusCode.OK, anonymous.GetAsync("/v1/categories/china-news"));
        await Expect(HttpStatusCode.OK, anonymous.GetAsync("/v1/categories/visa-fees"));
        await Expect(HttpStatusCode.OK, anonymous.GetAsync("/v1/categories/visas/articles"));
        var category = await Expect(HttpStatusCode.Created, admin.PostAsJsonAsync("/v1/categories", new { name = "Contract Category" }));
        var categorySlug = category.Json.GetProperty("slug").GetString()!;
        var renamed = await Expect(HttpStatusCode.OK, Send(admin, HttpMethod.Patch, $"/v1/categories/{categorySlug}", new { name = "Contract Category Renamed" }, category.ETag, "application/merge-patch+json"));
        await Expect(HttpStatusCode.NoContent, Send(admin, HttpMethod.Delete, $"/v1/categories/{categorySlug}", null, renamed.ETag));

        // Tags: the list, one tag, its articles; a rename (the old slug then answers 301) and a merge.
        await Expect(HttpStatusCode.OK, anonymous.GetAsync("/v1/tags?sort=-count&limit=2"));
        await Expect(HttpStatusCode.OK, anonymous.GetAsync("/v1/tags/xi-jinping"));
        await Expect(HttpStatusCode.OK, anonymous.GetAsync("/v1/tags/xi-jinping/articles"));
        var syria = await Expect(HttpStatusCode.OK, admin.GetAsync("/v1/tags/syria"));
        await Expect(HttpStatusCode.OK, Send(admin, HttpMethod.Patch, "/v1/tags/syria", new { name = "Syria Crisis", slug = "syria-crisis" }, syria.ETag, "application/merge-patch+json"));
        await Expect(HttpStatusCode.MovedPermanently, anonymous.GetAsync("/v1/tags/syria"));
        var peninsula = await Expect(HttpStatusCode.OK, admin.GetAsync("/v1/tags/korean-peninsula"));
        await Expect(HttpStatusCode.OK, Send(admin, HttpMethod.Post, "/v1/tags/korean-peninsula/merge", new { into = "syria-crisis" }, peninsula.ETag));

        // Media: an upload (raw, the same file again, a form), the library's reads, renditions (listed and signed), an edit, a delete.
        var photo = Media.TestImages.Jpeg(400, 300, seed: 9001);
        var medium = await Expect(HttpStatusCode.Created, admin.SendAsync(Media.MediaUploadTests.Raw(photo)));
        var mediumId = medium.Json.GetProperty("id").GetInt64();
        await Expect(HttpStatusCode.OK, admin.SendAsync(Media.MediaUploadTests.Raw(photo, "application/octet-stream")));
        using (var form = new MultipartFormDataContent { { new ByteArrayContent(Media.TestImages.Png(40, 40, seed: 9002)), "file", "contract.png" }, { new StringContent("A square"), "alt" } })
        {
            await Expect(HttpStatusCode.Created, admin.PostAsync("/v1/media", form));
        }

        await Expect(HttpStatusCode.OK, admin.GetAsync("/v1/media?limit=1"));
        await Expect(HttpStatusCode.OK, admin.GetAsync($"/v1/media/{mediumId}"));
        await Expect(HttpStatusCode.OK, admin.GetAsync($"/v1/media/{mediumId}/original"));
        await Expect(HttpStatusCode.OK, anonymous.GetAsync(medium.Json.GetProperty("renditions").GetProperty("srcset")[0].GetProperty("url").GetString()));
        var signed = await Expect(HttpStatusCode.OK, admin.GetAsync($"/v1/media/{mediumId}/renditions?width=333&height=111&fit=cover&format=jpg"));
        await Expect(HttpStatusCode.OK, anonymous.GetAsync(signed.Json.GetProperty("url").GetString()));
        var editedMedium = await Expect(HttpStatusCode.OK, Send(admin, HttpMethod.Patch, $"/v1/media/{mediumId}", new { alt = "A harbour" }, medium.ETag, "application/merge-patch+json"));
        await Expect(HttpStatusCode.NoContent, Send(admin, HttpMethod.Delete, $"/v1/media/{mediumId}", null, editedMedium.ETag));

        // Authors: created, listed, read, their articles, renamed, deleted.
        var author = await Expect(HttpStatusCode.Created, admin.PostAsJsonAsync("/v1/authors", new { name = "Contract Author", email = "contract@example.com", links = new[] { new { label = "Site", url = "https://example.com" } } }));
        var authorSlug = author.Json.GetProperty("slug").GetString()!;
        await Expect(HttpStatusCode.OK, anonymous.GetAsync("/v1/authors"));
        await Expect(HttpStatusCode.OK, anonymous.GetAsync($"/v1/authors/{authorSlug}"));
        await Expect(HttpStatusCode.OK, anonymous.GetAsync($"/v1/authors/{authorSlug}/articles"));
        foreach (var file in new[] { "rss.xml", "atom.xml", "feed.json" })
        {
            await Expect(HttpStatusCode.OK, anonymous.GetAsync($"/feeds/authors/{authorSlug}/{file}"));
        }
        var renamedAuthor = await Expect(HttpStatusCode.OK, Send(admin, HttpMethod.Patch, $"/v1/authors/{authorSlug}", new { title = "Desk editor" }, author.ETag, "application/merge-patch+json"));
        await Expect(HttpStatusCode.OK, admin.GetAsync($"/v1/authors/{authorSlug}/revisions"));
        var restoredAuthor = await Expect(HttpStatusCode.OK, Send(admin, HttpMethod.Post, $"/v1/authors/{authorSlug}/revisions/1/restore", null, renamedAuthor.ETag));
        await Expect(HttpStatusCode.NoContent, Send(admin, HttpMethod.Delete, $"/v1/authors/{authorSlug}", null, restoredAuthor.ETag));

        // Imports, keys, health.
        await Expect(HttpStatusCode.OK, admin.PostAsJsonAsync("/v1/imports", new { pages = new[] { new { content = "Home > Embassy News\nContract import\n\nOn May 3, 2018, the embassy held a contract import.\n\nGuests came.", legacyId = "t9900001" } } }));
        var wxr = new StringContent("""
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
            <channel><title>Contract site</title><link>https://contract.example</link><wp:wxr_version>1.2</wp:wxr_version>
            <item><title>Contract post</title><link>https://contract.example/2020/01/01/contract-post/</link>
              <content:encoded><![CDATA[Imported.]]></content:encoded><wp:post_id>1</wp:post_id><wp:post_name>contract-post</wp:post_name>
              <wp:post_date_gmt>2020-01-01 00:00:00</wp:post_date_gmt><wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>
            </channel></rss>
            """, System.Text.Encoding.UTF8, "application/xml");
        var wordpress = await Expect(HttpStatusCode.Accepted, admin.PostAsync("/v1/imports/wordpress?dryRun=false", wxr));
        var ghost = new StringContent("""{"db":[{"meta":{"version":"5.0.0"},"data":{"posts":[]}}]}""", System.Text.Encoding.UTF8, "application/json");
        await Expect(HttpStatusCode.Accepted, admin.PostAsync("/v1/imports/ghost?siteUrl=https%3A%2F%2Fghost.example", ghost));
        var job = wordpress.Json.GetProperty("id").GetInt64();
        for (var tries = 0; (await Expect(HttpStatusCode.OK, admin.GetAsync($"/v1/imports/jobs/{job}"))).Json.GetProperty("status").GetString() is "queued" or "running"; tries++)
        {
            Assert.True(tries < 300, "The import job did not end.");
            await Task.Delay(100);
        }

        await Expect(HttpStatusCode.OK, admin.GetAsync($"/v1/imports/jobs/{job}/items?limit=10"));
        await Expect(HttpStatusCode.MovedPermanently, anonymous.GetAsync("/v1/redirects?url=https%3A%2F%2Fcontract.example%2F2020%2F01%2F01%2Fcontract-post%2F"));
        var key = await Expect(HttpStatusCode.Created, admin.PostAsJsonAsync("/v1/keys", new { name = "Contract key", scopes = new[] { "partner" } }));
        var keyId = key.Json.GetProperty("key").GetProperty("id").GetInt64();
        await Expect(HttpStatusCode.OK, admin.GetAsync("/v1/keys"));
        await Expect(HttpStatusCode.OK, admin.GetAsync($"/v1/keys/{keyId}"));
        await Expect(HttpStatusCode.OK, Send(admin, HttpMethod.Delete, $"/v1/keys/{keyId}", null, null));
        await Expect(HttpStatusCode.OK, anonymous.GetAsync("/health/live"));
        await Expect(HttpStatusCode.OK, anonymous.GetAsync("/health/ready"));

        // Sharing.
        var share = await Expect(HttpStatusCode.OK, anonymous.GetAsync($"/v1/articles/{Seed}/share"));
        await Expect(HttpStatusCode.OK, anonymous.GetAsync($"/v1/articles/{fullId}/share"));
        await Expect(HttpStatusCode.Found, anonymous.GetAsync($"/v1/articles/{Seed}/share/x"));
        await Expect(HttpStatusCode.Found, anonymous.GetAsync(new Uri(share.Json.GetProperty("shortUrl").GetString()!).AbsolutePath));
        await Expect(HttpStatusCode.Accepted, anonymous.PostAsJsonAsync($"/v1/articles/{Seed}/share/events", new { network = "copy-link", placement = "footer" }));
        await Expect(HttpStatusCode.OK, anonymous.GetAsync($"/v1/articles/{Seed}/share/stats"));
        await Expect(HttpStatusCode.OK, anonymous.GetAsync("/v1/articles/most-shared?period=day"));
        await Expect(HttpStatusCode.OK, anonymous.GetAsync($"/v1/articles/{Seed}/meta"));
        await Expect(HttpStatusCode.OK, anonymous.GetAsync($"/v1/articles/{fullId}/meta"));
        await Expect(HttpStatusCode.OK, anonymous.GetAsync($"/v1/articles/{Seed}/share/qr.svg"));
        await Expect(HttpStatusCode.OK, anonymous.GetAsync($"/v1/articles/{Seed}/share/qr.png"));
        var canonical = share.Json.GetProperty("canonicalUrl").GetString()!;
        await Expect(HttpStatusCode.OK, anonymous.GetAsync($"/v1/oembed?url={Uri.EscapeDataString(canonical)}"));

        // Suggest to a friend: queued (never sent yet), then sent, then the opt-out link.
        var friend = EmailRequests.NewAddress();
        var suggested = await Expect(HttpStatusCode.Accepted, anonymous.SuggestAsync(new { to = new[] { friend }, senderName = "Alice" }, from: "198.51.100.7"));
        var suggestion = suggested.Json.GetProperty("id").GetString()!;
        await Expect(HttpStatusCode.OK, anonymous.GetAsync($"/v1/share/emails/{suggestion}"));
        var message = await api.Smtp.WaitForMessageToAsync(friend);
        var optOut = new Uri(message.Headers["List-Unsubscribe"]!.Trim('<', '>')).AbsolutePath;
        await Expect(HttpStatusCode.OK, anonymous.GetAsync($"/v1/share/emails/{suggestion}"));
        await Expect(HttpStatusCode.OK, anonymous.GetAsync(optOut));
        await Expect(HttpStatusCode.OK, anonymous.PostAsync(optOut, null));

        // Syndication.
        foreach (var path in new[]
                 {
                     "/sitemap.xml", "/sitemap-1.xml", "/sitemap-news.xml", "/feeds/rss.xml", "/feeds/atom.xml", "/feeds/feed.json",
                     "/feeds/categories/visas/rss.xml", "/feeds/categories/visas/atom.xml", "/feeds/categories/visas/feed.json",
                     "/feeds/tags/xi-jinping/rss.xml", "/feeds/tags/xi-jinping/atom.xml", "/feeds/tags/xi-jinping/feed.json",
                 })
        {
            await Expect(HttpStatusCode.OK, anonymous.GetAsync(path));
        }

        // Webhooks: registered, changed, an event delivered and queued again, deleted.
        var url = api.Receiver.NewUrl("good");
        var webhook = await Expect(HttpStatusCode.Created, admin.PostAsJsonAsync("/v1/webhooks", new { url, events = new[] { "article.updated" } }));
        var webhookId = webhook.Json.GetProperty("webhook").GetProperty("id").GetInt64();
        await Expect(HttpStatusCode.OK, Send(admin, HttpMethod.Patch, $"/v1/webhooks/{webhookId}", new { description = "Contract" }, null, "application/merge-patch+json"));
        await Expect(HttpStatusCode.OK, admin.GetAsync("/v1/webhooks"));
        await Expect(HttpStatusCode.OK, admin.GetAsync($"/v1/webhooks/{webhookId}"));
        await Expect(HttpStatusCode.OK, Send(admin, HttpMethod.Patch, $"/v1/articles/{fullId}", new { summary = "Hooked" }, etag, "application/merge-patch+json"));
        var deliveries = await Eventually.WaitForAsync(
            async () => await (await admin.GetAsync($"/v1/webhooks/{webhookId}/deliveries")).ReadJsonAsync(),
            d => d.GetProperty("items").EnumerateArray().Any(i => i.GetProperty("status").GetString() == "delivered"),
            "the delivery");
        var deliveryId = deliveries.GetProperty("items")[0].GetProperty("id").GetInt64();
        await Expect(HttpStatusCode.OK, admin.GetAsync($"/v1/webhooks/{webhookId}/deliveries"));
        await Expect(HttpStatusCode.Accepted, admin.PostAsync($"/v1/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver", null));
        await Expect(HttpStatusCode.NoContent, Send(admin, HttpMethod.Delete, $"/v1/webhooks/{webhookId}", null, null));

        // The change feed since the snapshot: the public article, and the draft's tombstone.
        var changes = await Expect(HttpStatusCode.OK, api.Partner.GetAsync($"/v1/changes?since={Uri.EscapeDataString(token)}&limit=100"));
        Assert.Contains(changes.Json.GetProperty("items").EnumerateArray(), i => i.GetProperty("tombstone").ValueKind == JsonValueKind.Object);
        Assert.Contains(changes.Json.GetProperty("items").EnumerateArray(), i => i.GetProperty("article").ValueKind == JsonValueKind.Object);

        var answered = api.Contract.Answered;
        var missing = OpenApiContract.Committed.Operations
            .Where(op => !answered.Any(a => a.StartsWith(op + " ", StringComparison.Ordinal)
                && int.Parse(a[(op.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture) is var status
                && (Redirects.TryGetValue(op, out var redirect) ? status == redirect : status is >= 200 and < 300)))
            .ToList();
        Assert.True(missing.Count == 0, "Operations never answered with success within the contract:\n" + string.Join("\n", missing));
        Assert.Empty(api.Contract.Violations);
    }

    private sealed record Answer(JsonElement Json, EntityTagHeaderValue? ETag);

    private static async Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string path, object? body, EntityTagHeaderValue? ifMatch, string contentType = "application/json")
    {
        using var request = EditorialFixture.Write(method, path, body, ifMatch, contentType);
        return await client.SendAsync(request);
    }

    private static async Task<Answer> Expect(HttpStatusCode status, Task<HttpResponseMessage> sending)
    {
        using var response = await sending;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)status}, got {(int)response.StatusCode}: {body}");
        var json = body.Length > 0 && response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true
            ? JsonDocument.Parse(body).RootElement.Clone()
            : default;
        return new Answer(json, response.Headers.ETag);
    }
}
