using NetVips;

namespace Api.Media;

/// <summary>What an upload turned out to be once libvips has read it.</summary>
public abstract record ProbeResult
{
    /// <summary>A decodable image: its size as displayed (EXIF orientation applied), a dominant colour and a tiny placeholder.</summary>
    public sealed record Image(int Width, int Height, string DominantColor, string Placeholder) : ProbeResult;

    /// <summary>The header declares more pixels than allowed; nothing was decoded.</summary>
    public sealed record TooLarge(long Width, long Height) : ProbeResult;

    /// <summary>The file starts like an image of its format but does not decode as one (truncated, corrupt).</summary>
    public sealed record Undecodable(string Reason) : ProbeResult;
}

/// <summary>
/// Reads an uploaded image with libvips: the header first (size, orientation), refused there when
/// it declares more than <see cref="MediaOptions.MaxPixels"/>; then one shrink-on-load decode to a
/// few dozen pixels, which proves the whole file decodes (errors are failures, not warnings) and
/// gives the dominant colour and the placeholder. A JPEG is decoded at 1/8 scale, and other
/// formats line by line, so memory stays small whatever the size of the image.
/// </summary>
public static class ImageProbe
{
    private const int SampleSize = 48;
    private const int PlaceholderSize = 16;

    public static ProbeResult Inspect(string path, ImageFormat format, long maxPixels, CancellationToken cancellationToken)
    {
        try
        {
            int width, height;
            using (var header = LoadHeader(path, format))
            {
                if ((long)header.Width * header.Height > maxPixels)
                {
                    return new ProbeResult.TooLarge(header.Width, header.Height);
                }

                var swapped = header.Contains("orientation") && header.Get("orientation") is int orientation && orientation is >= 5 and <= 8;
                (width, height) = swapped ? (header.Height, header.Width) : (header.Width, header.Height);
            }

            // Decoded once, into memory (a few kilobytes): the file is read sequentially and cannot be read twice.
            using var decoding = NetVips.Image.Thumbnail(path, SampleSize, height: SampleSize, failOn: Enums.FailOn.Error);
            decoding.SetProgress(null, cancellationToken);
            using var sample = decoding.CopyMemory();
            using var rgb = ToRgb(sample);
            var pixels = rgb.WriteToMemory<byte>();
            var dominant = DominantColor(pixels, rgb.Bands);
            using var small = sample.ThumbnailImage(PlaceholderSize, height: PlaceholderSize);
            var placeholder = small.WebpsaveBuffer(q: 40, keep: Enums.ForeignKeep.None, effort: 2);
            return new ProbeResult.Image(width, height, dominant, "data:image/webp;base64," + Convert.ToBase64String(placeholder));
        }
        catch (VipsException e)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return new ProbeResult.Undecodable(FirstLine(e.Message));
        }
    }

    /// <summary>Opens the file with the loader of the format its bytes declared (never a guess by libvips); only the header is read.</summary>
    public static NetVips.Image LoadHeader(string path, ImageFormat format)
    {
        const Enums.Access access = Enums.Access.Sequential;
        const Enums.FailOn failOn = Enums.FailOn.Error;
        return format.Name switch
        {
            "jpeg" => NetVips.Image.Jpegload(path, access: access, failOn: failOn),
            "png" => NetVips.Image.Pngload(path, access: access, failOn: failOn),
            "webp" => NetVips.Image.Webpload(path, access: access, failOn: failOn),
            "gif" => NetVips.Image.Gifload(path, access: access, failOn: failOn),
            "avif" or "heif" => NetVips.Image.Heifload(path, access: access, failOn: failOn),
            _ => throw new ArgumentException($"No loader for {format.Name}.", nameof(format)),
        };
    }

    /// <summary>The image as 8-bit sRGB, three or four bands.</summary>
    public static NetVips.Image ToRgb(NetVips.Image image)
    {
        var rgb = image.Interpretation == Enums.Interpretation.Srgb ? image.Copy() : image.Colourspace(Enums.Interpretation.Srgb);
        return rgb.Format == Enums.BandFormat.Uchar ? rgb : rgb.Cast(Enums.BandFormat.Uchar);
    }

    /// <summary>
    /// The colour most of the picture is close to: pixels grouped into 4,096 boxes of similar colour
    /// (4 bits a channel), the fullest box's average. Transparent pixels do not count.
    /// </summary>
    internal static string DominantColor(byte[] pixels, int bands)
    {
        var counts = new int[4096];
        var sums = new long[4096 * 3];
        for (var i = 0; i + bands <= pixels.Length; i += bands)
        {
            if (bands == 4 && pixels[i + 3] < 128)
            {
                continue;
            }

            int r = pixels[i], g = pixels[i + 1], b = pixels[i + 2];
            var box = (r >> 4) << 8 | (g >> 4) << 4 | b >> 4;
            counts[box]++;
            sums[box * 3] += r;
            sums[box * 3 + 1] += g;
            sums[box * 3 + 2] += b;
        }

        var best = 0;
        for (var box = 1; box < counts.Length; box++)
        {
            if (counts[box] > counts[best])
            {
                best = box;
            }
        }

        if (counts[best] == 0)
        {
            return "#ffffff";
        }

        var n = counts[best];
        return $"#{sums[best * 3] / n:x2}{sums[best * 3 + 1] / n:x2}{sums[best * 3 + 2] / n:x2}";
    }

    private static string FirstLine(string message)
    {
        var line = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault(l => l.Length > 0) ?? "unreadable";
        return line.Length > 200 ? line[..200] : line;
    }
}
