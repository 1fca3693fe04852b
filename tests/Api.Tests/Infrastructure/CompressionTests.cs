using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Api.Tests.Articles;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Api.Tests.Infrastructure;

public sealed class CompressionTests(ListFixture api) : IClassFixture<ListFixture>
{
    private const string LargeList = "/v1/articles?limit=30&fields=id,slug,title,summary,bodyHtml,category,tags";

    private readonly HttpClient _client = api.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    [Theory]
    [InlineData("br")]
    [InlineData("gzip")]
    public async Task A_large_list_is_compressed_to_the_same_json_with_an_etag_of_its_own(string encoding)
    {
        var identity = await _client.GetAsync(LargeList);
        var identityBody = await identity.Content.ReadAsByteArrayAsync();
        Assert.True(identityBody.Length > 1024);
        Assert.Empty(identity.Content.Headers.ContentEncoding);

        var compressed = await GetAsync(LargeList, encoding);

        Assert.Equal(HttpStatusCode.OK, compressed.StatusCode);
        Assert.Equal([encoding], compressed.Content.Headers.ContentEncoding);
        Assert.Contains("Accept-Encoding", compressed.Headers.Vary);
        Assert.Contains("Authorization", compressed.Headers.Vary);
        var body = await compressed.Content.ReadAsByteArrayAsync();
        Assert.True(body.Length < identityBody.Length);
        Assert.Equal(identityBody, Decompress(body, encoding));
        Assert.Equal("application/json", compressed.Content.Headers.ContentType?.MediaType);

        // A different representation, so not the identity's strong ETag.
        var identityTag = identity.Headers.ETag!.Tag;
        Assert.False(compressed.Headers.ETag!.IsWeak);
        Assert.Equal(identityTag[..^1] + "-" + encoding + "\"", compressed.Headers.ETag.Tag);
    }

    [Theory]
    [InlineData("br")]
    [InlineData("gzip")]
    public async Task The_etag_of_a_compressed_answer_revalidates_with_304(string encoding)
    {
        var compressed = await GetAsync(LargeList, encoding);

        using var revalidation = new HttpRequestMessage(HttpMethod.Get, LargeList);
        revalidation.Headers.AcceptEncoding.ParseAdd(encoding);
        revalidation.Headers.IfNoneMatch.Add(compressed.Headers.ETag!);
        var notModified = await _client.SendAsync(revalidation);

        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        Assert.Equal(compressed.Headers.ETag, notModified.Headers.ETag);
        Assert.Contains("Accept-Encoding", notModified.Headers.Vary);

        // The identity tag still validates too, and a tag for other content does not.
        using var identityRevalidation = new HttpRequestMessage(HttpMethod.Get, LargeList);
        identityRevalidation.Headers.IfNoneMatch.Add((await _client.GetAsync(LargeList)).Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await _client.SendAsync(identityRevalidation)).StatusCode);

        using var stale = new HttpRequestMessage(HttpMethod.Get, LargeList);
        stale.Headers.AcceptEncoding.ParseAdd(encoding);
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"AAAAAAAAAAAAAAAAAAAAAAAA-" + encoding + "\""));
        Assert.Equal(HttpStatusCode.OK, (await _client.SendAsync(stale)).StatusCode);
    }

    [Fact]
    public async Task Brotli_is_preferred_when_both_are_accepted()
    {
        var response = await GetAsync(LargeList, "gzip, deflate, br");
        Assert.Equal(["br"], response.Content.Headers.ContentEncoding);
    }

    [Fact]
    public async Task A_small_answer_is_not_compressed()
    {
        var identity = await _client.GetAsync("/v1/articles?limit=1&fields=id");
        var response = await GetAsync("/v1/articles?limit=1&fields=id", "br");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.DoesNotContain("Accept-Encoding", response.Headers.Vary);
        Assert.True(response.Content.Headers.ContentLength < 1024);
        Assert.Equal(identity.Headers.ETag, response.Headers.ETag);
    }

    [Fact]
    public async Task A_feed_is_compressed()
    {
        var response = await GetAsync("/feeds/rss.xml?limit=30&content=full", "gzip");

        Assert.Equal(["gzip"], response.Content.Headers.ContentEncoding);
        var xml = System.Text.Encoding.UTF8.GetString(Decompress(await response.Content.ReadAsByteArrayAsync(), "gzip"));
        Assert.StartsWith("<?xml", xml);
    }

    private async Task<HttpResponseMessage> GetAsync(string url, string acceptEncoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        var response = await _client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static byte[] Decompress(byte[] body, string encoding)
    {
        using var input = new MemoryStream(body);
        using Stream decoder = encoding == "br"
            ? new BrotliStream(input, CompressionMode.Decompress)
            : new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        decoder.CopyTo(output);
        return output.ToArray();
    }
}
