using System.Net;
using System.Text;
using Api.Tests.Infrastructure;

namespace Api.Tests.Shares;

public sealed class EmailValidationTests(EmailApiFactory api) : IClassFixture<EmailApiFactory>
{
    private readonly HttpClient _client = api.CreateEmailClient();

    private Task<long> QueuedAsync() => api.ScalarAsync<long>("SELECT count(*) FROM share_email_outbox");

    /// <summary>Posts the body, expects a 400 naming <paramref name="field"/>, and checks nothing was queued.</summary>
    private async Task<IReadOnlyList<string>> AssertRefusedAsync(object body, string field)
    {
        var before = await QueuedAsync();
        var problem = await (await _client.SuggestAsync(body)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(before, await QueuedAsync());
        Assert.True(problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _), $"no error for '{field}': {problem}");
        return problem.ErrorsFor(field);
    }

    public static TheoryData<string[]?> WrongRecipientCounts => new()
    {
        null,
        Array.Empty<string>(),
        new[] { "a@example.com", "b@example.com", "c@example.com", "d@example.com" },
        new[] { "same@example.com", "SAME@example.com" },
    };

    [Theory]
    [MemberData(nameof(WrongRecipientCounts))]
    public async Task To_needs_one_to_three_distinct_addresses(string[]? to)
    {
        await AssertRefusedAsync(new { to, senderName = "Alice" }, "to");
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-an-address")]
    [InlineData("friend@localhost")]
    [InlineData("friend@example")]
    [InlineData("Bob <bob@example.com>")]
    [InlineData("\"Bob\" <bob@example.com>")]
    [InlineData("<bob@example.com>")]
    [InlineData("bob@example.com, eve@example.com")]
    [InlineData("bob@example.com;eve@example.com")]
    [InlineData("bob@@example.com")]
    [InlineData("bob@example.com (Bob)")]
    [InlineData("\"bob smith\"@example.com")]
    [InlineData("bob@[192.0.2.1]")]
    [InlineData("bob@-example.com")]
    [InlineData("bob.@example.com")]
    [InlineData("b..ob@example.com")]
    [InlineData("bób@example.com")]
    [InlineData(" bob@example.com")]
    [InlineData("bob@example.123")]
    [InlineData("@example.com")]
    [InlineData("undisclosed-recipients:;")]
    public async Task Addresses_must_be_plain_local_at_domain(string address)
    {
        await AssertRefusedAsync(new { to = new[] { "fine@example.com", address }, senderName = "Alice" }, "to[1]");
    }

    [Fact]
    public async Task Addresses_may_be_254_characters_not_255()
    {
        var domain = $"{new string('b', 63)}.{new string('c', 63)}.{new string('d', 57)}.org";
        var longest = $"{new string('a', 64)}@{domain}";
        var tooLong = $"{new string('a', 64)}@e{domain}";
        Assert.Equal(254, longest.Length);

        await AssertRefusedAsync(new { to = new[] { tooLong }, senderName = "Alice" }, "to[0]");
        var response = await _client.SuggestAsync(new { to = new[] { longest }, senderName = "Alice" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("An exceedingly long sender name of fifty-one chars.")]
    [InlineData("Visit cheap-pills.com")]
    [InlineData("https://evil.example")]
    [InlineData("www.evil.example")]
    public async Task The_sender_name_is_required_short_and_without_links(string? senderName)
    {
        await AssertRefusedAsync(new { to = new[] { "friend@example.com" }, senderName }, "senderName");
    }

    [Fact]
    public async Task The_note_may_have_300_characters_not_301()
    {
        await AssertRefusedAsync(new { to = new[] { "friend@example.com" }, senderName = "Alice", message = new string('x', 301) }, "message");

        var longestName = new string('n', 50);
        var response = await _client.SuggestAsync(new { to = new[] { EmailRequests.NewAddress(), EmailRequests.NewAddress(), EmailRequests.NewAddress() }, senderName = longestName, message = new string('x', 300) });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    public static TheoryData<string, string> Injections()
    {
        var data = new TheoryData<string, string>();
        foreach (var breaker in new[] { "\r\n", "\n", "\r", "\0", "\t", "\u001b", "\u007f", "\u0085", "\u2028" })
        {
            data.Add("to", $"friend@example.com{breaker}Bcc: victim@example.org");
            data.Add("senderName", $"Alice{breaker}Bcc: victim@example.org");
            data.Add("message", $"Hello{breaker}Content-Type: text/html");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Injections))]
    public async Task Line_breaks_NUL_and_other_control_characters_are_refused_in_every_field(string field, string value)
    {
        var body = new Dictionary<string, object>
        {
            ["to"] = new[] { field == "to" ? value : "friend@example.com" },
            ["senderName"] = field == "senderName" ? value : "Alice",
            ["message"] = field == "message" ? value : "Hello",
        };

        var errors = await AssertRefusedAsync(body, field == "to" ? "to[0]" : field);

        Assert.Contains(errors, e => e.Contains("control characters", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"to":["friend@example.com"],"senderName":"Alice","bcc":["victim@example.org"]}""")]
    [InlineData("""{"to":["friend@example.com"],"senderName":"Alice","headers":{"Reply-To":"x@example.org"}}""")]
    [InlineData("""{"to":["friend@example.com"],"senderName":"Alice","from":"boss@example.org"}""")]
    [InlineData("""{"to":["friend@example.com"],"senderName":"Alice","senderName":"Eve"}""")]
    [InlineData("""{"to":"friend@example.com","senderName":"Alice"}""")]
    [InlineData("""{"to":["friend@example.com"],"senderName":"Alice",""")]
    public async Task Unknown_members_and_malformed_json_are_400(string json)
    {
        var before = await QueuedAsync();

        var response = await _client.PostAsync(
            $"/v1/articles/{EmailRequests.Slug}/share/email", new StringContent(json, Encoding.UTF8, "application/json"));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(before, await QueuedAsync());
    }
}

public sealed class EmailDisabledTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task While_the_feature_is_off_both_endpoints_are_404_and_nothing_is_queued()
    {
        var valid = await _client.SuggestAsync(new { to = new[] { "friend@example.com" }, senderName = "Alice" });
        var invalid = await _client.SuggestAsync(new { to = Array.Empty<string>(), senderName = "" });
        var status = await _client.GetAsync($"/v1/share/emails/{Guid.NewGuid()}");

        await valid.AssertProblemAsync(HttpStatusCode.NotFound);
        await invalid.AssertProblemAsync(HttpStatusCode.NotFound);
        await status.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(0, await api.ScalarAsync<long>("SELECT count(*) FROM share_email_outbox"));
    }
}
