using System.Net;
using System.Net.Http.Json;
using Api.Tests.Editorial;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Api.Tests.Infrastructure;

/// <summary>
/// The application on a primary and its hot standby, configured by one connection string naming
/// both hosts. <c>scripts/test</c> (or <see cref="TestServers"/>) starts the standby (pg_basebackup);
/// <c>NEWSAPI_TEST_REPLICA</c> is an administrator's connection string for it.
/// </summary>
public sealed class ReplicaApiFactory : ApiFactory
{
    public static string ReplicaAdminConnectionString { get; } = TestServers.ConnectionString(TestServers.Replica);

    /// <summary>This class's database on the standby (administrator's credentials).</summary>
    public string ReplicaConnectionString =>
        new NpgsqlConnectionStringBuilder(ReplicaAdminConnectionString) { Database = DatabaseName, Pooling = false }.ConnectionString;

    public override async Task InitializeAsync()
    {
        await TestDatabase.CreateAsync(DatabaseName);
        // The standby learns of the new database from the WAL; wait until it can be opened there.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ReplicaConnectionString);
                await connection.OpenAsync();
                break;
            }
            catch (PostgresException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }

        _ = Server;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        var primary = new NpgsqlConnectionStringBuilder(ConnectionString);
        var replica = new NpgsqlConnectionStringBuilder(ReplicaAdminConnectionString);
        var both = new NpgsqlConnectionStringBuilder(ConnectionString)
        {
            Host = $"{primary.Host}:{primary.Port},{replica.Host}:{replica.Port}",
            // Commits return before their WAL is written, whatever the server's setting: the wait for
            // the replicas must still cover them.
            Options = "-c synchronous_commit=off",
        };
        builder.UseSetting("ConnectionStrings:Content", both.ConnectionString);
    }
}

public sealed class ReplicaTests(ReplicaApiFactory api) : IClassFixture<ReplicaApiFactory>, IAsyncLifetime
{
    private HttpClient _editor = null!;
    private readonly HttpClient _public = api.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    public async Task InitializeAsync() => _editor = api.CreateClient(await api.CreateKeyAsync("content:write"));

    public Task DisposeAsync() => ReplayAsync(pause: false);

    private async Task ReplayAsync(bool pause)
    {
        await using var connection = new NpgsqlConnection(api.ReplicaConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(pause ? "SELECT pg_wal_replay_pause()" : "SELECT pg_wal_replay_resume()", connection);
        await command.ExecuteNonQueryAsync();
        if (!pause)
        {
            return;
        }

        // A pause is only requested by the call; replay goes on until the startup process acts on it.
        await using var state = new NpgsqlCommand("SELECT pg_get_wal_replay_pause_state()", connection);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((string?)await state.ExecuteScalarAsync() != "paused")
        {
            Assert.True(DateTime.UtcNow < deadline, "The standby did not pause its replay within 10 s.");
            await Task.Delay(10);
        }
    }

    private static async Task<string?> TitleAsync(string connectionString, long id)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT title FROM articles WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", id);
        return await command.ExecuteScalarAsync() as string;
    }

    private async Task<string?> PublicTitleAsync(string path)
    {
        var response = await _public.GetAsync(path);
        return response.StatusCode == HttpStatusCode.OK ? (await response.ReadJsonAsync()).GetProperty("title").GetString() : null;
    }

    [Fact]
    public async Task Public_reads_come_from_the_standby_writes_go_to_the_primary_and_editors_read_their_writes()
    {
        var created = await _editor.PostAsJsonAsync("/v1/articles", new { title = "Replicated v0", categorySlug = "visas", status = "published" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var article = await created.ReadJsonAsync();
        var id = article.GetProperty("id").GetInt64();
        var path = $"/v1/articles/{article.GetProperty("slug").GetString()}";
        var etag = created.Headers.ETag;
        await ResponseCacheTests.AssertWithinAsync(TimeSpan.FromSeconds(5), async () => await PublicTitleAsync(path) == "Replicated v0");

        // Several rounds: whether the primary had written a commit's WAL when the instance asked how far
        // the replicas must replay is a matter of milliseconds.
        for (var round = 1; round <= 4; round++)
        {
            var before = $"Replicated v{round - 1}";
            var after = $"Replicated v{round}";

            // Cached while nothing changes.
            Assert.Equal(before, (await (await ResponseCacheTests.CachedGetAsync(_public, path)).ReadJsonAsync()).GetProperty("title").GetString());

            await ReplayAsync(pause: true);
            try
            {
                var patched = await _editor.SendAsync(EditorialFixture.Write(
                    HttpMethod.Patch, $"/v1/articles/{id}", $$"""{"title":"{{after}}"}""", etag, "application/merge-patch+json"));
                Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
                etag = patched.Headers.ETag;
                Assert.Equal(after, (await patched.ReadJsonAsync()).GetProperty("title").GetString());

                // The write is on the primary only: the standby has stopped replaying.
                Assert.Equal(after, await TitleAsync(api.ConnectionString, id));
                Assert.Equal(before, await TitleAsync(api.ReplicaConnectionString, id));

                // The editor (a request with a key) reads from the primary: the version just saved.
                var editorRead = await _editor.GetAsync($"/v1/articles/{id}");
                Assert.Equal(after, (await editorRead.ReadJsonAsync()).GetProperty("title").GetString());

                // The public reads from the standby, which still has the old version, and none of it is
                // cached: the instance waits for every replica to replay the write before it stores again.
                for (var i = 0; i < 3; i++)
                {
                    var response = await _public.GetAsync(path);
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    var title = (await response.ReadJsonAsync()).GetProperty("title").GetString();
                    Assert.True(response.Headers.Age is null, $"Round {round}, read {i} was answered from the cache ('{title}', age {response.Headers.Age}).");
                    Assert.Equal(before, title);
                }

                var list = await (await _public.GetAsync("/v1/categories/visas/articles?limit=5")).ReadJsonAsync();
                Assert.Contains(before, list.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("title").GetString()));
            }
            finally
            {
                await ReplayAsync(pause: false);
            }

            // Once the standby has replayed the write, public reads show it, and are cached again.
            await ResponseCacheTests.AssertWithinAsync(TimeSpan.FromSeconds(5), async () => await PublicTitleAsync(path) == after);
            var cached = await ResponseCacheTests.CachedGetAsync(_public, path);
            Assert.Equal(after, (await cached.ReadJsonAsync()).GetProperty("title").GetString());
        }
    }

    [Fact]
    public async Task The_connection_string_alone_splits_the_pools()
    {
        var sources = api.Services.GetRequiredService<Api.Infrastructure.DataSources>();
        Assert.True(sources.HasReplicas);
        await using (var primary = await sources.Primary.OpenConnectionAsync())
        await using (var inRecovery = new NpgsqlCommand("SELECT pg_is_in_recovery()", primary))
        {
            Assert.False((bool)(await inRecovery.ExecuteScalarAsync())!);
        }

        await using (var reads = await sources.Reads.OpenConnectionAsync())
        await using (var inRecovery = new NpgsqlCommand("SELECT pg_is_in_recovery()", reads))
        {
            Assert.True((bool)(await inRecovery.ExecuteScalarAsync())!);
        }
    }
}

public sealed class WalPositionTests
{
    [Theory]
    // Inside a page: the insert position is where the last record ends.
    [InlineData("0/3000A48", 0xA48, 8192, "0/3000A48")]
    [InlineData("1A/FF0012F0", 0x12F0, 8192, "1A/FF0012F0")]
    // The last record filled its page: the insert position is past the next page's short header.
    [InlineData("0/3004018", 0x4018, 8192, "0/3004000")]
    // ... or past the long header of a new segment's first page.
    [InlineData("1/28", 0x28, 8192, "1/0")]
    [InlineData("2/1000028", 0x28, 8192, "2/1000000")]
    // 40 bytes into a page other than a segment's first is just a position.
    [InlineData("0/3006028", 0x6028, 8192, "0/3006028")]
    public void The_replicas_wait_for_the_end_of_the_last_record(string insertPosition, int segmentOffset, int blockSize, string expected) =>
        Assert.Equal(expected, Api.Infrastructure.ReplicaCatchUp.LastRecordEnd(insertPosition, segmentOffset, blockSize));
}
