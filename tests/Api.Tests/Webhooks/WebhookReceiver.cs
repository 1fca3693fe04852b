using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Api.Tests.Webhooks;

/// <summary>A request a receiver got.</summary>
public sealed record ReceivedHook(string Path, IReadOnlyDictionary<string, string> Headers, string Body, int Answered, DateTimeOffset ReceivedAt)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string EventId => Json.GetProperty("id").GetString()!;

    public string Type => Json.GetProperty("type").GetString()!;

    public long? ArticleId => Json.GetProperty("data").TryGetProperty("articleId", out var id) ? id.GetInt64() : null;

    public long? CategoryId => Json.GetProperty("data").TryGetProperty("categoryId", out var id) ? id.GetInt64() : null;

    /// <summary>The change feed's kind of the change behind the event (<c>data.change</c>).</summary>
    public string Change => Json.GetProperty("data").GetProperty("change").GetString()!;

    public long Seq => Json.GetProperty("data").GetProperty("seq").GetInt64();

    /// <summary>What a receiver does to check a request: the Standard Webhooks scheme.</summary>
    public bool IsSignedWith(string secret)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var signed = $"{Headers["Webhook-Id"]}.{Headers["Webhook-Timestamp"]}.{Body}";
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(signed)));
        return Headers["Webhook-Signature"].Split(' ').Any(s => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s), Encoding.ASCII.GetBytes(expected)));
    }
}

/// <summary>
/// Real HTTP receivers on a free loopback port (Kestrel, in the test process), one behaviour per path
/// prefix: <c>/good/…</c> answers 204; <c>/flaky/…</c> answers 500 to the first request of each event,
/// then 200; <c>/slow/…</c> answers the first request of each event only after <see cref="SlowDelay"/>
/// (past the sender's timeout), then at once; <c>/gone/…</c> answers 410. Every request is recorded.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public static readonly TimeSpan SlowDelay = TimeSpan.FromSeconds(3);

    private readonly ConcurrentQueue<ReceivedHook> _received = new();
    private readonly ConcurrentDictionary<string, int> _seen = new();
    private WebApplication? _app;

    public string BaseUrl { get; private set; } = "";

    public IReadOnlyList<ReceivedHook> Received => _received.ToArray();

    /// <summary>Requests that have arrived and are not answered yet.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    private int _waiting;

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/{kind}/{**rest}", Receive);
        await _app.StartAsync();
        BaseUrl = _app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/');
    }

    /// <summary>A URL of its own under a behaviour's prefix, so each test reads only its own requests.</summary>
    public string NewUrl(string kind) => $"{BaseUrl}/{kind}/{Guid.NewGuid():N}";

    public IReadOnlyList<ReceivedHook> At(string url) => Received.Where(r => url.EndsWith(r.Path, StringComparison.Ordinal)).ToList();

    private async Task<IResult> Receive(HttpContext context, string kind)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            return await ReceiveAsync(context, kind);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    private async Task<IResult> ReceiveAsync(HttpContext context, string kind)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var receivedAt = DateTimeOffset.UtcNow;
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var eventId = headers.GetValueOrDefault("Webhook-Id") ?? "";
        var nth = _seen.AddOrUpdate($"{context.Request.Path}|{eventId}", 1, (_, n) => n + 1);
        var status = kind switch
        {
            "good" => 204,
            "flaky" => nth == 1 ? 500 : 200,
            "slow" => 200,
            "gone" => 410,
            _ => 404,
        };
        if (kind == "slow" && nth == 1)
        {
            try
            {
                await Task.Delay(SlowDelay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The sender gave up waiting, as it should.
            }
        }

        _received.Enqueue(new ReceivedHook(context.Request.Path, headers, body, status, receivedAt));
        return Results.StatusCode(status);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
