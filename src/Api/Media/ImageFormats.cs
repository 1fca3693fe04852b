using System.Buffers.Binary;

namespace Api.Media;

/// <summary>An image format the library accepts, as stored (<c>media.format</c>) and served.</summary>
public sealed record ImageFormat(string Name, string ContentType, string Extension)
{
    public static readonly ImageFormat Jpeg = new("jpeg", "image/jpeg", "jpg");
    public static readonly ImageFormat Png = new("png", "image/png", "png");
    public static readonly ImageFormat WebP = new("webp", "image/webp", "webp");
    public static readonly ImageFormat Avif = new("avif", "image/avif", "avif");
    public static readonly ImageFormat Gif = new("gif", "image/gif", "gif");
    public static readonly ImageFormat Heif = new("heif", "image/heif", "heic");

    public static readonly IReadOnlyList<ImageFormat> All = [Jpeg, Png, WebP, Avif, Gif, Heif];

    public static ImageFormat Named(string name) =>
        All.FirstOrDefault(f => f.Name == name) ?? throw new ArgumentException($"Unknown image format '{name}'.", nameof(name));

    /// <summary>Bytes needed to tell every format apart.</summary>
    public const int SniffLength = 64;

    public const string Accepted = "JPEG, PNG, WebP, AVIF, GIF or HEIF/HEIC";

    /// <summary>
    /// The format the file's first bytes declare, whatever it is called or sent as; null for anything
    /// else (SVG, PDF, HTML, executables, text). The decoder then has the last word: a file that starts
    /// like a JPEG but does not decode as one is refused too.
    /// </summary>
    public static ImageFormat? Sniff(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF)
        {
            return Jpeg;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return Png;
        }

        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8))
        {
            return Gif;
        }

        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8))
        {
            return WebP;
        }

        return IsoMediaBrand(head);
    }

    /// <summary>AVIF and HEIF are ISO media files: a <c>ftyp</c> box first, whose brands say which.</summary>
    private static ImageFormat? IsoMediaBrand(ReadOnlySpan<byte> head)
    {
        if (head.Length < 16 || !head[4..8].SequenceEqual("ftyp"u8))
        {
            return null;
        }

        var boxLength = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(head), (uint)head.Length);
        if (boxLength < 16)
        {
            return null;
        }

        var brands = new List<string> { System.Text.Encoding.ASCII.GetString(head[8..12]) };
        for (var at = 16; at + 4 <= boxLength; at += 4)
        {
            brands.Add(System.Text.Encoding.ASCII.GetString(head[at..(at + 4)]));
        }

        if (brands.Contains("avif") || brands.Contains("avis"))
        {
            return Avif;
        }

        string[] heif = ["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"];
        return brands.Any(heif.Contains) ? Heif : null;
    }
}
