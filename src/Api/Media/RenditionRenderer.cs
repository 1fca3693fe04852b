using System.Security;
using NetVips;

namespace Api.Media;

/// <summary>An output format of renditions.</summary>
public sealed record RenditionFormat(string Extension, string ContentType)
{
    public static readonly RenditionFormat WebP = new("webp", "image/webp");
    public static readonly RenditionFormat Avif = new("avif", "image/avif");
    public static readonly RenditionFormat Jpeg = new("jpg", "image/jpeg");
    public static readonly RenditionFormat Png = new("png", "image/png");

    public static readonly IReadOnlyList<RenditionFormat> All = [WebP, Avif, Jpeg, Png];

    /// <summary>The extension that asks the server to choose from <c>Accept</c>.</summary>
    public const string Auto = "auto";

    public static RenditionFormat? FromExtension(string extension) => All.FirstOrDefault(f => f.Extension == extension);

    /// <summary>For <c>.auto</c>: AVIF when the client takes it, else WebP, else JPEG (PNG for images with transparency).</summary>
    public static RenditionFormat Choose(string? accept, bool transparent)
    {
        var types = (accept ?? "").Split(',').Select(t => t.Split(';')[0].Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return types.Contains("image/avif") ? Avif : types.Contains("image/webp") ? WebP : transparent ? Png : Jpeg;
    }
}

/// <summary>What a rendition shows of the medium's metadata: its copyright and credit, nothing else.</summary>
public sealed record RenditionRights(string? Copyright, string? Credit);

/// <summary>
/// Renders with libvips: <c>thumbnail</c> straight from the file (shrink-on-load, so a 12-megapixel
/// JPEG bound for 800 pixels is decoded at 1/4 scale; EXIF orientation applied; the first frame of an
/// animation), then the focal-point crop or the padding, then the encoder. Every metadata field of the
/// original is dropped; copyright and credit go back in as XMP (UTF-8, unlike EXIF), and nothing else,
/// positions included, can reach a reader.
/// </summary>
public static class RenditionRenderer
{
    public static byte[] Render(
        string originalPath, RenditionSpec spec, RenditionGeometry geometry, RenditionFormat format, RenditionRights rights, string background, CancellationToken cancellationToken)
    {
        using var scaled = NetVips.Image.Thumbnail(
            originalPath, geometry.ScaledWidth, height: geometry.ScaledHeight, size: Enums.Size.Force, failOn: Enums.FailOn.Error);
        var image = scaled;
        var owned = new List<NetVips.Image>();
        try
        {
            if (geometry.Width != image.Width || geometry.Height != image.Height)
            {
                image = Track(owned, image.ExtractArea(
                    Math.Min(geometry.Left, image.Width - Math.Min(geometry.Width, image.Width)),
                    Math.Min(geometry.Top, image.Height - Math.Min(geometry.Height, image.Height)),
                    Math.Min(geometry.Width, image.Width),
                    Math.Min(geometry.Height, image.Height)));
            }

            if (image.Interpretation != Enums.Interpretation.Srgb)
            {
                image = Track(owned, image.Colourspace(Enums.Interpretation.Srgb));
            }

            var transparent = image.HasAlpha();
            if (format == RenditionFormat.Jpeg && transparent)
            {
                image = Track(owned, image.Flatten(background: Colour(background)));
                transparent = false;
            }

            if (geometry.CanvasWidth != image.Width || geometry.CanvasHeight != image.Height)
            {
                // Padding is transparent for an image with transparency, else the image's dominant colour.
                image = Track(owned, image.Gravity(
                    Enums.CompassDirection.Centre, geometry.CanvasWidth, geometry.CanvasHeight,
                    extend: Enums.Extend.Background, background: transparent ? [0, 0, 0, 0] : Colour(background)));
            }

            image = Track(owned, Stripped(image, rights));
            image.SetProgress(null, cancellationToken);
            var keep = rights.Copyright is null && rights.Credit is null ? Enums.ForeignKeep.None : Enums.ForeignKeep.Xmp;
            return format.Extension switch
            {
                "webp" => image.WebpsaveBuffer(q: spec.Quality ?? 80, effort: 4, keep: keep),
                "avif" => image.HeifsaveBuffer(q: spec.Quality ?? 55, compression: Enums.ForeignHeifCompression.Av1, effort: 2, keep: keep),
                "jpg" => image.JpegsaveBuffer(q: spec.Quality ?? 82, optimizeCoding: true, interlace: true, keep: keep),
                _ => image.PngsaveBuffer(compression: 6, keep: keep),
            };
        }
        finally
        {
            foreach (var held in owned)
            {
                held.Dispose();
            }
        }
    }

    private static NetVips.Image Track(List<NetVips.Image> owned, NetVips.Image image)
    {
        owned.Add(image);
        return image;
    }

    /// <summary>A copy with no metadata but the pixels' own (size, resolution), and the rights as XMP.</summary>
    private static NetVips.Image Stripped(NetVips.Image image, RenditionRights rights) =>
        image.Mutate(m =>
        {
            foreach (var field in image.GetFields())
            {
                if (field.StartsWith("exif-", StringComparison.Ordinal) || field.StartsWith("iptc-", StringComparison.Ordinal)
                    || field.StartsWith("xmp-", StringComparison.Ordinal) || field is "icc-profile-data" or "orientation" or "gainmap-data" or "gif-comment" or "png-comment-0-Comment"
                    || field.StartsWith("png-comment-", StringComparison.Ordinal) || field.StartsWith("heif-", StringComparison.Ordinal) || field.StartsWith("jpeg-", StringComparison.Ordinal))
                {
                    m.Remove(field);
                }
            }

            if (rights.Copyright is not null || rights.Credit is not null)
            {
                m.Set(GValue.BlobType, "xmp-data", Xmp(rights));
            }
        });

    /// <summary>An XMP packet with Dublin Core <c>rights</c> and <c>creator</c>.</summary>
    internal static byte[] Xmp(RenditionRights rights)
    {
        var body = "";
        if (rights.Copyright is { } copyright)
        {
            body += $"<dc:rights><rdf:Alt><rdf:li xml:lang=\"x-default\">{SecurityElement.Escape(copyright)}</rdf:li></rdf:Alt></dc:rights>";
        }

        if (rights.Credit is { } credit)
        {
            body += $"<dc:creator><rdf:Seq><rdf:li>{SecurityElement.Escape(credit)}</rdf:li></rdf:Seq></dc:creator>";
        }

        return System.Text.Encoding.UTF8.GetBytes(
            "<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?><x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">"
            + $"<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">{body}</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>");
    }

    private static double[] Colour(string hex) =>
    [
        Convert.ToInt32(hex.Substring(1, 2), 16),
        Convert.ToInt32(hex.Substring(3, 2), 16),
        Convert.ToInt32(hex.Substring(5, 2), 16),
    ];
}
