using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Api.Tests.Infrastructure;

namespace Api.Tests.Media;

/// <summary>Uploads of at most 64 KiB.</summary>
public sealed class SmallUploadFactory() : MediaApiFactory(new Dictionary<string, string> { ["Media:MaxUploadBytes"] = "65536" });

public sealed class MediaBadInputTests(SmallUploadFactory api) : IClassFixture<SmallUploadFactory>
{
    /// <summary>A body sent in chunks with no Content-Length, as a client streaming a file of unknown size does.</summary>
    private sealed class StreamedContent(byte[] bytes) : HttpContent
    {
        private byte[] Bytes { get; } = bytes;

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            for (var at = 0; at < Bytes.Length; at += 8192)
            {
                await stream.WriteAsync(Bytes.AsMemory(at, Math.Min(8192, Bytes.Length - at)));
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    private static StreamedContent Streamed(byte[] bytes, string contentType)
    {
        var content = new StreamedContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    private async Task<long> CountAsync() => await api.ScalarAsync<long>("SELECT (SELECT count(*) FROM media) + (SELECT count(*) FROM media_chunks)");

    public static TheoryData<string, string> MalformedMultipart => new()
    {
        { "no boundary line at all", "just some bytes, no parts" },
        { "a part header without a colon", "--b0und\r\nContent-Disposition form-data; name=\"file\"\r\n\r\nxx\r\n--b0und--\r\n" },
        { "a part that never ends", "--b0und\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\nstill going" },
        { "a part header too long", "--b0und\r\nX-Long: " + new string('h', 20_000) + "\r\n\r\nxx\r\n--b0und--\r\n" },
    };

    [Theory]
    [MemberData(nameof(MalformedMultipart))]
    public async Task A_multipart_body_that_does_not_parse_is_400(string what, string body)
    {
        var before = await CountAsync();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b0und");

        var response = await api.Editor.PostAsync("/v1/media", content);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()), what);
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task A_form_field_that_is_not_UTF8_is_400_naming_it()
    {
        var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(TestImages.Png(10, 10, seed: 9501)), "file", "a.png" },
            { new ByteArrayContent([0x43, 0x61, 0x66, 0xE9, 0x20, 0xC3, 0x28]), "caption" }, // Latin-1 "Café " and a broken sequence
        };

        var problem = await (await api.Editor.PostAsync("/v1/media", form)).AssertProblemAsync(HttpStatusCode.BadRequest);

        Assert.Contains("'caption'", problem.GetProperty("detail").GetString());
        Assert.Contains("UTF-8", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_streamed_upload_with_no_length_is_413_once_it_passes_the_limit_and_one_under_it_is_stored()
    {
        var before = await CountAsync();
        var big = new byte[100 * 1024];
        TestImages.Jpeg(seed: 9502).CopyTo(big, 0);

        var streamed = Streamed(big, "image/jpeg");
        Assert.Null(streamed.Headers.ContentLength);
        var raw = await api.Editor.PostAsync("/v1/media", streamed);
        await raw.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);

        var form = new MultipartFormDataContent { { new ByteArrayContent(big), "file", "big.jpg" } };
        var formBytes = await form.ReadAsByteArrayAsync();
        var multipart = await api.Editor.PostAsync("/v1/media", Streamed(formBytes, form.Headers.ContentType!.ToString()));
        await multipart.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(before, await CountAsync());

        var small = TestImages.Jpeg(64, 48, seed: 9503);
        var stored = await api.Editor.PostAsync("/v1/media", Streamed(small, "image/jpeg"));
        Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        Assert.Equal(small.Length, (await stored.ReadJsonAsync()).GetProperty("bytes").GetInt64());
    }

    [Fact]
    public async Task An_empty_upload_is_400_however_it_is_sent()
    {
        var before = await CountAsync();

        await (await api.Editor.SendAsync(MediaUploadTests.Raw([], "image/png"))).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.Editor.PostAsync("/v1/media", Streamed([], "image/png"))).AssertProblemAsync(HttpStatusCode.BadRequest);
        var emptyFile = new MultipartFormDataContent { { new ByteArrayContent([]), "file", "empty.png" } };
        var problem = await (await api.Editor.PostAsync("/v1/media", emptyFile)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("empty", problem.GetProperty("detail").GetString());

        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task HEAD_of_a_rendition_is_200_with_the_headers_of_GET_and_no_body()
    {
        var medium = await MediaUploadTests.UploadAsync(api.Editor, TestImages.Jpeg(400, 300, seed: 9504));
        var url = medium.GetProperty("renditions").GetProperty("template").GetString()!.Replace("{spec}", "w320").Replace("{format}", "webp");

        var head = await api.Public.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
        var get = await api.Public.GetAsync(url);
        var body = await get.Content.ReadAsByteArrayAsync();
        var headAgain = await api.Public.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));

        foreach (var response in new[] { head, headAgain })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
            Assert.Equal("image/webp", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(body.Length, response.Content.Headers.ContentLength);
            Assert.Equal(get.Headers.ETag, response.Headers.ETag);
            Assert.Equal(get.Headers.CacheControl, response.Headers.CacheControl);
            Assert.Equal(get.Headers.GetValues("Surrogate-Key"), response.Headers.GetValues("Surrogate-Key"));
            Assert.Equal(get.Headers.GetValues("X-Content-Type-Options"), response.Headers.GetValues("X-Content-Type-Options"));
        }

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.NotEmpty(body);
        var gone = await api.Public.SendAsync(new HttpRequestMessage(HttpMethod.Head, url.Replace("/w320.", "/w333.")));
        Assert.Equal(HttpStatusCode.Forbidden, gone.StatusCode);
    }
}
