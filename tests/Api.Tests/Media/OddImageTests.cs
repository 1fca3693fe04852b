using System.Net;
using Api.Tests.Infrastructure;

namespace Api.Tests.Media;

/// <summary>Files the fuzz test found to break the server, each made on purpose.</summary>
public sealed class OddImageTests(MediaApiFactory api) : IClassFixture<MediaApiFactory>
{
    [Fact]
    public async Task A_JPEG_whose_metadata_cannot_be_parsed_is_stored_without_metadata()
    {
        // An extra Huffman table (AC, id 3, never used by the scan) whose values hold FF 01: libjpeg
        // keeps it without a complaint; a metadata reader sees a marker inside the segment.
        byte[] table = [0x13, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0x01];
        var bytes = TestImages.WithJpegSegment(TestImages.Jpeg(64, 48, seed: 6001), 0xC4, table);

        var medium = await MediaUploadTests.UploadAsync(api.Editor, bytes);

        Assert.Equal("jpeg", medium.GetProperty("format").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, medium.GetProperty("caption").ValueKind);
        var url = medium.GetProperty("renditions").GetProperty("srcset")[0].GetProperty("url").GetString();
        Assert.Equal(HttpStatusCode.OK, (await api.Public.GetAsync(url)).StatusCode);
    }

    [Theory]
    [InlineData("webp")]
    [InlineData("avif")]
    [InlineData("jpg")]
    [InlineData("png")]
    public async Task A_very_tall_image_renders_at_most_8192_pixels_high_in_every_format(string format)
    {
        using var strip = TestImages.Picture(20, 20_000, seed: 6010 + format.Length + format[0]);
        var medium = await MediaUploadTests.UploadAsync(api.Editor, strip.PngsaveBuffer(compression: 1), "image/png");
        var link = medium.GetProperty("renditions").GetProperty("srcset")[0];
        Assert.Equal((8, 8192), (link.GetProperty("width").GetInt32(), link.GetProperty("height").GetInt32()));

        var url = medium.GetProperty("renditions").GetProperty("template").GetString()!.Replace("{spec}", "w160").Replace("{format}", format);
        var response = await api.Public.GetAsync(url);

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        using var image = NetVips.Image.NewFromBuffer(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal((8, 8192), (image.Width, image.Height));
    }
}
