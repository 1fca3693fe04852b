using System.Text;
using NetVips;

namespace Api.Tests.Media;

/// <summary>Real image files made with libvips for the tests: a gradient with a bright square, in any format, with metadata when asked.</summary>
public static class TestImages
{
    /// <summary>
    /// A <paramref name="width"/> x <paramref name="height"/> picture: a dark blue field with a red
    /// square around (<paramref name="markX"/>, <paramref name="markY"/>) (fractions of the size), and a
    /// <paramref name="seed"/> that makes the bytes (and the hash) differ between calls.
    /// </summary>
    public static NetVips.Image Picture(int width, int height, double markX = 0.5, double markY = 0.5, int seed = 0)
    {
        var background = NetVips.Image.Black(width, height, bands: 3).NewFromImage(20, 40 + seed / 100 % 100, 120 + seed % 100);
        var side = Math.Max(2, Math.Min(width, height) / 10);
        var square = NetVips.Image.Black(side, side, bands: 3).NewFromImage(230, 20, 20);
        var x = Math.Clamp((int)(markX * width) - side / 2, 0, width - side);
        var y = Math.Clamp((int)(markY * height) - side / 2, 0, height - side);
        // A thin grey line whose place depends on the seed: every seed gives different pixels.
        var line = NetVips.Image.Black(1, Math.Max(1, height / 4), bands: 3).NewFromImage(90, 90, 90);
        return background.Insert(square, x, y).Insert(line, seed * 7 % width, seed / width % Math.Max(1, height - line.Height)).Cast(Enums.BandFormat.Uchar);
    }

    public static byte[] Jpeg(
        int width = 64, int height = 48, int seed = 0, Func<NetVips.Image, NetVips.Image>? change = null, Enums.ForeignKeep keep = Enums.ForeignKeep.None,
        double markX = 0.5, double markY = 0.5)
    {
        using var image = Picture(width, height, markX, markY, seed);
        using var changed = change?.Invoke(image) ?? image.Copy();
        return changed.JpegsaveBuffer(q: 85, keep: keep);
    }

    public static byte[] Png(int width = 64, int height = 48, int seed = 0)
    {
        using var image = Picture(width, height, seed: seed);
        return image.PngsaveBuffer(keep: Enums.ForeignKeep.None);
    }

    public static byte[] WebP(int width = 64, int height = 48, int seed = 0)
    {
        using var image = Picture(width, height, seed: seed);
        return image.WebpsaveBuffer(q: 80, keep: Enums.ForeignKeep.None);
    }

    public static byte[] Gif(int width = 64, int height = 48, int seed = 0)
    {
        using var image = Picture(width, height, seed: seed);
        return image.GifsaveBuffer(keep: Enums.ForeignKeep.None);
    }

    public static byte[] Avif(int width = 64, int height = 48, int seed = 0)
    {
        using var image = Picture(width, height, seed: seed);
        return image.HeifsaveBuffer(q: 60, compression: Enums.ForeignHeifCompression.Av1, effort: 0, keep: Enums.ForeignKeep.None);
    }

    /// <summary>
    /// A PNG that declares <paramref name="width"/> x <paramref name="height"/> pixels in its header but
    /// carries almost no data (a decompression bomb's header): its CRCs are right, so only the size is wrong.
    /// </summary>
    public static byte[] PngDeclaring(uint width, uint height)
    {
        var png = Png(8, 8);
        // IHDR is the first chunk: 8-byte signature, length (4), "IHDR" (4), width (4), height (4) ...
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16), width);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(20), height);
        var crc = System.IO.Hashing.Crc32.HashToUInt32(png.AsSpan(12, 17));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), crc);
        return png;
    }

    /// <summary>
    /// An APP13 (Photoshop) block with IPTC records, as a JPEG carries them: caption (2:120), by-line
    /// (2:80), credit (2:110), copyright (2:116), source (2:115), date created (2:55).
    /// </summary>
    public static byte[] IptcBlock(string caption, string byline, string credit, string copyright, string source, string dateCreated)
    {
        var records = new MemoryStream();
        void Record(byte dataset, string value)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            records.Write([0x1C, 2, dataset, (byte)(bytes.Length >> 8), (byte)bytes.Length]);
            records.Write(bytes);
        }

        records.Write([0x1C, 1, 90, 0, 3, 0x1B, 0x25, 0x47]); // 1:90 coded character set: UTF-8
        Record(120, caption);
        Record(80, byline);
        Record(110, credit);
        Record(116, copyright);
        Record(115, source);
        Record(55, dateCreated);
        var iptc = records.ToArray();
        var block = new MemoryStream();
        block.Write("Photoshop 3.0\0"u8);
        block.Write("8BIM"u8);
        block.Write([0x04, 0x04, 0, 0]);
        block.Write([(byte)(iptc.Length >> 24), (byte)(iptc.Length >> 16), (byte)(iptc.Length >> 8), (byte)iptc.Length]);
        block.Write(iptc);
        if (iptc.Length % 2 == 1)
        {
            block.WriteByte(0);
        }

        return block.ToArray();
    }
}
