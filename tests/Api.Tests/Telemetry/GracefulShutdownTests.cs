using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Api.Tests.Infrastructure;

namespace Api.Tests.Telemetry;

/// <summary>
/// SIGTERM (what a container runtime or systemd sends): the API stops taking connections, finishes the
/// requests it has accepted, and exits within the host's shutdown timeout with code 0.
/// </summary>
public sealed class GracefulShutdownTests() : OwnDatabase("newsapi_stop")
{
    /// <summary>A request body sent in two halves, <paramref name="pause"/> apart: a request still arriving.</summary>
    private sealed class SlowContent(byte[] body, TimeSpan pause, TaskCompletionSource started) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var half = body.Length / 2;
            await stream.WriteAsync(body.AsMemory(0, half));
            await stream.FlushAsync();
            started.TrySetResult();
            await Task.Delay(pause);
            await stream.WriteAsync(body.AsMemory(half));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = body.Length;
            return true;
        }
    }

    [Fact]
    public async Task On_SIGTERM_requests_in_flight_finish_new_ones_are_refused_and_the_process_exits_cleanly()
    {
        var connectionString = ConnectionString;
        await using var api = await ApiProcess.StartAsync(connectionString, new Dictionary<string, string> { ["ShutdownTimeoutSeconds"] = "20" });
        var (exit, key, errors) = await ApiCommand.RunAsync(connectionString, "keys", "create", "--name", "editor", "--scope", "content:write");
        Assert.True(exit == 0, errors);
        using var client = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.Trim());

        // Three writes whose bodies are still arriving when the signal comes.
        var inFlight = Enumerable.Range(1, 3).Select(async n =>
        {
            var started = new TaskCompletionSource();
            var body = Encoding.UTF8.GetBytes($$"""{"title":"Saved while stopping {{n}}","categorySlug":"visas","status":"published","summary":"{{new string('x', 2000)}}"}""");
            var content = new SlowContent(body, TimeSpan.FromSeconds(2), started);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            var response = client.PostAsync("/v1/articles", content);
            await started.Task;
            return response;
        }).ToList();
        var sending = await Task.WhenAll(inFlight);
        await Task.Delay(200);

        var stopping = Stopwatch.StartNew();
        api.Terminate();

        // Accepted before the signal: answered in full.
        foreach (var response in await Task.WhenAll(sending))
        {
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}\n{string.Join('\n', api.Output.TakeLast(15))}");
            Assert.Contains("Saved while stopping", await response.Content.ReadAsStringAsync());
        }

        // Not taken any more: a new connection is refused (soon after the signal, before the exit).
        var refused = false;
        while (!refused && stopping.Elapsed < TimeSpan.FromSeconds(10))
        {
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, api.Port);
                await Task.Delay(50);
            }
            catch (SocketException)
            {
                refused = true;
            }
        }

        Assert.True(refused, "New connections were still accepted 10 s after SIGTERM.");
        Assert.Equal(0, await api.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(20), $"Exited {stopping.Elapsed.TotalSeconds:0.0} s after SIGTERM.");

        // Nothing half-written: each of the three is there once, with its revision.
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = new Npgsql.NpgsqlCommand("""
            SELECT count(*) FROM articles a
            WHERE a.title LIKE 'Saved while stopping %' AND EXISTS (SELECT 1 FROM article_revisions r WHERE r.article_id = a.id)
            """, connection);
        Assert.Equal(3L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task On_SIGTERM_a_webhook_delivery_under_way_is_finished_and_recorded_once()
    {
        await using var receiver = new Webhooks.WebhookReceiver();
        await receiver.StartAsync();
        await using var api = await ApiProcess.StartAsync(ConnectionString, new Dictionary<string, string>
        {
            ["ShutdownTimeoutSeconds"] = "20",
            ["Webhooks__AllowPrivateAddresses"] = "true",
            ["Webhooks__PollIntervalSeconds"] = "0.2",
            ["Webhooks__TimeoutSeconds"] = "10",
        });
        async Task<HttpClient> ClientAsync(string scope)
        {
            var (exit, key, errors) = await ApiCommand.RunAsync(ConnectionString, "keys", "create", "--name", scope, "--scope", scope);
            Assert.True(exit == 0, errors);
            var client = new HttpClient { BaseAddress = api.BaseAddress };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.Trim());
            return client;
        }

        using var admin = await ClientAsync("admin");
        using var editor = await ClientAsync("content:write");
        // The receiver answers the first request of each event after three seconds.
        var url = receiver.NewUrl("slow");
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/v1/webhooks", Json(new { url, events = new[] { "article.published" } }))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await editor.PostAsync("/v1/articles", Json(new { title = "Delivered while stopping", categorySlug = "visas", status = "published" }))).StatusCode);

        var waited = Stopwatch.StartNew();
        while (receiver.Waiting == 0)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), "The delivery never reached the receiver.");
            await Task.Delay(20);
        }

        api.Terminate();
        Assert.Equal(0, await api.WaitForExitAsync(TimeSpan.FromSeconds(20)));

        Assert.Single(receiver.At(url));
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var delivery = new Npgsql.NpgsqlCommand("SELECT status || ' ' || attempts FROM webhook_deliveries", connection);
        Assert.Equal("delivered 1", await delivery.ExecuteScalarAsync());
    }

    private static StringContent Json(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body, System.Text.Json.JsonSerializerOptions.Web), Encoding.UTF8, "application/json");
}
