using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Api.Tests.Infrastructure;
using MimeKit;

namespace Api.Tests.Shares;

public sealed partial class EmailDeliveryTests(EmailApiFactory api) : IClassFixture<EmailApiFactory>
{
    private const string TaggedUrl = $"https://news.example.com/articles/{EmailRequests.Slug}?utm_source=email&utm_medium=email&utm_campaign=share";

    private readonly HttpClient _client = api.CreateEmailClient();

    private sealed record Article(long Id, string Title, string Summary);

    private async Task<Article> SampleArticleAsync() =>
        (await api.QueryAsync<Article>("SELECT id, title, summary FROM articles WHERE slug = @slug", new { slug = EmailRequests.Slug })).Single();

    private static string ListUnsubscribe(MimeMessage message) =>
        message.Headers["List-Unsubscribe"] ?? throw new Xunit.Sdk.XunitException("The message has no List-Unsubscribe header.");

    [Fact]
    public async Task A_suggestion_is_accepted_then_delivered_with_the_fixed_headers_and_text()
    {
        var article = await SampleArticleAsync();
        var friend = EmailRequests.NewAddress();

        var response = await _client.SuggestAsync(new
        {
            to = new[] { friend },
            senderName = "Alice Chen",
            message = "Read this https://evil.example/x?y=1 and www.spam.example or cheap-pills.com/buy now, see you",
        });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.ReadJsonAsync();
        var id = accepted.GetProperty("id").GetString()!;
        Assert.True(Guid.TryParseExact(id, "D", out _), id);
        Assert.Equal("queued", accepted.GetProperty("status").GetString());
        Assert.Equal($"/v1/share/emails/{id}", response.Headers.Location?.OriginalString);

        var message = await api.Smtp.WaitForMessageToAsync(friend);

        var from = Assert.IsType<MailboxAddress>(Assert.Single(message.From));
        Assert.Equal(("News Desk", "news@news.example.com"), (from.Name, from.Address));
        Assert.Equal(friend, ((MailboxAddress)message.To.Single()).Address);
        Assert.Empty(message.Cc);
        Assert.Empty(message.Bcc);
        Assert.Empty(message.ReplyTo);
        Assert.Equal($"Alice Chen suggests: {article.Title}", message.Subject);
        Assert.Matches("^[0-9a-f]{32}@news\\.example\\.com$", message.MessageId);
        var unsubscribe = ListUnsubscribe(message);
        Assert.Matches($"^<{Regex.Escape(EmailApiFactory.PublicBaseUrl)}/v1/share/opt-out/[A-Za-z0-9_-]{{64}}>$", unsubscribe);
        Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
        Assert.Equal("auto-generated", message.Headers["Auto-Submitted"]);
        // Only the template's headers: nothing the sender chose, no Reply-To, Cc or Bcc.
        string[] template = ["Auto-Submitted", "Date", "From", "List-Unsubscribe", "List-Unsubscribe-Post", "Message-Id", "MIME-Version", "Subject", "To"];
        var headers = message.Headers.Select(h => h.Field).Where(f => !f.Equals("Received", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.Equal(template.Order(StringComparer.OrdinalIgnoreCase), headers.Order(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);
        Assert.Empty(message.Body!.Headers.Select(h => h.Field).Except(["Content-Type", "Content-Transfer-Encoding"], StringComparer.OrdinalIgnoreCase));
        Assert.Equal("plain", Assert.IsType<TextPart>(message.Body).ContentType.MediaSubtype);
        var text = message.TextBody ?? "";
        Assert.Contains(article.Title, text);
        Assert.Contains(article.Summary.Trim(), text);
        Assert.Contains(TaggedUrl, text);
        Assert.Contains("Alice Chen suggests this article to you", text);
        Assert.Contains("Read this [link removed] and [link removed] or [link removed] now, see you", text);
        Assert.DoesNotContain("evil.example", text);
        Assert.DoesNotContain("spam.example", text);
        Assert.DoesNotContain("cheap-pills", text);
        Assert.Contains(unsubscribe.Trim('<', '>'), text);

        var status = await _client.WaitUntilSentAsync(id);
        Assert.Equal(id, status.GetProperty("id").GetString());
        Assert.Equal(1, status.GetProperty("attempts").GetInt32());
        var createdAt = status.GetProperty("createdAt").GetDateTime();
        var sentAt = status.GetProperty("sentAt").GetDateTime();
        Assert.True(sentAt >= createdAt, $"{sentAt:O} < {createdAt:O}");
        Assert.Equal(["attempts", "createdAt", "id", "sentAt", "status"], status.EnumerateObject().Select(p => p.Name).Order());
        Assert.Single(api.Smtp.MessagesTo(friend));
    }

    [Fact]
    public async Task After_delivery_the_database_keeps_only_keyed_hashes_of_the_recipient_and_the_client()
    {
        var friend = EmailRequests.NewAddress();
        var id = await _client.SuggestToAsync([friend], from: "203.0.113.77");
        await _client.WaitUntilSentAsync(id);

        var rows = await api.QueryAsync<(string? Recipient, byte[] RecipientHash, string Status, string Row)>(
            "SELECT recipient, recipient_hash, status, o::text FROM share_email_outbox o WHERE request_id = @id::uuid", new { id });
        var (recipient, hash, state, row) = Assert.Single(rows);
        Assert.Null(recipient);
        Assert.Equal(32, hash.Length);
        Assert.Equal("sent", state);
        Assert.DoesNotContain(friend.Split('@')[0], row, StringComparison.OrdinalIgnoreCase);

        var request = (await api.QueryAsync<string>("SELECT r::text FROM share_email_requests r WHERE id = @id::uuid", new { id })).Single();
        Assert.DoesNotContain(friend.Split('@')[0], request, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("203.0.113.77", request);
        Assert.Equal(0, await api.ScalarAsync<long>("""
            SELECT count(*) FROM share_email_outbox o JOIN share_email_requests r ON r.id = o.request_id
            WHERE o::text ILIKE '%' || @local || '%' OR r::text ILIKE '%' || @local || '%'
            """, new { local = friend.Split('@')[0] }));
    }

    [Fact]
    public async Task Each_recipient_gets_a_message_of_their_own_with_their_own_opt_out_link()
    {
        var friends = new[] { EmailRequests.NewAddress("a"), EmailRequests.NewAddress("b"), EmailRequests.NewAddress("c") };

        var id = await _client.SuggestToAsync(friends);

        var messages = new List<MimeMessage>();
        foreach (var friend in friends)
        {
            messages.Add(await api.Smtp.WaitForMessageToAsync(friend));
        }

        Assert.All(messages, m => Assert.Single(m.To));
        Assert.Equal(3, messages.Select(m => m.Headers["List-Unsubscribe"]).Distinct().Count());
        Assert.Equal(3, messages.Select(m => m.MessageId).Distinct().Count());
        await _client.WaitUntilSentAsync(id);
    }

    [Fact]
    public async Task The_opt_out_link_stops_all_later_suggestions_without_telling_the_sender()
    {
        var friend = EmailRequests.NewAddress("optout");
        await _client.SuggestToAsync([friend]);
        var first = await api.Smtp.WaitForMessageToAsync(friend);
        var link = new Uri(ListUnsubscribe(first).Trim('<', '>'));

        var optedOut = await _client.GetAsync(link.PathAndQuery);
        var result = await optedOut.ReadJsonAsync();
        Assert.True(result.GetProperty("optedOut").GetBoolean());
        Assert.Equal("no-store", optedOut.Headers.CacheControl?.ToString());
        // One-click (RFC 8058) as a mail program sends it; doing it twice changes nothing.
        var oneClick = await _client.PostAsync(link.PathAndQuery, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        Assert.Equal(HttpStatusCode.OK, oneClick.StatusCode);
        Assert.Equal(1, await api.ScalarAsync<long>("SELECT count(*) FROM share_email_suppressions"));

        // The next suggestion is accepted and reported like any other, but nothing is sent.
        var other = EmailRequests.NewAddress("other");
        var id = await _client.SuggestToAsync([friend, other]);
        await api.Smtp.WaitForMessageToAsync(other);
        var status = await _client.WaitUntilSentAsync(id);

        Assert.Equal(1, status.GetProperty("attempts").GetInt32());
        Assert.Single(api.Smtp.MessagesTo(friend));
        var states = await api.QueryAsync<(string Status, string? Recipient)>(
            "SELECT status, recipient FROM share_email_outbox WHERE request_id = @id::uuid ORDER BY id", new { id });
        Assert.Equal([("skipped", null), ("sent", null)], states);
    }

    [Fact]
    public async Task Forged_opt_out_tokens_are_refused()
    {
        var friend = EmailRequests.NewAddress();
        await _client.SuggestToAsync([friend]);
        var token = ListUnsubscribe(await api.Smtp.WaitForMessageToAsync(friend)).Trim('<', '>').Split('/')[^1];
        var suppressionsBefore = await api.ScalarAsync<long>("SELECT count(*) FROM share_email_suppressions");

        // Another address's hash with this signature, and this hash with an altered signature.
        var otherHash = (token[0] == 'A' ? 'B' : 'A') + token[1..];
        var otherSignature = token[..^2] + (token[^2] == 'A' ? 'B' : 'A') + token[^1];
        foreach (var forged in new[] { otherHash, otherSignature })
        {
            await (await _client.GetAsync($"/v1/share/opt-out/{forged}")).AssertProblemAsync(HttpStatusCode.NotFound);
            await (await _client.PostAsync($"/v1/share/opt-out/{forged}", null)).AssertProblemAsync(HttpStatusCode.NotFound);
        }

        foreach (var malformed in new[] { "abc", token + "A", token[..^1] + "!" })
        {
            var problem = await (await _client.GetAsync($"/v1/share/opt-out/{Uri.EscapeDataString(malformed)}")).AssertProblemAsync(HttpStatusCode.BadRequest);
            Assert.NotEmpty(problem.ErrorsFor("token"));
        }

        Assert.Equal(suppressionsBefore, await api.ScalarAsync<long>("SELECT count(*) FROM share_email_suppressions"));
    }

    [Fact]
    public async Task A_permanent_refusal_fails_at_once_and_records_an_error_without_the_address()
    {
        var refused = EmailRequests.NewAddress("refused");
        api.Smtp.RefuseRecipient(refused);

        var id = await _client.SuggestToAsync([refused]);
        var status = await _client.WaitForStatusAsync(id, s => s.GetProperty("status").GetString() == "failed", "the refused suggestion to fail");

        Assert.Equal(1, status.GetProperty("attempts").GetInt32());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("sentAt").ValueKind);
        var (error, recipient) = (await api.QueryAsync<(string? Error, string? Recipient)>(
            "SELECT last_error, recipient FROM share_email_outbox WHERE request_id = @id::uuid", new { id })).Single();
        Assert.Null(recipient);
        Assert.Contains("550", error);
        Assert.DoesNotContain(refused.Split('@')[0], error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@", error);
    }

    [Fact]
    public async Task A_previous_slug_or_legacy_id_answers_308_to_the_current_slug_and_queues_nothing()
    {
        var before = await api.ScalarAsync<long>("SELECT count(*) FROM share_email_requests");

        var response = await _client.SuggestAsync(new { to = new[] { EmailRequests.NewAddress() }, senderName = "Alice" }, article: "t1453741");

        Assert.Equal(HttpStatusCode.PermanentRedirect, response.StatusCode);
        Assert.Equal($"/v1/articles/{EmailRequests.Slug}/share/email", response.Headers.Location?.OriginalString);
        Assert.Equal(before, await api.ScalarAsync<long>("SELECT count(*) FROM share_email_requests"));
    }

    [Fact]
    public async Task Unknown_and_unpublished_articles_are_404()
    {
        await api.ExecuteAsync("""
            INSERT INTO articles (slug, title, category_id, status)
            SELECT 'an-email-draft', 'A draft', id, 'draft' FROM categories ORDER BY id LIMIT 1
            """);
        var body = new { to = new[] { EmailRequests.NewAddress() }, senderName = "Alice" };

        await (await _client.SuggestAsync(body, article: "no-such-article")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _client.SuggestAsync(body, article: "an-email-draft")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _client.SuggestAsync(body, article: "999999999")).AssertProblemAsync(HttpStatusCode.NotFound);
        var problem = await (await _client.SuggestAsync(body, article: "Not_A_Slug")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorsFor("idOrSlug"));
    }

    [Fact]
    public async Task The_status_of_an_unknown_id_is_404_and_a_malformed_id_400()
    {
        await (await _client.GetAsync($"/v1/share/emails/{Guid.NewGuid()}")).AssertProblemAsync(HttpStatusCode.NotFound);
        var problem = await (await _client.GetAsync("/v1/share/emails/12345")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorsFor("id"));
    }
}
