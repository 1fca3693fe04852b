using System.Diagnostics;
using System.Net;
using Api.Tests.Infrastructure;

namespace Api.Tests.Media;

/// <summary>Files whose headers declare far more pixels than they carry: refused from the header, at once.</summary>
public sealed class MediaBombTests(MediaApiFactory api) : IClassFixture<MediaApiFactory>
{
    private static readonly TimeSpan Quickly = TimeSpan.FromSeconds(3);

    public static TheoryData<string, byte[], string> Bombs => new()
    {
        { "gif", TestImages.GifDeclaring(50_000, 50_000), "50000 x 50000" },
        { "webp", TestImages.WebPDeclaring(16_383, 16_383), "16383 x 16383" },
        { "jpeg", TestImages.JpegDeclaring(30_000, 30_000), "30000 x 30000" },
        { "png", TestImages.PngDeclaring(30_000, 30_000), "30000 x 30000" },
    };

    [Theory]
    [MemberData(nameof(Bombs))]
    public async Task A_header_declaring_huge_dimensions_is_422_naming_the_size_and_answered_at_once(string format, byte[] bomb, string size)
    {
        Assert.True(bomb.Length < 2000, $"{bomb.Length} bytes");
        Assert.Equal(format, Api.Media.ImageFormat.Sniff(bomb)?.Name);
        var before = await api.ScalarAsync<long>("SELECT count(*) FROM media");
        var clock = Stopwatch.StartNew();

        var response = await api.Editor.SendAsync(MediaUploadTests.Raw(bomb, "application/octet-stream"));

        clock.Stop();
        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains(size, problem.GetProperty("detail").GetString());
        Assert.True(clock.Elapsed < Quickly, $"answered in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(before, await api.ScalarAsync<long>("SELECT count(*) FROM media"));
    }
}

/// <summary>The application with <c>Media:MaxPixels</c> lowered to one megapixel.</summary>
public sealed class OneMegapixelFactory() : MediaApiFactory(new Dictionary<string, string> { ["Media:MaxPixels"] = "1000000" });

public sealed class MediaPixelLimitTests(OneMegapixelFactory api) : IClassFixture<OneMegapixelFactory>
{
    [Fact]
    public async Task Media_MaxPixels_is_the_limit_one_pixel_over_it_is_422_and_a_PNG_bomb_under_the_default_is_refused_too()
    {
        var over = await (await api.Editor.SendAsync(MediaUploadTests.Raw(TestImages.Png(1001, 1000, seed: 8001), "image/png")))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("1001 x 1000", over.GetProperty("detail").GetString());

        // 4 megapixels declared: under the default limit, over this one; refused from the header.
        var clock = Stopwatch.StartNew();
        var bomb = await (await api.Editor.SendAsync(MediaUploadTests.Raw(TestImages.PngDeclaring(2000, 2000), "image/png")))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("2000 x 2000", bomb.GetProperty("detail").GetString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"answered in {clock.Elapsed.TotalSeconds:F1} s");

        var atLimit = await MediaUploadTests.UploadAsync(api.Editor, TestImages.Png(1000, 1000, seed: 8002), "image/png");
        Assert.Equal((1000, 1000), (atLimit.GetProperty("width").GetInt32(), atLimit.GetProperty("height").GetInt32()));
    }
}
