using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Api.Tests.Infrastructure;

/// <summary>
/// The real application over HTTP, on a database of its own that is created empty for each test class,
/// migrated and loaded with the sample content by the application's own start-up, and dropped afterwards.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public string DatabaseName { get; } = TestDatabase.NewName("newsapi_test");

    public string ConnectionString => TestDatabase.ConnectionStringFor(DatabaseName);

    /// <summary>Every answer of this application, checked against the committed contract.</summary>
    public Contract.ContractCheck Contract { get; } = new();

    public virtual async Task InitializeAsync()
    {
        await TestDatabase.CreateAsync(DatabaseName);
        // Starting the server applies the migrations and the sample content.
        _ = Server;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Content", ConnectionString);
        builder.UseSetting("Database:SeedSampleContent", "true");
        builder.UseSetting("Site:ArticleUrlTemplate", "https://news.example.com/articles/{slug}");
        // Test classes write a lot from one address; the limits have tests of their own.
        builder.UseSetting("RateLimits:WritesPerMinutePerKey", "100000");
        builder.UseSetting("RateLimits:WritesPerMinutePerIp", "100000");
        builder.ConfigureServices(Contract.AddTo);
    }

    /// <summary>A new API key with the given scopes, created through the application's own store.</summary>
    public async Task<string> CreateKeyAsync(params string[] scopes)
    {
        var store = Services.GetRequiredService<Api.Keys.ApiKeyStore>();
        var (_, secret) = await store.CreateAsync($"test {string.Join(' ', scopes)}", scopes, CancellationToken.None);
        return secret;
    }

    /// <summary>A client that sends <paramref name="key"/> as its bearer token.</summary>
    public HttpClient CreateClient(string key)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Runs SQL against this factory's database (to arrange data the public API cannot write).</summary>
    public async Task ExecuteAsync(string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await Dapper.SqlMapper.ExecuteAsync(connection, sql, parameters);
        // Like the API after its own writes: the next request must not race the change notification.
        Services.GetRequiredService<Api.Infrastructure.ContentCache>().EverythingChanged();
    }

    public async Task<List<T>> QueryAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return (await Dapper.SqlMapper.QueryAsync<T>(connection, sql, parameters)).ToList();
    }

    public async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return await Dapper.SqlMapper.ExecuteScalarAsync<T>(connection, sql, parameters)
            ?? throw new InvalidOperationException("The query returned no value.");
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await TestDatabase.DropAsync(DatabaseName);
        var violations = Contract.Violations;
        Assert.True(violations.Count == 0, $"{violations.Count} answer(s) broke openapi.json:\n{string.Join("\n", violations)}");
    }
}
