using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace Api.Tests.Imports;

/// <summary>
/// The API with WordPress's theme unit test export imported through <c>POST /v1/imports/wordpress</c>
/// (a job run by the API's own worker) before the tests of the class look at what it became.
/// </summary>
public sealed class WordPressFixture : ImportFixture
{
    public static string DataFile(string name) => Path.Combine(Repository.Root(), "tests/Api.Tests/Imports/Data/wordpress", name);

    public static byte[] ThemeUnitTest => File.ReadAllBytes(DataFile("themeunittestdata.wordpress.xml"));

    /// <summary>The job of the first import, once it ended.</summary>
    public JsonElement FirstJob { get; private set; }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var posted = await PostAsync(ThemeUnitTest);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        FirstJob = await WaitAsync((await posted.ReadJsonAsync()).GetProperty("id").GetInt64());
    }
}

/// <summary>The API with an editor's key and a quick import worker, for the import tests.</summary>
public class ImportFixture : ApiFactory
{
    public const int MaxFileBytes = 2_000_000;

    public HttpClient Editor { get; private set; } = null!;

    public HttpClient Public { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Editor = CreateClient(await CreateKeyAsync("content:write"));
        Public = CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Imports:MaxFileBytes", MaxFileBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Imports:PollIntervalSeconds", "1");
    }

    public Task<HttpResponseMessage> PostAsync(byte[] file, string query = "", string contentType = "application/xml", HttpClient? client = null)
    {
        var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        content.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileName = "export.xml" };
        return (client ?? Editor).PostAsync("/v1/imports/wordpress" + query, content);
    }

    /// <summary>The job, polled until it has ended.</summary>
    public async Task<JsonElement> WaitAsync(long id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var job = await (await Editor.GetAsync($"/v1/imports/jobs/{id}")).ReadJsonAsync();
            if (job.GetProperty("status").GetString() is "succeeded" or "failed")
            {
                return job;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Import job {id} did not end: {job}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>All the items of a job (following the cursor), optionally of one outcome.</summary>
    public async Task<List<JsonElement>> ItemsAsync(long id, string? outcome = null)
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var query = $"/v1/imports/jobs/{id}/items?limit=100{(outcome is null ? "" : $"&outcome={outcome}")}{(cursor is null ? "" : $"&cursor={cursor}")}";
            var page = await (await Editor.GetAsync(query)).ReadJsonAsync();
            items.AddRange(page.GetProperty("items").EnumerateArray());
            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.String ? page.GetProperty("nextCursor").GetString() : null;
        }
        while (cursor is not null);
        return items;
    }
}
