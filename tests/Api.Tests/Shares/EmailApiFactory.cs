using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Api.Tests.Shares;

/// <summary>
/// The application with "suggest to a friend" switched on, delivering to an in-process SMTP server
/// over loopback, polling and retrying fast. Limits are high unless a test sets them. A request may
/// name the client address it comes from in <c>X-Test-Client-Address</c> (the test server has none).
/// To start again on the database of an earlier factory (a restart), pass its name.
/// </summary>
public class EmailApiFactory : ApiFactory
{
    public const string ClientAddressHeader = "X-Test-Client-Address";
    public const string From = "News Desk <news@news.example.com>";
    public const string PublicBaseUrl = "https://api.news.example.com";

    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly bool _ownsSmtp;
    private readonly string? _database;

    public EmailApiFactory()
        : this(new Dictionary<string, string>())
    {
    }

    internal EmailApiFactory(IReadOnlyDictionary<string, string> settings, EmailSmtpServer? smtp = null, string? database = null)
    {
        _settings = settings;
        _ownsSmtp = smtp is null;
        Smtp = smtp ?? new EmailSmtpServer();
        _database = database;
    }

    public EmailSmtpServer Smtp { get; }

    /// <summary>The database the application uses: its own, or the one it was asked to start again on.</summary>
    public string Database => _database ?? DatabaseName;

    public override async Task InitializeAsync()
    {
        if (_ownsSmtp)
        {
            Smtp.Start();
        }

        if (_database is null)
        {
            await base.InitializeAsync();
        }
        else
        {
            _ = Server;
        }
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
            ["Share:PublicBaseUrl"] = PublicBaseUrl,
            ["Share:Email:Enabled"] = "true",
            ["Share:Email:From"] = From,
            ["Share:Email:Smtp:Host"] = "127.0.0.1",
            ["Share:Email:Smtp:Port"] = Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Share:Email:Smtp:UseTls"] = "None",
            ["Share:Email:Smtp:TimeoutSeconds"] = "5",
            ["Share:Email:PollIntervalSeconds"] = "0.2",
            ["Share:Email:RetryBaseDelaySeconds"] = "0.2",
            ["Share:Email:RetryMaxDelaySeconds"] = "1",
            ["Share:Email:MaxAttempts"] = "1000",
            ["Share:Email:PerIpPerHour"] = "100000",
            ["Share:Email:PerRecipientPerDay"] = "100000",
            ["Share:Email:GlobalPerHour"] = "100000",
        };
        foreach (var (key, value) in _settings)
        {
            settings[key] = value;
        }

        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, ClientAddressFromHeader>());
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_ownsSmtp)
        {
            await Smtp.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Rows of the application's database (also after this factory stopped).</summary>
    public async Task<List<T>> QueryDatabaseAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = new Npgsql.NpgsqlConnection(TestDatabase.ConnectionStringFor(Database));
        await connection.OpenAsync();
        return (await Dapper.SqlMapper.QueryAsync<T>(connection, sql, parameters)).ToList();
    }

    public HttpClient CreateEmailClient() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    private sealed class ClientAddressFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (IPAddress.TryParse(context.Request.Headers[ClientAddressHeader].ToString(), out var address))
                {
                    context.Connection.RemoteIpAddress = address;
                }

                await nextMiddleware(context);
            });
            next(app);
        };
    }
}

/// <summary>What the e-mail tests send and read.</summary>
public static class EmailRequests
{
    public const string Slug = "xi-jinping-holds-telephone-talks-with-president-donald-trump-of-the-us";

    /// <summary>An address no other test uses.</summary>
    public static string NewAddress(string who = "friend") => $"{who}.{Guid.NewGuid():N}"[..Math.Min(who.Length + 13, 40)] + "@friends.example.org";

    public static async Task<HttpResponseMessage> SuggestAsync(this HttpClient client, object body, string article = Slug, string? from = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/articles/{article}/share/email") { Content = JsonContent.Create(body) };
        if (from is not null)
        {
            request.Headers.Add(EmailApiFactory.ClientAddressHeader, from);
        }

        return await client.SendAsync(request);
    }

    /// <summary>Posts a valid suggestion and returns the id it was accepted with.</summary>
    public static async Task<string> SuggestToAsync(this HttpClient client, IReadOnlyList<string> to, string from = "198.51.100.1", string? message = null)
    {
        var response = await client.SuggestAsync(new { to, senderName = "Alice", message }, from: from);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Expected 202, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    public static async Task<JsonElement> StatusAsync(this HttpClient client, string id) =>
        await (await client.GetAsync($"/v1/share/emails/{id}")).ReadJsonAsync();

    public static Task<JsonElement> WaitForStatusAsync(this HttpClient client, string id, Func<JsonElement, bool> done, string what) =>
        Eventually.WaitForAsync(() => client.StatusAsync(id), done, what);

    public static Task<JsonElement> WaitUntilSentAsync(this HttpClient client, string id) =>
        client.WaitForStatusAsync(id, s => s.GetProperty("status").GetString() == "sent", $"suggestion {id} to be sent");
}
