using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace Api.Tests.Ghost;

/// <summary>
/// The API on a real Kestrel port, with Ghost 4.1's fixture export imported through
/// <c>POST /v1/imports/ghost</c> and a Ghost Content API key, for Ghost's own client in Node.
/// </summary>
public sealed class GhostApiFixture : Contract.KestrelApiFactory
{
    public string ContentKey { get; private set; } = "";

    public HttpClient Client { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Client = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        ContentKey = await CreateKeyAsync("ghost:content");

        using var editor = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        editor.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await CreateKeyAsync("content:write"));
        var content = new ByteArrayContent(File.ReadAllBytes(Path.Combine(Repository.Root(), "tests/Api.Tests/Imports/Data/ghost/v4_export.json")));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var posted = await editor.PostAsync("/v1/imports/ghost?siteUrl=https%3A%2F%2Fghost.example", content);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var id = (await posted.ReadJsonAsync()).GetProperty("id").GetInt64();
        for (var tries = 0; ; tries++)
        {
            var job = await (await editor.GetAsync($"/v1/imports/jobs/{id}")).ReadJsonAsync();
            if (job.GetProperty("status").GetString() == "succeeded")
            {
                break;
            }

            Assert.True(tries < 600, $"The import did not end: {job}");
            await Task.Delay(100);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Imports:PollIntervalSeconds", "1");
    }
}

/// <summary>Ghost's Content API as Ghost's own client and a plain HTTP client meet it.</summary>
public sealed class GhostContentApiTests(GhostApiFixture api) : IClassFixture<GhostApiFixture>
{
    private Task<HttpResponseMessage> GetAsync(string path) => api.Client.GetAsync(path);

    private async Task<JsonElement> ErrorAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        Assert.Equal(status, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = document.RootElement.GetProperty("errors")[0].Clone();
        Assert.Equal(type, error.GetProperty("type").GetString());
        return error;
    }

    [Fact]
    public async Task Ghosts_own_client_lists_reads_filters_and_pages_through()
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(Repository.Root(), "tests", "ghost-client", "run"), api.BaseUrl, api.ContentKey])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 0, $"tests/ghost-client/run failed ({process.ExitCode}):\n{await output}\n{await errors}");
        Assert.Contains("ghost-client: ok", await output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_envelope_is_ghosts()
    {
        var response = await GetAsync($"/ghost/api/content/posts/?key={api.ContentKey}&limit=2&include=tags,authors&filter=tag:getting-started");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        var body = await response.ReadJsonAsync();
        Assert.Equal(2, body.GetProperty("posts").GetArrayLength());
        var pagination = body.GetProperty("meta").GetProperty("pagination");
        Assert.Equal(6, pagination.GetProperty("total").GetInt32());
        Assert.Equal(3, pagination.GetProperty("pages").GetInt32());
        Assert.Equal(2, pagination.GetProperty("next").GetInt32());
        Assert.Equal(JsonValueKind.Null, pagination.GetProperty("prev").ValueKind);
        var post = body.GetProperty("posts")[0];
        Assert.Equal("getting-started", post.GetProperty("primary_tag").GetProperty("slug").GetString());
        Assert.Equal("https://news.example.com/articles/" + post.GetProperty("slug").GetString(), post.GetProperty("url").GetString());

        // v2 to v4 clients put the version in the path.
        Assert.Equal(HttpStatusCode.OK, (await GetAsync($"/ghost/api/v4/content/posts/?key={api.ContentKey}")).StatusCode);
        var settings = await (await GetAsync($"/ghost/api/content/settings/?key={api.ContentKey}")).ReadJsonAsync();
        Assert.Equal("https://news.example.com/", settings.GetProperty("settings").GetProperty("url").GetString());
    }

    [Fact]
    public async Task Keys_are_checked_as_ghost_checks_them()
    {
        await ErrorAsync(await GetAsync("/ghost/api/content/posts/"), HttpStatusCode.Forbidden, "NoPermissionError");
        await ErrorAsync(await GetAsync("/ghost/api/content/posts/?key=0123456789abcdef0123456789"), HttpStatusCode.Unauthorized, "UnauthorizedError");
        await ErrorAsync(await GetAsync("/ghost/api/content/posts/?key=not-a-key"), HttpStatusCode.Unauthorized, "UnauthorizedError");
        // This service's own keys are not Content API keys, and a Content API key opens nothing else.
        var editorKey = await api.CreateKeyAsync("content:write");
        await ErrorAsync(await GetAsync($"/ghost/api/content/posts/?key={editorKey}"), HttpStatusCode.Unauthorized, "UnauthorizedError");
        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/v1/articles?status=draft");
        bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", api.ContentKey);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Client.SendAsync(bearer)).StatusCode);
        // A revoked key stops working.
        var revoked = await api.CreateKeyAsync("ghost:content");
        Assert.Equal(HttpStatusCode.OK, (await GetAsync($"/ghost/api/content/tags/?key={revoked}")).StatusCode);
        await api.ScalarAsync<int>("UPDATE api_keys SET revoked_at = now() WHERE secret_hash = sha256(convert_to(@revoked, 'UTF8')); SELECT 1", new { revoked });
        await ErrorAsync(await GetAsync($"/ghost/api/content/tags/?key={revoked}"), HttpStatusCode.Unauthorized, "UnauthorizedError");
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=1001")]
    [InlineData("limit=ten")]
    [InlineData("page=0")]
    [InlineData("order=password%20asc")]
    [InlineData("order=title%20sideways")]
    [InlineData("filter=nonsense:1")]
    [InlineData("filter=tag:")]
    [InlineData("filter=(tag:a")]
    [InlineData("filter=tag:%5Ba,b")]
    [InlineData("filter=published_at:>'yesterday'")]
    [InlineData("filter=title:'unclosed")]
    public async Task Bad_parameters_are_ghosts_bad_requests(string query)
    {
        var error = await ErrorAsync(await GetAsync($"/ghost/api/content/posts/?key={api.ContentKey}&{query}"), HttpStatusCode.BadRequest, "BadRequestError");
        Assert.False(string.IsNullOrEmpty(error.GetProperty("context").GetString()));
    }

    [Fact]
    public async Task Values_in_filters_are_only_ever_values()
    {
        // A quote in a quoted value, and SQL in a bare one, match nothing rather than change the query.
        foreach (var filter in new[] { @"slug:'welcome\' OR 1=1 --'", "slug:welcome;DROP", "title:~'%'", "title:~'_'" })
        {
            var body = await (await GetAsync($"/ghost/api/content/posts/?key={api.ContentKey}&filter={Uri.EscapeDataString(filter)}")).ReadJsonAsync();
            Assert.Equal(0, body.GetProperty("posts").GetArrayLength());
        }

        Assert.True(await api.ScalarAsync<long>("SELECT count(*) FROM articles") > 0);
    }

    [Fact]
    public async Task Unknown_resources_and_posts_are_ghosts_not_found()
    {
        await ErrorAsync(await GetAsync($"/ghost/api/content/posts/slug/no-such-post/?key={api.ContentKey}"), HttpStatusCode.NotFound, "NotFoundError");
        await ErrorAsync(await GetAsync($"/ghost/api/content/posts/999999999/?key={api.ContentKey}"), HttpStatusCode.NotFound, "NotFoundError");
        await ErrorAsync(await GetAsync($"/ghost/api/content/posts/abc/?key={api.ContentKey}"), HttpStatusCode.NotFound, "NotFoundError");
        await ErrorAsync(await GetAsync($"/ghost/api/content/tiers/?key={api.ContentKey}"), HttpStatusCode.NotFound, "NotFoundError");
        // A page is not a post, nor a post a page.
        await ErrorAsync(await GetAsync($"/ghost/api/content/posts/slug/about/?key={api.ContentKey}"), HttpStatusCode.NotFound, "NotFoundError");
        await ErrorAsync(await GetAsync($"/ghost/api/content/pages/slug/welcome/?key={api.ContentKey}"), HttpStatusCode.NotFound, "NotFoundError");
    }

    [Fact]
    public async Task A_content_key_has_no_other_scope()
    {
        using var admin = new HttpClient { BaseAddress = new Uri(api.BaseUrl) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await api.CreateKeyAsync("admin"));
        var mixed = await admin.PostAsync("/v1/keys", JsonContent(new { name = "mixed", scopes = new[] { "ghost:content", "content:write" } }));
        await mixed.AssertProblemAsync(HttpStatusCode.BadRequest);
        var created = await admin.PostAsync("/v1/keys", JsonContent(new { name = "front end", scopes = new[] { "ghost:content" } }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var secret = (await created.ReadJsonAsync()).GetProperty("secret").GetString()!;
        Assert.Matches("^[0-9a-f]{26}$", secret);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync($"/ghost/api/content/authors/?key={secret}")).StatusCode);
    }

    private static StringContent JsonContent(object value) =>
        new(JsonSerializer.Serialize(value), System.Text.Encoding.UTF8, "application/json");
}
