using System.Net.Http.Json;
using System.Text.Json;
using Api.Tests.Editorial;
using Api.Tests.Infrastructure;
using Api.Tests.Shares;
using Microsoft.AspNetCore.Hosting;

namespace Api.Tests.Webhooks;

/// <summary>
/// The application with webhooks to loopback allowed, polling and retrying fast, a one-second timeout,
/// an admin and an editor client, and a set of receivers. To run a second instance on the database of
/// another factory, pass that factory's database name.
/// </summary>
public class WebhookApiFactory : ApiFactory
{
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly string? _database;

    public WebhookApiFactory()
        : this(new Dictionary<string, string>())
    {
    }

    internal WebhookApiFactory(IReadOnlyDictionary<string, string> settings, string? database = null)
    {
        _settings = settings;
        _database = database;
    }

    public WebhookReceiver Receiver { get; } = new();

    public HttpClient Admin { get; private set; } = null!;

    public HttpClient Editor { get; private set; } = null!;

    public string Database => _database ?? DatabaseName;

    public override async Task InitializeAsync()
    {
        await Receiver.StartAsync();
        if (_database is null)
        {
            await base.InitializeAsync();
        }
        else
        {
            _ = Server;
        }

        Admin = CreateClient(await CreateKeyAsync("admin"));
        Editor = CreateClient(await CreateKeyAsync("content:write"));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        if (_database is not null)
        {
            builder.UseSetting("ConnectionStrings:Content", TestDatabase.ConnectionStringFor(_database));
        }

        var settings = new Dictionary<string, string>
        {
            ["Webhooks:AllowPrivateAddresses"] = "true",
            ["Webhooks:PollIntervalSeconds"] = "0.1",
            ["Webhooks:RetryBaseDelaySeconds"] = "0.2",
            ["Webhooks:RetryMaxDelaySeconds"] = "0.5",
            ["Webhooks:TimeoutSeconds"] = "1",
            ["Webhooks:MaxAttempts"] = "1000",
        };
        foreach (var (key, value) in _settings)
        {
            settings[key] = value;
        }

        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Receiver.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Registers a webhook and returns its id and secret.</summary>
    public async Task<(long Id, string Secret)> RegisterAsync(string url, params string[] events)
    {
        var response = await Admin.PostAsJsonAsync("/v1/webhooks", new { url, events = events.Length > 0 ? events : Api.Webhooks.WebhookEvents.All });
        var body = await response.ReadJsonAsync();
        return (body.GetProperty("webhook").GetProperty("id").GetInt64(), body.GetProperty("secret").GetString()!);
    }

    /// <summary>Creates a draft article through the API and returns its id and ETag.</summary>
    public async Task<(long Id, System.Net.Http.Headers.EntityTagHeaderValue ETag)> CreateDraftAsync(string title)
    {
        var response = await Editor.PostAsJsonAsync("/v1/articles", new { title, categorySlug = "visas" });
        var body = await response.ReadJsonAsync();
        return (body.GetProperty("id").GetInt64(), response.Headers.ETag!);
    }

    public async Task<System.Net.Http.Headers.EntityTagHeaderValue> ActAsync(long id, string action, System.Net.Http.Headers.EntityTagHeaderValue etag)
    {
        using var request = EditorialFixture.Write(HttpMethod.Post, $"/v1/articles/{id}/{action}", null, etag);
        var response = await Editor.SendAsync(request);
        await response.ReadJsonAsync();
        return response.Headers.ETag!;
    }

    /// <summary>An article created and published; its changes are "created" (a draft: no event) and "published".</summary>
    public async Task<long> PublishNewAsync(string title)
    {
        var (id, etag) = await CreateDraftAsync(title);
        await ActAsync(id, "publish", etag);
        return id;
    }

    public async Task<JsonElement> DeliveriesAsync(long webhookId) =>
        await (await Admin.GetAsync($"/v1/webhooks/{webhookId}/deliveries?limit=100")).ReadJsonAsync();

    /// <summary>Waits until the receiver at <paramref name="url"/> has recorded requests matching <paramref name="done"/>.</summary>
    public Task<IReadOnlyList<ReceivedHook>> WaitForAsync(string url, Func<IReadOnlyList<ReceivedHook>, bool> done, string what) =>
        Eventually.WaitForAsync(() => Task.FromResult(Receiver.At(url)), done, what);
}
