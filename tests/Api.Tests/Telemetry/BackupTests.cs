using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Api.Tests.Infrastructure;
using Api.Tests.Media;
using Npgsql;

namespace Api.Tests.Telemetry;

/// <summary>
/// <c>scripts/backup</c> then <c>scripts/restore</c> into a new database: every article, medium (its
/// original byte for byte), key and queued e-mail is there, and the API started on the restored
/// database serves them (the keys still work: the secrets came along).
/// </summary>
public sealed class BackupTests(BackupTests.WithQueuedMail api) : IClassFixture<BackupTests.WithQueuedMail>
{
    /// <summary>E-mail on, towards an SMTP port where nothing listens, checked rarely: suggestions stay queued.</summary>
    public sealed class WithQueuedMail() : MediaApiFactory(Settings)
    {
        internal static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>
        {
            ["Share:Email:Enabled"] = "true",
            ["Share:Email:Smtp:Host"] = "127.0.0.1",
            ["Share:Email:Smtp:Port"] = "9",
            ["Share:Email:Smtp:UseTls"] = "None",
            ["Share:Email:PollIntervalSeconds"] = "3600",
        };
    }

    private static async Task<(int Exit, string Output)> ScriptAsync(string script, string connectionString, params string[] args)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment = { ["ConnectionStrings__Content"] = connectionString },
        };
        start.ArgumentList.Add(Path.Combine(Repository.Root(), "scripts", script));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await output) + (await errors));
    }

    private static async Task<string> SnapshotAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT concat_ws(' | ',
                (SELECT count(*) || ' articles ' || md5(string_agg(id || slug || title || body_html || version, ',' ORDER BY id)) FROM articles),
                (SELECT count(*) || ' media ' || md5(string_agg(id || sha256::text, ',' ORDER BY id)) FROM media),
                (SELECT count(*) || ' chunks ' || md5(string_agg(md5(data), ',' ORDER BY media_id, seq)) FROM media_chunks),
                (SELECT count(*) || ' keys ' || md5(string_agg(id || encode(secret_hash, 'hex') || array_to_string(scopes, ' '), ',' ORDER BY id)) FROM api_keys),
                (SELECT count(*) || ' queued ' || md5(string_agg(id || recipient || status, ',' ORDER BY id)) FROM share_email_outbox WHERE status = 'queued'),
                (SELECT count(*) || ' secrets ' || md5(string_agg(name || encode(value, 'hex'), ',' ORDER BY name)) FROM app_secrets))
            """, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task A_backup_restored_into_a_new_database_has_everything_and_the_API_serves_it()
    {
        var photo = TestImages.Jpeg(64, 48, seed: 7101);
        var medium = await MediaUploadTests.UploadAsync(api.Editor, photo);
        var mediumId = medium.GetProperty("id").GetInt64();
        var (article, _) = await CreateArticleAsync();
        var slug = article.GetProperty("slug").GetString()!;
        var key = await api.CreateKeyAsync("content:write");
        var suggested = await api.Public.PostAsJsonAsync($"/v1/articles/{slug}/share/email", new { to = new[] { "kept.in.backup@example.org" }, senderName = "Alice" });
        Assert.Equal(HttpStatusCode.Accepted, suggested.StatusCode);

        var file = Path.Combine(api.Scratch, "content.dump");
        var (backupExit, backupOutput) = await ScriptAsync("backup", api.ConnectionString, file);
        Assert.True(backupExit == 0, backupOutput);
        Assert.True(new FileInfo(file).Length > 0);

        var restored = TestDatabase.NewName("newsapi_restored");
        try
        {
            var (restoreExit, restoreOutput) = await ScriptAsync("restore", TestDatabase.ConnectionStringFor(restored), file);
            Assert.True(restoreExit == 0, restoreOutput);
            var before = await SnapshotAsync(api.ConnectionString);
            Assert.Contains("1 queued", before);
            Assert.Equal(before, await SnapshotAsync(TestDatabase.ConnectionStringFor(restored)));

            // Restoring over content is refused: a restore never mixes with what is there.
            var (againExit, againOutput) = await ScriptAsync("restore", TestDatabase.ConnectionStringFor(restored), file);
            Assert.NotEqual(0, againExit);
            Assert.Contains("already has", againOutput);

            await using var onRestored = new MediaApiFactory(WithQueuedMail.Settings, restored);
            await onRestored.InitializeAsync();
            var reader = onRestored.CreateClient();
            Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/v1/articles/{slug}")).StatusCode);
            var editor = onRestored.CreateClient(key);
            var original = await editor.GetAsync($"/v1/media/{mediumId}/original");
            Assert.Equal(HttpStatusCode.OK, original.StatusCode);
            Assert.Equal(photo, await original.Content.ReadAsByteArrayAsync());
        }
        finally
        {
            await TestDatabase.DropAsync(restored);
        }
    }

    private async Task<(System.Text.Json.JsonElement Article, System.Net.Http.Headers.EntityTagHeaderValue ETag)> CreateArticleAsync()
    {
        var response = await api.Editor.PostAsJsonAsync("/v1/articles", new { title = "Kept in the backup", categorySlug = "visas", status = "published", bodyHtml = "<p>Restored whole.</p>" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJsonAsync(), response.Headers.ETag!);
    }
}
