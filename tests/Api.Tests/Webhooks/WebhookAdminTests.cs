using System.Net;
using System.Net.Http.Json;
using System.Text;
using Api.Tests.Infrastructure;

namespace Api.Tests.Webhooks;

public sealed class WebhookAdminTests(WebhookApiFactory api) : IClassFixture<WebhookApiFactory>
{
    private static StringContent Json(string json, string type = "application/json") => new(json, Encoding.UTF8, type);

    [Fact]
    public async Task Webhooks_need_an_admin_key()
    {
        var anonymous = api.CreateClient();
        var editor = api.Editor;
        await (await anonymous.GetAsync("/v1/webhooks")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await anonymous.PostAsync("/v1/webhooks", Json("""{"url":"http://127.0.0.1:1/x","events":["article.published"]}"""))).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await editor.GetAsync("/v1/webhooks")).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await editor.PostAsync("/v1/webhooks", Json("""{"url":"http://127.0.0.1:1/x","events":["article.published"]}"""))).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await editor.DeleteAsync("/v1/webhooks/1")).AssertProblemAsync(HttpStatusCode.Forbidden);
        var partner = api.CreateClient(await api.CreateKeyAsync("partner"));
        await (await partner.GetAsync("/v1/webhooks/1/deliveries")).AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_webhook_is_created_with_its_secret_shown_once_then_read_changed_and_deleted()
    {
        var response = await api.Admin.PostAsync("/v1/webhooks", Json("""
            {"url":"http://127.0.0.1:1/hooks","events":["article.published","category.changed"],"description":"Partner A"}
            """));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.ReadJsonAsync();
        var webhook = created.GetProperty("webhook");
        var id = webhook.GetProperty("id").GetInt64();
        Assert.Equal($"/v1/webhooks/{id}", response.Headers.Location?.OriginalString);
        var secret = created.GetProperty("secret").GetString()!;
        Assert.Matches("^whsec_[A-Za-z0-9+/]{43}=$", secret);
        Assert.Equal("http://127.0.0.1:1/hooks", webhook.GetProperty("url").GetString());
        Assert.Equal(["article.published", "category.changed"], webhook.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("Partner A", webhook.GetProperty("description").GetString());
        Assert.True(webhook.GetProperty("enabled").GetBoolean());

        var read = await (await api.Admin.GetAsync($"/v1/webhooks/{id}")).Content.ReadAsStringAsync();
        var listed = await (await api.Admin.GetAsync("/v1/webhooks")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("secret", read, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(secret[6..], listed, StringComparison.Ordinal);
        Assert.Contains($"\"id\":{id}", listed, StringComparison.Ordinal);
        // Kept encrypted: the stored bytes do not contain the secret.
        var stored = await api.ScalarAsync<byte[]>("SELECT secret FROM webhooks WHERE id = @id", new { id });
        Assert.DoesNotContain(secret[6..], Encoding.UTF8.GetString(stored), StringComparison.Ordinal);

        var patched = await api.Admin.PatchAsync($"/v1/webhooks/{id}", Json("""
            {"events":["article.deleted"],"enabled":false,"description":"Partner B"}
            """, "application/merge-patch+json"));
        var body = await patched.ReadJsonAsync();
        Assert.Equal(JsonValueKindNull, body.GetProperty("secret").ValueKind);
        Assert.Equal(["article.deleted"], body.GetProperty("webhook").GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.False(body.GetProperty("webhook").GetProperty("enabled").GetBoolean());
        Assert.Equal("Partner B", body.GetProperty("webhook").GetProperty("description").GetString());
        Assert.Equal("http://127.0.0.1:1/hooks", body.GetProperty("webhook").GetProperty("url").GetString());

        var rotated = await (await api.Admin.PatchAsync($"/v1/webhooks/{id}", Json("""{"rotateSecret":true}""", "application/merge-patch+json"))).ReadJsonAsync();
        var newSecret = rotated.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", newSecret, StringComparison.Ordinal);
        Assert.NotEqual(secret, newSecret);

        Assert.Equal(HttpStatusCode.NoContent, (await api.Admin.DeleteAsync($"/v1/webhooks/{id}")).StatusCode);
        await (await api.Admin.GetAsync($"/v1/webhooks/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await api.Admin.DeleteAsync($"/v1/webhooks/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await api.Admin.GetAsync($"/v1/webhooks/{id}/deliveries")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;

    [Fact]
    public async Task A_secret_of_ones_own_is_kept_when_given_in_the_whsec_form()
    {
        var secret = "whsec_" + Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        var created = await (await api.Admin.PostAsJsonAsync("/v1/webhooks", new { url = "https://127.0.0.1/x", events = new[] { "article.updated" }, secret })).ReadJsonAsync();
        Assert.Equal(secret, created.GetProperty("secret").GetString());
    }

    [Theory]
    [InlineData("""{"url":"ftp://example.com/x","events":["article.published"]}""", "url")]
    [InlineData("""{"url":"/relative/path","events":["article.published"]}""", "url")]
    [InlineData("""{"url":"not a url","events":["article.published"]}""", "url")]
    [InlineData("""{"url":"https://user:pw@example.com/x","events":["article.published"]}""", "url")]
    [InlineData("""{"events":["article.published"]}""", "url")]
    [InlineData("""{"url":"https://example.com/x","events":["article.created"]}""", "events")]
    [InlineData("""{"url":"https://example.com/x","events":["article.published","article.published"]}""", "events")]
    [InlineData("""{"url":"https://example.com/x","events":[]}""", "events")]
    [InlineData("""{"url":"https://example.com/x"}""", "events")]
    [InlineData("""{"url":"https://example.com/x","events":["article.published"],"secret":"hunter2"}""", "secret")]
    [InlineData("""{"url":"https://example.com/x","events":["article.published"],"description":"a\u0000b"}""", "description")]
    public async Task Bad_input_is_a_400_naming_the_field(string json, string field)
    {
        var problem = await (await api.Admin.PostAsync("/v1/webhooks", Json(json))).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorsFor(field));
    }

    [Fact]
    public async Task A_url_longer_than_2000_characters_is_refused()
    {
        var url = "https://example.com/" + new string('a', 1981);
        var problem = await (await api.Admin.PostAsJsonAsync("/v1/webhooks", new { url, events = new[] { "article.published" } })).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorsFor("url"));
    }

    [Fact]
    public async Task An_unknown_member_is_a_400_naming_it()
    {
        var problem = await (await api.Admin.PostAsync("/v1/webhooks", Json("""{"url":"https://example.com/x","events":["article.published"],"colour":"red"}""")))
            .AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("colour", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var (id, _) = await api.RegisterAsync("http://127.0.0.1:1/unknown-member");
        var patch = await (await api.Admin.PatchAsync($"/v1/webhooks/{id}", Json("""{"enabeld":false}""", "application/merge-patch+json")))
            .AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("enabeld", patch.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_patches_ids_and_queries_are_400s()
    {
        var (id, _) = await api.RegisterAsync("http://127.0.0.1:1/bad-patch");
        var both = await (await api.Admin.PatchAsync($"/v1/webhooks/{id}", Json("""{"rotateSecret":true,"secret":"whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}""", "application/merge-patch+json")))
            .AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(both.ErrorsFor("rotateSecret"));
        var events = await (await api.Admin.PatchAsync($"/v1/webhooks/{id}", Json("""{"events":[]}""", "application/merge-patch+json"))).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(events.ErrorsFor("events"));
        var url = await (await api.Admin.PatchAsync($"/v1/webhooks/{id}", Json("""{"url":"gopher://x"}""", "application/merge-patch+json"))).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(url.ErrorsFor("url"));

        Assert.NotEmpty((await (await api.Admin.GetAsync("/v1/webhooks/abc")).AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("id"));
        await (await api.Admin.GetAsync("/v1/webhooks/987654321")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await api.Admin.PatchAsync("/v1/webhooks/987654321", Json("""{"enabled":true}""", "application/merge-patch+json"))).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.NotEmpty((await (await api.Admin.GetAsync($"/v1/webhooks/{id}/deliveries?limit=0")).AssertProblemAsync(HttpStatusCode.BadRequest)).ErrorsFor("limit"));
        await (await api.Admin.GetAsync($"/v1/webhooks/{id}/deliveries?colour=red")).AssertProblemAsync(HttpStatusCode.BadRequest);
        var deliveries = await (await api.Admin.GetAsync($"/v1/webhooks/{id}/deliveries")).ReadJsonAsync();
        Assert.Equal(System.Text.Json.JsonValueKind.Array, deliveries.GetProperty("items").ValueKind);
    }
}
