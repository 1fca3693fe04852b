using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Api.Tests.Editorial;
using Api.Tests.Infrastructure;
using NetVips;

namespace Api.Tests.Media;

public sealed class MediaUploadTests(EditorialFixture api) : IClassFixture<EditorialFixture>
{
    internal static HttpRequestMessage Raw(byte[] bytes, string contentType = "image/jpeg", string? fileName = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/media") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (fileName is not null)
        {
            request.Content.Headers.ContentDisposition = new ContentDispositionHeaderValue("inline") { FileName = fileName };
        }

        return request;
    }

    internal static async Task<JsonElement> UploadAsync(HttpClient client, byte[] bytes, string contentType = "image/jpeg", HttpStatusCode expected = HttpStatusCode.Created)
    {
        var response = await client.SendAsync(Raw(bytes, contentType));
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.ReadJsonAsync();
    }

    [Fact]
    public async Task A_raw_JPEG_is_stored_with_what_libvips_read_and_served_back_byte_for_byte()
    {
        var bytes = TestImages.Jpeg(120, 80, seed: 1);
        var response = await api.Editor.SendAsync(Raw(bytes, fileName: "harbour.jpg"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var medium = await response.ReadJsonAsync();
        var id = medium.GetProperty("id").GetInt64();
        Assert.Equal($"/v1/media/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("jpeg", medium.GetProperty("format").GetString());
        Assert.Equal("image/jpeg", medium.GetProperty("contentType").GetString());
        Assert.Equal(120, medium.GetProperty("width").GetInt32());
        Assert.Equal(80, medium.GetProperty("height").GetInt32());
        Assert.Equal(bytes.Length, medium.GetProperty("bytes").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), medium.GetProperty("sha256").GetString());
        Assert.Equal("harbour.jpg", medium.GetProperty("fileName").GetString());
        Assert.Matches("^#[0-9a-f]{6}$", medium.GetProperty("dominantColor").GetString());
        var placeholder = medium.GetProperty("placeholder").GetString()!;
        Assert.StartsWith("data:image/webp;base64,", placeholder);
        using (var tiny = NetVips.Image.NewFromBuffer(Convert.FromBase64String(placeholder["data:image/webp;base64,".Length..])))
        {
            Assert.True(tiny.Width <= 16 && tiny.Height <= 16, $"{tiny.Width}x{tiny.Height}");
        }

        Assert.Equal(0.5, medium.GetProperty("focalPoint").GetProperty("x").GetDouble());
        Assert.Equal(JsonValueKind.Null, medium.GetProperty("alt").ValueKind);

        var read = await api.Editor.GetAsync($"/v1/media/{id}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(id, (await read.ReadJsonAsync()).GetProperty("id").GetInt64());
        Assert.Contains("private", read.Headers.CacheControl!.ToString());

        var original = await api.Editor.GetAsync($"/v1/media/{id}/original");
        Assert.Equal(HttpStatusCode.OK, original.StatusCode);
        Assert.Equal(bytes, await original.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/jpeg", original.Content.Headers.ContentType!.MediaType);
        Assert.Equal("nosniff", original.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("sandbox", original.Headers.GetValues("Content-Security-Policy").Single());
        var again = new HttpRequestMessage(HttpMethod.Get, $"/v1/media/{id}/original");
        again.Headers.IfNoneMatch.Add(original.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await api.Editor.SendAsync(again)).StatusCode);
    }

    [Theory]
    [InlineData("png")]
    [InlineData("webp")]
    [InlineData("gif")]
    [InlineData("avif")]
    public async Task Every_accepted_format_is_recognised_from_its_bytes_whatever_the_Content_Type_says(string format)
    {
        var bytes = format switch
        {
            "png" => TestImages.Png(70, 50, seed: 2),
            "webp" => TestImages.WebP(70, 50, seed: 2),
            "gif" => TestImages.Gif(70, 50, seed: 2),
            _ => TestImages.Avif(70, 50, seed: 2),
        };

        var medium = await UploadAsync(api.Editor, bytes, "application/octet-stream");
        Assert.Equal(format, medium.GetProperty("format").GetString());
        Assert.Equal(70, medium.GetProperty("width").GetInt32());
        Assert.Equal(50, medium.GetProperty("height").GetInt32());

        var mislabelled = await UploadAsync(api.Editor, TestImages.Jpeg(30, 20, seed: 100 + Array.IndexOf(["png", "webp", "gif", "avif"], format)), $"image/{format}");
        Assert.Equal("jpeg", mislabelled.GetProperty("format").GetString());
    }

    [Fact]
    public async Task The_same_file_uploaded_twice_is_one_medium_even_when_uploaded_at_once()
    {
        var bytes = TestImages.Jpeg(90, 60, seed: 3);
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => api.Editor.SendAsync(Raw(bytes))));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        var ids = await Task.WhenAll(responses.Select(async r => (await r.ReadJsonAsync()).GetProperty("id").GetInt64()));
        Assert.Single(ids.Distinct());
    }

    [Fact]
    public async Task A_multipart_form_carries_the_file_and_the_newsroom_fields()
    {
        var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(TestImages.Png(40, 40, seed: 4)), "file", "ambassador.png" },
            { new StringContent("The ambassador at the ceremony"), "alt" },
            { new StringContent("Ambassador Li at the National Day reception."), "caption" },
            { new StringContent("Embassy photo"), "credit" },
        };

        var response = await api.Editor.PostAsync("/v1/media", form);

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var medium = await response.ReadJsonAsync();
        Assert.Equal("The ambassador at the ceremony", medium.GetProperty("alt").GetString());
        Assert.Equal("Ambassador Li at the National Day reception.", medium.GetProperty("caption").GetString());
        Assert.Equal("Embassy photo", medium.GetProperty("credit").GetString());
        Assert.Equal("ambassador.png", medium.GetProperty("fileName").GetString());
    }

    [Fact]
    public async Task A_bad_form_is_400_and_stores_nothing()
    {
        var before = await CountAsync();
        var noFile = new MultipartFormDataContent { { new StringContent("x"), "alt" } };
        await (await api.Editor.PostAsync("/v1/media", noFile)).AssertProblemAsync(HttpStatusCode.BadRequest);

        var unknownField = new MultipartFormDataContent
        {
            { new ByteArrayContent(TestImages.Png(10, 10, seed: 5)), "file", "a.png" },
            { new StringContent("x"), "title" },
        };
        await (await api.Editor.PostAsync("/v1/media", unknownField)).AssertProblemAsync(HttpStatusCode.BadRequest);

        var twoFiles = new MultipartFormDataContent
        {
            { new ByteArrayContent(TestImages.Png(10, 10, seed: 6)), "file", "a.png" },
            { new ByteArrayContent(TestImages.Png(10, 10, seed: 7)), "file", "b.png" },
        };
        await (await api.Editor.PostAsync("/v1/media", twoFiles)).AssertProblemAsync(HttpStatusCode.BadRequest);

        var tooLongAlt = new MultipartFormDataContent
        {
            { new ByteArrayContent(TestImages.Png(10, 10, seed: 8)), "file", "a.png" },
            { new StringContent(new string('a', 1001)), "alt" },
        };
        var invalid = await (await api.Editor.PostAsync("/v1/media", tooLongAlt)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(invalid.ErrorsFor("alt"));

        Assert.Equal(before, await CountAsync());
    }

    public static TheoryData<string, byte[]> NotImages => new()
    {
        { "svg", Encoding.UTF8.GetBytes("""<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>""") },
        { "pdf", Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF") },
        { "html", Encoding.UTF8.GetBytes("<!doctype html><html><body><img src=x onerror=alert(1)></body></html>") },
        { "elf", [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0x3E, 0] },
        { "zip", [(byte)'P', (byte)'K', 3, 4, 20, 0, 0, 0, 8, 0] },
        { "text", Encoding.UTF8.GetBytes("just some words, not a picture") },
        { "bmp", [(byte)'B', (byte)'M', 0x3A, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0, 0x28, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0x18, 0] },
    };

    [Theory]
    [MemberData(nameof(NotImages))]
    public async Task Anything_but_an_accepted_image_is_415_whatever_it_is_called(string kind, byte[] bytes)
    {
        var before = await CountAsync();

        var problem = await (await api.Editor.SendAsync(Raw(bytes, "image/jpeg", $"{kind}.jpg"))).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);

        Assert.Contains("bytes", problem.GetProperty("detail").GetString());
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task An_empty_body_a_wrong_Content_Type_and_an_oversized_body_are_refused_before_any_decoding()
    {
        await (await api.Editor.SendAsync(Raw([], "image/png"))).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.Editor.SendAsync(Raw(TestImages.Jpeg(seed: 9), "application/json"))).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        await (await api.Editor.SendAsync(Raw(TestImages.Jpeg(seed: 9), "text/html"))).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        var noType = new HttpRequestMessage(HttpMethod.Post, "/v1/media") { Content = new ByteArrayContent(TestImages.Jpeg(seed: 9)) };
        await (await api.Editor.SendAsync(noType)).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);

        var huge = new byte[25 * 1024 * 1024 + 1];
        TestImages.Jpeg(seed: 9).CopyTo(huge, 0);
        await (await api.Editor.SendAsync(Raw(huge))).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task A_HEIC_photo_is_415_saying_why()
    {
        // An ISO media file of brand heic: what an iPhone's photos start with.
        byte[] heic = [0, 0, 0, 24, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'h', (byte)'e', (byte)'i', (byte)'c', 0, 0, 0, 0,
            (byte)'m', (byte)'i', (byte)'f', (byte)'1', (byte)'h', (byte)'e', (byte)'i', (byte)'c', 0, 0, 0, 8, (byte)'f', (byte)'r', (byte)'e', (byte)'e'];

        var problem = await (await api.Editor.SendAsync(Raw(heic, "image/heic"))).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);

        Assert.Contains("HEVC", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_decompression_bomb_is_422_from_its_header()
    {
        var bomb = TestImages.PngDeclaring(50_000, 50_000);
        Assert.True(bomb.Length < 1000);

        var problem = await (await api.Editor.SendAsync(Raw(bomb, "image/png"))).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Contains("50000 x 50000", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Truncated_and_corrupt_files_are_422()
    {
        var jpeg = TestImages.Jpeg(200, 150, seed: 10);
        await (await api.Editor.SendAsync(Raw(jpeg[..(jpeg.Length / 2)]))).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);

        var png = TestImages.Png(200, 150, seed: 10);
        await (await api.Editor.SendAsync(Raw(png[..(png.Length - 30)], "image/png"))).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);

        var headerOnly = TestImages.Jpeg(seed: 10)[..20];
        await (await api.Editor.SendAsync(Raw(headerOnly))).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task A_JPEG_that_is_also_HTML_is_kept_as_a_JPEG_and_never_served_as_a_page()
    {
        var polyglot = TestImages.Jpeg(50, 50, seed: 11).Concat(Encoding.UTF8.GetBytes("<html><script>alert(document.cookie)</script></html>")).ToArray();

        var medium = await UploadAsync(api.Editor, polyglot);
        var original = await api.Editor.GetAsync($"/v1/media/{medium.GetProperty("id").GetInt64()}/original");

        Assert.Equal("jpeg", medium.GetProperty("format").GetString());
        Assert.Equal("image/jpeg", original.Content.Headers.ContentType!.MediaType);
        Assert.Equal("nosniff", original.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("default-src 'none'; sandbox", original.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task EXIF_orientation_is_applied_to_the_size()
    {
        var rotated = TestImages.Jpeg(60, 40, seed: 12, change: image => image.Mutate(m => m.Set(GValue.GIntType, "orientation", 6)), keep: Enums.ForeignKeep.Exif);

        var medium = await UploadAsync(api.Editor, rotated);

        Assert.Equal(40, medium.GetProperty("width").GetInt32());
        Assert.Equal(60, medium.GetProperty("height").GetInt32());
    }

    [Fact]
    public async Task Caption_credit_copyright_and_date_taken_are_read_from_EXIF()
    {
        var bytes = TestImages.Jpeg(64, 48, seed: 13, keep: Enums.ForeignKeep.Exif, change: image => image.Mutate(m =>
        {
            m.Set(GValue.GStrType, "exif-ifd0-ImageDescription", "Harbour at dawn");
            m.Set(GValue.GStrType, "exif-ifd0-Artist", "Jane Doe");
            m.Set(GValue.GStrType, "exif-ifd0-Copyright", "(c) 2026 Jane Doe");
            m.Set(GValue.GStrType, "exif-ifd2-DateTimeOriginal", "2026:05:04 07:30:00");
        }));

        var medium = await UploadAsync(api.Editor, bytes);

        Assert.Equal("Harbour at dawn", medium.GetProperty("caption").GetString());
        Assert.Equal("Jane Doe", medium.GetProperty("credit").GetString());
        Assert.Equal("(c) 2026 Jane Doe", medium.GetProperty("copyright").GetString());
        Assert.Equal(new DateTimeOffset(2026, 5, 4, 7, 30, 0, TimeSpan.Zero), medium.GetProperty("takenAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task IPTC_wins_over_EXIF_and_the_credit_joins_photographer_and_agency()
    {
        var iptc = TestImages.IptcBlock("Délégation à Pékin", "Li Wei", "Xinhua", "© Xinhua 2026", "Xinhua Photo", "20260301");
        var bytes = TestImages.Jpeg(64, 48, seed: 14, keep: Enums.ForeignKeep.Exif | Enums.ForeignKeep.Iptc, change: image => image.Mutate(m =>
        {
            m.Set(GValue.GStrType, "exif-ifd0-ImageDescription", "a description EXIF gives");
            m.Set(GValue.BlobType, "iptc-data", iptc);
        }));

        var medium = await UploadAsync(api.Editor, bytes);

        Assert.Equal("Délégation à Pékin", medium.GetProperty("caption").GetString());
        Assert.Equal("Li Wei / Xinhua", medium.GetProperty("credit").GetString());
        Assert.Equal("© Xinhua 2026", medium.GetProperty("copyright").GetString());
        Assert.Equal("Xinhua Photo", medium.GetProperty("source").GetString());
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero), medium.GetProperty("takenAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Without_content_write_nothing_is_uploaded_or_read()
    {
        var partner = api.CreateClient(await api.CreateKeyAsync("partner"));
        await (await api.Public.SendAsync(Raw(TestImages.Jpeg(seed: 15)))).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await partner.SendAsync(Raw(TestImages.Jpeg(seed: 15)))).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await api.Public.GetAsync("/v1/media")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await partner.GetAsync("/v1/media/1/original")).AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    private async Task<long> CountAsync()
    {
        await using var connection = new Npgsql.NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT (SELECT count(*) FROM media) + (SELECT count(*) FROM media_chunks)", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
