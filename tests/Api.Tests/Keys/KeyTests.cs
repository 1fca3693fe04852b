using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Api.Tests.Infrastructure;

namespace Api.Tests.Keys;

public sealed class KeyTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Key_endpoints_need_a_key_401_with_WWW_Authenticate()
    {
        var response = await api.CreateClient().GetAsync("/v1/keys");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Theory]
    [InlineData("Bearer nk_notarealkey")]
    [InlineData("Bearer nk_0000000000000000000000000000000000000000000")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer ")]
    [InlineData("Bearer nk_0000000000000000000000000000000000000000000' OR '1'='1")]
    public async Task A_malformed_or_unknown_key_is_401_invalid_token(string authorization)
    {
        var client = api.CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);

        var response = await client.GetAsync("/v1/keys");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task A_key_without_the_scope_is_403()
    {
        var writer = api.CreateClient(await api.CreateKeyAsync("content:write"));

        var problem = await (await writer.GetAsync("/v1/keys")).AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Contains("admin", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_admin_creates_a_key_whose_secret_works_once_shown_and_is_stored_hashed()
    {
        var admin = api.CreateClient(await api.CreateKeyAsync("admin"));

        var response = await admin.PostAsJsonAsync("/v1/keys", new { name = "Wire importer", scopes = new[] { "content:write" } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.ReadJsonAsync();
        var secret = created.GetProperty("secret").GetString()!;
        var id = created.GetProperty("key").GetProperty("id").GetInt64();
        Assert.Equal($"/v1/keys/{id}", response.Headers.Location?.OriginalString);
        Assert.StartsWith("nk_", secret);
        Assert.Equal(secret[..10], created.GetProperty("key").GetProperty("prefix").GetString());

        var stored = await api.ScalarAsync<long>(
            "SELECT count(*) FROM api_keys WHERE id = @id AND secret_hash = sha256(convert_to(@secret, 'UTF8'))", new { id, secret });
        Assert.Equal(1, stored);
        var leaked = await api.ScalarAsync<long>(
            "SELECT count(*) FROM api_keys WHERE position(@secret in concat_ws(' ', name, prefix, encode(secret_hash, 'escape'), scopes::text)) > 0", new { secret });
        Assert.Equal(0, leaked);

        var listed = await (await admin.GetAsync($"/v1/keys/{id}")).ReadJsonAsync();
        Assert.False(listed.TryGetProperty("secret", out _));
        Assert.Equal(["content:write"], listed.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));

        var writer = api.CreateClient(secret);
        await (await writer.GetAsync("/v1/keys")).AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_revoked_key_stops_working_at_once()
    {
        var admin = api.CreateClient(await api.CreateKeyAsync("admin"));
        var victimSecret = await api.CreateKeyAsync("admin");
        var victim = api.CreateClient(victimSecret);
        Assert.Equal(HttpStatusCode.OK, (await victim.GetAsync("/v1/keys")).StatusCode);
        var id = await api.ScalarAsync<long>("SELECT id FROM api_keys WHERE prefix = @prefix", new { prefix = victimSecret[..10] });

        var revoked = await (await admin.DeleteAsync($"/v1/keys/{id}")).ReadJsonAsync();

        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, revoked.GetProperty("revokedAt").ValueKind);
        var response = await victim.GetAsync("/v1/keys");
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("revoked", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync($"/v1/keys/{id}")).StatusCode);
        await (await admin.DeleteAsync("/v1/keys/987654")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Listing_shows_every_key_without_secrets_and_when_it_was_last_used()
    {
        var adminSecret = await api.CreateKeyAsync("admin");
        var admin = api.CreateClient(adminSecret);

        var list = await (await admin.GetAsync("/v1/keys")).ReadJsonAsync();

        var me = list.GetProperty("items").EnumerateArray().Single(k => k.GetProperty("prefix").GetString() == adminSecret[..10]);
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, me.GetProperty("lastUsedAt").ValueKind);
        Assert.DoesNotContain(adminSecret, list.GetRawText());
    }

    [Theory]
    [InlineData("""{"name":"","scopes":["admin"]}""", "name")]
    [InlineData("""{"name":"x","scopes":[]}""", "scopes")]
    [InlineData("""{"name":"x","scopes":["root"]}""", "scopes")]
    [InlineData("""{"name":"x"}""", "scopes")]
    [InlineData("""{"scopes":["admin"]}""", "name")]
    [InlineData("""{"name":"line\nbreak","scopes":["admin"]}""", "name")]
    public async Task Creating_a_key_rejects_invalid_fields(string json, string field)
    {
        var admin = api.CreateClient(await api.CreateKeyAsync("admin"));
        var before = await api.ScalarAsync<long>("SELECT count(*) FROM api_keys");

        var response = await admin.PostAsync("/v1/keys", new StringContent(json, Encoding.UTF8, "application/json"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorsFor(field));
        Assert.Equal(before, await api.ScalarAsync<long>("SELECT count(*) FROM api_keys"));
    }

    [Fact]
    public async Task Creating_a_key_rejects_a_name_over_100_characters()
    {
        var admin = api.CreateClient(await api.CreateKeyAsync("admin"));
        var response = await admin.PostAsJsonAsync("/v1/keys", new { name = new string('n', 101), scopes = new[] { "admin" } });
        Assert.NotEmpty((await response.AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("name"));
    }

    [Theory]
    [InlineData("""{"name":"x","scopes":["admin"],"extra":1}""")]
    [InlineData("""{"name":"x","name":"y","scopes":["admin"]}""")]
    [InlineData("""{"name":"x","scopes":["admin"]""")]
    [InlineData("""{"name":1,"scopes":["admin"]}""")]
    [InlineData("not json")]
    [InlineData("")]
    public async Task Creating_a_key_rejects_unreadable_or_unexpected_JSON_with_400(string json)
    {
        var admin = api.CreateClient(await api.CreateKeyAsync("admin"));
        var before = await api.ScalarAsync<long>("SELECT count(*) FROM api_keys");

        var response = await admin.PostAsync("/v1/keys", new StringContent(json, Encoding.UTF8, "application/json"));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(before, await api.ScalarAsync<long>("SELECT count(*) FROM api_keys"));
    }

    [Fact]
    public async Task Creating_a_key_with_another_content_type_is_415()
    {
        var admin = api.CreateClient(await api.CreateKeyAsync("admin"));
        var response = await admin.PostAsync("/v1/keys", new StringContent("""{"name":"x","scopes":["admin"]}""", Encoding.UTF8, "text/plain"));
        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413()
    {
        var admin = api.CreateClient(await api.CreateKeyAsync("admin"));
        var json = $$"""{"name":"{{new string('x', 2 * 1024 * 1024)}}","scopes":["admin"]}""";

        var response = await admin.PostAsync("/v1/keys", new StringContent(json, Encoding.UTF8, "application/json"));

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task The_keys_command_creates_a_key_and_prints_only_its_secret()
    {
        var (exit, output, errors) = await RunCommandAsync("keys", "create", "--name", "cli admin", "--scope", "admin");

        Assert.True(exit == 0, errors);
        var secret = output.Trim();
        Assert.StartsWith("nk_", secret);
        Assert.Equal(HttpStatusCode.OK, (await api.CreateClient(secret).GetAsync("/v1/keys")).StatusCode);

        var (ifNoneExit, ifNoneOutput, _) = await RunCommandAsync("keys", "create", "--name", "again", "--scope", "admin", "--if-none");
        Assert.Equal(0, ifNoneExit);
        Assert.Equal("", ifNoneOutput.Trim());

        var (badExit, _, badErrors) = await RunCommandAsync("keys", "create", "--name", "x", "--scope", "root");
        Assert.Equal(2, badExit);
        Assert.Contains("scopes", badErrors);
    }

    private Task<(int Exit, string Output, string Errors)> RunCommandAsync(params string[] args) =>
        ApiCommand.RunAsync(api.ConnectionString, args);
}
