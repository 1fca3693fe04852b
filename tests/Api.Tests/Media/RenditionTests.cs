using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Api.Tests.Editorial;
using Api.Tests.Infrastructure;
using NetVips;

namespace Api.Tests.Media;

public sealed class RenditionTests(EditorialFixture api) : IClassFixture<EditorialFixture>
{
    private async Task<JsonElement> UploadAsync(byte[] bytes) => await MediaUploadTests.UploadAsync(api.Editor, bytes);

    private static string Url(JsonElement medium, string spec, string format) =>
        medium.GetProperty("renditions").GetProperty("template").GetString()!.Replace("{spec}", spec).Replace("{format}", format);

    private async Task<(HttpResponseMessage Response, NetVips.Image Image)> FetchAsync(string url, string? accept = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        var response = await api.Public.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (response, NetVips.Image.NewFromBuffer(await response.Content.ReadAsByteArrayAsync()));
    }

    /// <summary>The share of a rendition's pixels that are the test pictures' red mark.</summary>
    private static double RedShare(NetVips.Image image)
    {
        using var rgb = image.Colourspace(Enums.Interpretation.Srgb);
        var bytes = rgb.Cast(Enums.BandFormat.Uchar).WriteToMemory<byte>();
        var red = 0;
        for (var i = 0; i + rgb.Bands <= bytes.Length; i += rgb.Bands)
        {
            if (bytes[i] > 180 && bytes[i + 1] < 90 && bytes[i + 2] < 90)
            {
                red++;
            }
        }

        return red / (double)(bytes.Length / rgb.Bands);
    }

    [Fact]
    public async Task The_srcset_lists_webp_renditions_up_to_the_original_width_and_each_is_that_size()
    {
        var medium = await UploadAsync(TestImages.Jpeg(500, 300, seed: 2001));
        var renditions = medium.GetProperty("renditions");
        var srcset = renditions.GetProperty("srcset").EnumerateArray().ToList();

        Assert.Equal([160, 320, 480], srcset.Select(s => s.GetProperty("width").GetInt32()));
        Assert.Equal([96, 192, 288], srcset.Select(s => s.GetProperty("height").GetInt32()));
        foreach (var link in srcset)
        {
            var (response, image) = await FetchAsync(link.GetProperty("url").GetString()!);
            using (image)
            {
                Assert.Equal("image/webp", response.Content.Headers.ContentType!.MediaType);
                Assert.Equal(link.GetProperty("width").GetInt32(), image.Width);
                Assert.Equal(link.GetProperty("height").GetInt32(), image.Height);
                Assert.Equal("public, max-age=31536000, immutable", response.Headers.CacheControl!.ToString());
                Assert.Equal($"medium-{medium.GetProperty("id").GetInt64()}", response.Headers.GetValues("Surrogate-Key").Single());
            }
        }

        Assert.EndsWith(".jpg", renditions.GetProperty("src").GetString());
        var (src, jpeg) = await FetchAsync(renditions.GetProperty("src").GetString()!);
        Assert.Equal("image/jpeg", src.Content.Headers.ContentType!.MediaType);
        Assert.Equal(480, jpeg.Width);

        var again = new HttpRequestMessage(HttpMethod.Get, srcset[0].GetProperty("url").GetString());
        var first = await api.Public.GetAsync(srcset[0].GetProperty("url").GetString());
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await api.Public.SendAsync(again)).StatusCode);
    }

    [Theory]
    [InlineData("webp", "image/webp")]
    [InlineData("avif", "image/avif")]
    [InlineData("jpg", "image/jpeg")]
    [InlineData("png", "image/png")]
    public async Task Every_output_format_decodes_as_itself(string format, string contentType)
    {
        var medium = await UploadAsync(TestImages.Jpeg(400, 300, seed: 2002 + format.Length + format[0]));

        var (response, image) = await FetchAsync(Url(medium, "w320", format));

        Assert.Equal(contentType, response.Content.Headers.ContentType!.MediaType);
        Assert.Equal((320, 240), (image.Width, image.Height));
        Assert.Equal(format == "jpg" ? "jpegload_buffer" : format == "avif" ? "heifload_buffer" : format + "load_buffer", (string)image.Get("vips-loader"));
    }

    [Fact]
    public async Task Auto_chooses_from_Accept_and_says_it_varies()
    {
        var medium = await UploadAsync(TestImages.Jpeg(400, 300, seed: 2010));

        var (avif, _) = await FetchAsync(Url(medium, "w320", "auto"), "image/avif,image/webp,*/*");
        var (webp, _) = await FetchAsync(Url(medium, "w320", "auto"), "image/webp,*/*");
        var (jpeg, _) = await FetchAsync(Url(medium, "w320", "auto"), "*/*");

        Assert.Equal("image/avif", avif.Content.Headers.ContentType!.MediaType);
        Assert.Equal("image/webp", webp.Content.Headers.ContentType!.MediaType);
        Assert.Equal("image/jpeg", jpeg.Content.Headers.ContentType!.MediaType);
        Assert.Contains("Accept", avif.Headers.Vary);
    }

    [Fact]
    public async Task Cover_keeps_the_focal_point_in_frame_and_moving_it_changes_the_URL()
    {
        var medium = await UploadAsync(TestImages.Jpeg(800, 200, seed: 2020, markX: 0.9));
        var id = medium.GetProperty("id").GetInt64();

        var (_, centred) = await FetchAsync(Url(medium, "w160-h160-cover", "png"));
        Assert.Equal((160, 160), (centred.Width, centred.Height));
        Assert.Equal(0, RedShare(centred));

        var read = await api.Editor.GetAsync($"/v1/media/{id}");
        var patch = EditorialFixture.Write(HttpMethod.Patch, $"/v1/media/{id}", """{"focalPoint":{"x":0.9,"y":0.5}}""", read.Headers.ETag, "application/merge-patch+json");
        var moved = await (await api.Editor.SendAsync(patch)).ReadJsonAsync();
        Assert.NotEqual(Url(medium, "w160-h160-cover", "png"), Url(moved, "w160-h160-cover", "png"));

        var (_, focused) = await FetchAsync(Url(moved, "w160-h160-cover", "png"));
        Assert.Equal((160, 160), (focused.Width, focused.Height));
        Assert.True(RedShare(focused) > 0.005, $"red share {RedShare(focused)}");
        Assert.Equal(HttpStatusCode.NotFound, (await api.Public.GetAsync(Url(medium, "w160-h160-cover", "png"))).StatusCode);
    }

    [Fact]
    public async Task Contain_pads_to_the_box_and_inside_fits_in_it()
    {
        var medium = await UploadAsync(TestImages.Jpeg(400, 300, seed: 2030));

        var (_, contained) = await FetchAsync(Url(medium, "w320-h180-contain", "png"));
        var (_, inside) = await FetchAsync(Url(medium, "w320-h180", "webp"));
        var (_, retina) = await FetchAsync(Url(medium, "w160-h90-cover-dpr2", "webp"));
        var (_, small) = await FetchAsync(Url(medium, "w2048", "webp"));

        Assert.Equal((320, 180), (contained.Width, contained.Height));
        Assert.Equal((240, 180), (inside.Width, inside.Height));
        Assert.Equal((320, 180), (retina.Width, retina.Height));
        Assert.Equal((400, 300), (small.Width, small.Height));
    }

    [Fact]
    public async Task EXIF_orientation_is_applied()
    {
        var medium = await UploadAsync(TestImages.Jpeg(60, 40, seed: 2040, change: image => image.Mutate(m => m.Set(GValue.GIntType, "orientation", 6)), keep: Enums.ForeignKeep.Exif));

        var (_, image) = await FetchAsync(Url(medium, "w160", "png"));

        Assert.Equal((40, 60), (image.Width, image.Height));
    }

    [Fact]
    public async Task Renditions_carry_copyright_and_credit_and_nothing_else()
    {
        var bytes = TestImages.Jpeg(300, 200, seed: 2050, keep: Enums.ForeignKeep.Exif, change: image => image.Mutate(m =>
        {
            m.Set(GValue.GStrType, "exif-ifd0-Make", "SecretCam");
            m.Set(GValue.GStrType, "exif-ifd0-Copyright", "(c) Jane Doe");
            m.Set(GValue.GStrType, "exif-ifd0-Artist", "Jane Doe");
        }));
        var medium = await UploadAsync(bytes);
        var id = medium.GetProperty("id").GetInt64();
        var read = await api.Editor.GetAsync($"/v1/media/{id}");
        var patched = await (await api.Editor.SendAsync(EditorialFixture.Write(
            HttpMethod.Patch, $"/v1/media/{id}", """{"copyright":"© Agence Exemple (all rights)","credit":"Zoë Müller / Agence"}""", read.Headers.ETag, "application/merge-patch+json"))).ReadJsonAsync();

        foreach (var format in new[] { "jpg", "webp", "png", "avif" })
        {
            var (_, image) = await FetchAsync(Url(patched, "w160", format));
            var fields = image.GetFields();
            Assert.DoesNotContain(fields, f => f.StartsWith("exif-", StringComparison.Ordinal) && f != "exif-data" || f == "iptc-data");
            if (fields.Contains("exif-data"))
            {
                Assert.DoesNotContain("SecretCam", System.Text.Encoding.Latin1.GetString((byte[])image.Get("exif-data")));
            }

            var xmp = System.Text.Encoding.UTF8.GetString((byte[])image.Get("xmp-data"));
            Assert.Contains("© Agence Exemple (all rights)", xmp);
            Assert.Contains("Zoë Müller / Agence", xmp);
        }
    }

    [Theory]
    [InlineData("w333", "webp", HttpStatusCode.Forbidden)]
    [InlineData("w800-h123", "webp", HttpStatusCode.Forbidden)]
    [InlineData("w800-q50", "webp", HttpStatusCode.Forbidden)]
    [InlineData("w0", "webp", HttpStatusCode.BadRequest)]
    [InlineData("w800-inside", "webp", HttpStatusCode.BadRequest)]
    [InlineData("w800-dpr1", "webp", HttpStatusCode.BadRequest)]
    [InlineData("w800-cover", "webp", HttpStatusCode.BadRequest)]
    [InlineData("w8192-dpr2", "webp", HttpStatusCode.BadRequest)]
    [InlineData("h800", "webp", HttpStatusCode.BadRequest)]
    [InlineData("w800", "gif", HttpStatusCode.BadRequest)]
    [InlineData("w800", "svg", HttpStatusCode.BadRequest)]
    public async Task Unlisted_or_malformed_sizes_are_refused_before_any_work(string spec, string format, HttpStatusCode status)
    {
        var medium = await UploadAsync(TestImages.Jpeg(100, 100, seed: 3000 + (spec + "." + format).Select((c, i) => c * (i + 1)).Sum()));

        await (await api.Public.GetAsync(Url(medium, spec, format))).AssertProblemAsync(status);
    }

    [Fact]
    public async Task A_wrong_token_an_unknown_medium_a_bad_signature_and_a_deleted_medium_are_refused()
    {
        var medium = await UploadAsync(TestImages.Jpeg(100, 100, seed: 2070));
        var id = medium.GetProperty("id").GetInt64();
        var url = Url(medium, "w160", "webp");
        var token = url.Split('/')[3];

        await (await api.Public.GetAsync(url.Replace(token, "AAAAAAAAAAAA"))).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await api.Public.GetAsync(url.Replace($"/media/{id}/", "/media/999999999/"))).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await api.Public.GetAsync(Url(medium, "w333", "webp") + "?sig=AAAAAAAAAAAAAAAAAAAAAA")).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await api.Public.GetAsync(url + "?size=big")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.OK, (await api.Public.GetAsync(url)).StatusCode);

        var read = await api.Editor.GetAsync($"/v1/media/{id}");
        Assert.Equal(HttpStatusCode.NoContent, (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Delete, $"/v1/media/{id}", null, read.Headers.ETag))).StatusCode);
        await (await api.Public.GetAsync(url)).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Concurrent_requests_for_one_new_rendition_all_get_the_same_bytes()
    {
        var medium = await UploadAsync(TestImages.Jpeg(1200, 800, seed: 2080));
        var url = Url(medium, "w1024", "webp");

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => api.Public.GetAsync(url)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsByteArrayAsync()));
        Assert.Single(bodies.Select(Convert.ToBase64String).Distinct());
        Assert.Single(responses.Select(r => r.Headers.ETag!.Tag).Distinct());
    }
}
