using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Api.Tests.Infrastructure;
using Api.Tests.Shares;

namespace Api.Tests.Telemetry;

/// <summary>
/// The logs of the API as it runs in production: one JSON object per line, the trace id of the request
/// on the lines a request writes, and nothing secret or personal (keys, webhook secrets, e-mail
/// addresses, the SMTP password) in any of them, whatever the flows that handle those do.
/// </summary>
public sealed class LogTests() : OwnDatabase("newsapi_logs")
{
    private const string SmtpPassword = "Smtp-Password-7f3a9c";
    private readonly EmailSmtpServer _smtp = new();
    private ApiProcess? _api;

    public override async Task InitializeAsync()
    {
        _smtp.Start();
        await base.InitializeAsync();
        _api = await ApiProcess.StartAsync(ConnectionString, new Dictionary<string, string>
        {
            ["Share__Email__Enabled"] = "true",
            ["Share__Email__Smtp__Host"] = "127.0.0.1",
            ["Share__Email__Smtp__Port"] = _smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["Share__Email__Smtp__UseTls"] = "None",
            // The test server offers no authentication: every send fails at AUTH, after the message
            // and its recipient were claimed, which is the path that reports errors.
            ["Share__Email__Smtp__User"] = "newsroom",
            ["Share__Email__Smtp__Password"] = SmtpPassword,
            ["Share__Email__Smtp__TimeoutSeconds"] = "5",
            ["Share__Email__PollIntervalSeconds"] = "0.2",
            ["Share__Email__RetryBaseDelaySeconds"] = "0.2",
            ["Share__Email__MaxAttempts"] = "2",
            ["Webhooks__AllowPrivateAddresses"] = "true",
            ["Webhooks__PollIntervalSeconds"] = "0.2",
            ["Webhooks__RetryBaseDelaySeconds"] = "0.2",
            ["Webhooks__MaxAttempts"] = "2",
            ["Logging__LogLevel__Default"] = "Debug",
        });
    }

    public override async Task DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        await _smtp.DisposeAsync();
        await base.DisposeAsync();
    }

    private HttpClient Client(string? key = null)
    {
        var client = new HttpClient { BaseAddress = _api!.BaseAddress };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    [Fact]
    public async Task Flows_that_handle_keys_secrets_and_addresses_leave_none_of_them_in_the_logs()
    {
        var connectionString = ConnectionString;
        var (exit, output, errors) = await ApiCommand.RunAsync(connectionString, "keys", "create", "--name", "root", "--scope", "admin");
        Assert.True(exit == 0, errors);
        var adminKey = output.Trim();
        using var admin = Client(adminKey);
        var secrets = new List<string> { adminKey, SmtpPassword };

        // A key made through the API, then used; a wrong key.
        var created = await (await admin.PostAsJsonAsync("/v1/keys", new { name = "desk", scopes = new[] { "content:write" } })).ReadJsonAsync();
        var editorKey = created.GetProperty("secret").GetString()!;
        secrets.Add(editorKey);
        using var editor = Client(editorKey);
        const string wrongKey = "nk_0123456789abcdefWRONGKEYwrongkey0123456789";
        secrets.Add(wrongKey);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client(wrongKey).GetAsync("/v1/keys")).StatusCode);

        // A webhook (its secret) whose deliveries fail, and an author's private e-mail address.
        var webhook = await (await admin.PostAsJsonAsync("/v1/webhooks", new { url = "http://127.0.0.1:9/hook", events = new[] { "article.published" } })).ReadJsonAsync();
        secrets.Add(webhook.GetProperty("secret").GetString()!);
        const string authorAddress = "author.private.2f9@example.org";
        secrets.Add(authorAddress);
        Assert.Equal(HttpStatusCode.Created, (await editor.PostAsJsonAsync("/v1/authors", new { name = "Private Writer", email = authorAddress })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await editor.PostAsJsonAsync("/v1/articles", new { title = "Logged safely", categorySlug = "visas", status = "published" })).StatusCode);

        // Share e-mails: accepted, then refused at the SMTP server, retried and given up; and one refused as invalid.
        string[] recipients = ["first.reader.8c1@example.org", "second.reader.8c1@example.org"];
        secrets.AddRange(recipients);
        var shared = await Client().PostAsJsonAsync("/v1/articles/t1453741/share/email", new { to = recipients, senderName = "Alice" });
        Assert.True(shared.StatusCode == HttpStatusCode.Accepted, await shared.Content.ReadAsStringAsync());
        const string badAddress = "third.reader.8c1@@example.org";
        secrets.Add(badAddress);
        Assert.Equal(HttpStatusCode.BadRequest, (await Client().PostAsJsonAsync("/v1/articles/t1453741/share/email", new { to = new[] { badAddress }, senderName = "Alice" })).StatusCode);

        // Wait for both outboxes to give up (two attempts each), so their error paths have logged.
        await using (var connection = new Npgsql.NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            var waited = Stopwatch.StartNew();
            while (true)
            {
                await using var done = new Npgsql.NpgsqlCommand("""
                    SELECT (SELECT count(*) FROM share_email_outbox WHERE status = 'failed') = 2
                       AND (SELECT count(*) FROM webhook_deliveries WHERE status = 'failed') >= 1
                    """, connection);
                if ((bool)(await done.ExecuteScalarAsync())!)
                {
                    break;
                }

                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "The outboxes did not give up within 30 s:\n" + string.Join('\n', _api!.Output.TakeLast(20)));
                await Task.Delay(100);
            }
        }

        var lines = _api!.Output;
        // The paths that report errors did run and log.
        Assert.Contains(lines, l => l.Contains("Share e-mail", StringComparison.Ordinal) && l.Contains("failed after", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Webhook", StringComparison.Ordinal) && l.Contains("failed after", StringComparison.Ordinal));
        foreach (var secret in secrets)
        {
            var leaked = lines.Where(l => l.Contains(secret, StringComparison.OrdinalIgnoreCase) || l.Contains(secret[..^4], StringComparison.OrdinalIgnoreCase)).ToList();
            Assert.True(leaked.Count == 0, $"'{secret}' was logged:\n{string.Join('\n', leaked)}");
        }
    }

    [Fact]
    public async Task Every_line_is_JSON_and_a_requests_lines_carry_its_trace_id()
    {
        var refused = await Client("nk_not_a_key_at_all_0000000000000000000000").GetAsync("/v1/keys");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        var traceId = problem.RootElement.GetProperty("traceId").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", traceId);

        var waited = Stopwatch.StartNew();
        JsonElement? line = null;
        while (line is null && waited.Elapsed < TimeSpan.FromSeconds(5))
        {
            foreach (var text in _api!.Output)
            {
                using var json = JsonDocument.Parse(text);
                if (json.RootElement.TryGetProperty("Scopes", out var scopes)
                    && scopes.EnumerateArray().Any(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("TraceId", out var id) && id.GetString() == traceId))
                {
                    line = json.RootElement.Clone();
                }
            }

            await Task.Delay(50);
        }

        Assert.True(line is not null, $"No log line carries the trace id {traceId}:\n{string.Join('\n', _api!.Output.TakeLast(10))}");
        foreach (var text in _api!.Output)
        {
            using var json = JsonDocument.Parse(text);
            Assert.True(json.RootElement.TryGetProperty("Timestamp", out _), text);
            Assert.True(json.RootElement.TryGetProperty("LogLevel", out _), text);
        }
    }
}
