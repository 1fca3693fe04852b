using System.Net;
using System.Text;
using Api.Tests.Infrastructure;
using MetadataExtractor;
using MetadataExtractor.Formats.Exif;
using MetadataExtractor.Formats.Xmp;

namespace Api.Tests.Media;

/// <summary>A photo's position (EXIF GPS) stays in the original, for editors; no rendition carries it, or any other EXIF.</summary>
public sealed class MediaGpsTests(MediaApiFactory api) : IClassFixture<MediaApiFactory>
{
    private const double Latitude = 39.9073, Longitude = 116.3915;

    private static IReadOnlyList<MetadataExtractor.Directory> Read(byte[] bytes) => ImageMetadataReader.ReadMetadata(new MemoryStream(bytes));

    private static void AssertPosition(IReadOnlyList<MetadataExtractor.Directory> directories)
    {
        var gps = directories.OfType<GpsDirectory>().Single();
        var location = gps.GetGeoLocation();
        Assert.True(location is not null, string.Join(", ", gps.Tags.Select(t => $"{t.Name}={t.Description}")));
        Assert.Equal(Latitude, location!.Latitude, 0.0001);
        Assert.Equal(Longitude, location!.Longitude, 0.0001);
    }

    [Fact]
    public async Task The_original_keeps_its_GPS_position_and_no_rendition_in_any_format_has_it_or_any_EXIF()
    {
        var bytes = TestImages.WithJpegSegment(TestImages.Jpeg(300, 200, seed: 5001), 0xE1, TestImages.ExifWithGps("GpsCam", Latitude, Longitude));
        AssertPosition(Read(bytes));
        Assert.Equal("GpsCam", Read(bytes).OfType<ExifIfd0Directory>().Single().GetString(ExifDirectoryBase.TagMake));
        var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(bytes), "file", "square.jpg" },
            { new StringContent("© Photo Desk"), "copyright" },
            { new StringContent("Jane Doe"), "credit" },
        };

        var response = await api.Editor.PostAsync("/v1/media", form);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var medium = await response.ReadJsonAsync();

        var original = await api.Editor.GetAsync($"/v1/media/{medium.GetProperty("id").GetInt64()}/original");
        var originalBytes = await original.Content.ReadAsByteArrayAsync();
        Assert.Equal(bytes, originalBytes);
        AssertPosition(Read(originalBytes));

        foreach (var format in new[] { "jpg", "webp", "png", "avif" })
        {
            var url = medium.GetProperty("renditions").GetProperty("template").GetString()!.Replace("{spec}", "w160").Replace("{format}", format);
            var rendition = await api.Public.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, rendition.StatusCode);
            var rendered = await rendition.Content.ReadAsByteArrayAsync();

            // As a metadata reader sees the file: no GPS, no EXIF directory of any kind; the rights as XMP.
            // (It reads no metadata items of AVIF files: for those, libvips and the bytes below decide.)
            var directories = Read(rendered);
            Assert.Empty(directories.OfType<GpsDirectory>());
            Assert.Empty(directories.OfType<ExifDirectoryBase>());
            if (format != "avif")
            {
                var xmp = Assert.Single(directories.OfType<XmpDirectory>()).XmpMeta!;
                Assert.Equal("© Photo Desk", xmp.GetLocalizedText("http://purl.org/dc/elements/1.1/", "rights", "", "x-default")?.Value);
                Assert.DoesNotContain(xmp.Properties, p => p.Namespace is "http://ns.adobe.com/exif/1.0/" or "http://ns.adobe.com/tiff/1.0/");
            }

            // As bytes: no EXIF block and nothing of the original's IFDs.
            Assert.Equal(-1, rendered.AsSpan().IndexOf("Exif\0\0"u8));
            Assert.Equal(-1, rendered.AsSpan().IndexOf("GpsCam"u8));
            Assert.DoesNotContain("GPS", Encoding.Latin1.GetString(rendered), StringComparison.Ordinal);

            // As libvips sees it: no EXIF field at all, and XMP with the rights and the credit only.
            using var image = NetVips.Image.NewFromBuffer(rendered);
            Assert.DoesNotContain(image.GetFields(), f => f.StartsWith("exif-", StringComparison.Ordinal));
            var packet = Encoding.UTF8.GetString((byte[])image.Get("xmp-data"));
            Assert.Contains("© Photo Desk", packet);
            Assert.Contains("Jane Doe", packet);
            Assert.DoesNotContain("exif:", packet);
        }
    }
}
