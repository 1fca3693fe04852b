using System.Buffers.Binary;
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
    /// <summary>
    /// A JPEG that declares <paramref name="width"/> x <paramref name="height"/> pixels in its frame
    /// header (SOF) but carries the scan of an 8 x 8 picture.
    /// </summary>
    public static byte[] JpegDeclaring(ushort width, ushort height)
    {
        var jpeg = Jpeg(8, 8);
        foreach (var (marker, start, _) in JpegSegments(jpeg))
        {
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                // FF Cn, length (2), precision (1), height (2), width (2)
                BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(start + 5), height);
                BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(start + 7), width);
                return jpeg;
            }
        }

        throw new InvalidOperationException("The JPEG has no frame header.");
    }

    /// <summary>
    /// A GIF whose logical screen and first image both declare <paramref name="width"/> x
    /// <paramref name="height"/> pixels, with the few bytes of LZW data of an 8 x 8 picture.
    /// </summary>
    public static byte[] GifDeclaring(ushort width, ushort height)
    {
        var gif = Gif(8, 8);
        BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(6), width);
        BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(8), height);
        var descriptor = GifBlocks(gif).First(b => gif[b.Start] == 0x2C).Start;
        // 2C, left (2), top (2), width (2), height (2)
        BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(descriptor + 5), width);
        BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(descriptor + 7), height);
        return gif;
    }

    /// <summary>
    /// A lossless WebP (VP8L) whose bitstream header declares <paramref name="width"/> x
    /// <paramref name="height"/> pixels (at most 16,384 a side, all VP8L can say) over the data of an 8 x 8 picture.
    /// </summary>
    public static byte[] WebPDeclaring(int width, int height)
    {
        using var image = Picture(8, 8);
        var webp = image.WebpsaveBuffer(lossless: true, keep: Enums.ForeignKeep.None);
        if (!webp.AsSpan(12, 4).SequenceEqual("VP8L"u8) || webp[20] != 0x2F)
        {
            throw new InvalidOperationException("Expected a simple lossless WebP.");
        }

        // After the 0x2F signature: 14 bits width - 1, 14 bits height - 1, alpha (1), version (3), little-endian.
        var bits = BinaryPrimitives.ReadUInt32LittleEndian(webp.AsSpan(21));
        bits = (bits & 0xF000_0000u) | (uint)(height - 1) << 14 | (uint)(width - 1);
        BinaryPrimitives.WriteUInt32LittleEndian(webp.AsSpan(21), bits);
        return webp;
    }

    /// <summary>The segments of a JPEG up to its scan: marker, offset of the FF, and length including the marker.</summary>
    public static IEnumerable<(byte Marker, int Start, int Length)> JpegSegments(byte[] jpeg)
    {
        var at = 2;
        while (at + 4 <= jpeg.Length && jpeg[at] == 0xFF)
        {
            var marker = jpeg[at + 1];
            var length = 2 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(at + 2));
            yield return (marker, at, length);
            if (marker == 0xDA)
            {
                yield break;
            }

            at += length;
        }
    }

    /// <summary>
    /// The blocks of a GIF after its header and colour table: extensions (21), images (2C, with their
    /// colour table and data) and the trailer (3B), as offsets and lengths.
    /// </summary>
    public static List<(int Start, int Length)> GifBlocks(byte[] gif)
    {
        var blocks = new List<(int, int)>();
        var at = 13 + ((gif[10] & 0x80) != 0 ? 3 << ((gif[10] & 7) + 1) : 0);
        while (at < gif.Length)
        {
            var start = at;
            switch (gif[at])
            {
                case 0x21:
                    at += 2;
                    break;
                case 0x2C:
                    var flags = gif[at + 9];
                    at += 10 + ((flags & 0x80) != 0 ? 3 << ((flags & 7) + 1) : 0) + 1;
                    break;
                case 0x3B:
                    blocks.Add((start, 1));
                    return blocks;
                default:
                    return blocks;
            }

            // Sub-blocks, each a length byte and that many bytes, ended by a zero length.
            while (at < gif.Length && gif[at] != 0)
            {
                at += 1 + gif[at];
            }

            at = Math.Min(at + 1, gif.Length);
            blocks.Add((start, at - start));
        }

        return blocks;
    }

    /// <summary>
    /// An EXIF APP1 payload (<c>Exif\0\0</c> and a little-endian TIFF structure) written by hand: IFD0
    /// with <c>Make</c> and a pointer to a GPS IFD that holds a latitude and a longitude (degrees,
    /// minutes, seconds as rationals, with their N/S and E/W references).
    /// </summary>
    public static byte[] ExifWithGps(string make, double latitude, double longitude)
    {
        var tiff = new List<byte>();
        void U16(int value) => tiff.AddRange([(byte)value, (byte)(value >> 8)]);
        void U32(long value) => tiff.AddRange([(byte)value, (byte)(value >> 8), (byte)(value >> 16), (byte)(value >> 24)]);
        void Entry(int tag, int type, int count, long valueOrOffset)
        {
            U16(tag);
            U16(type);
            U32(count);
            U32(valueOrOffset);
        }

        const int ascii = 2, longType = 4, rational = 5, byteType = 1;
        var makeBytes = Encoding.ASCII.GetBytes(make + "\0");
        tiff.AddRange("II"u8.ToArray());
        U16(42);
        U32(8);

        // IFD0 at 8: Make, GPS IFD pointer; then the Make text; then the GPS IFD.
        const int ifd0 = 8;
        var makeAt = ifd0 + 2 + 2 * 12 + 4;
        var gpsAt = makeAt + makeBytes.Length + makeBytes.Length % 2;
        U16(2);
        Entry(0x010F, ascii, makeBytes.Length, makeAt);
        Entry(0x8825, longType, 1, gpsAt);
        U32(0);
        tiff.AddRange(makeBytes);
        if (makeBytes.Length % 2 == 1)
        {
            tiff.Add(0);
        }

        var latitudeAt = gpsAt + 2 + 5 * 12 + 4;
        var longitudeAt = latitudeAt + 24;
        U16(5);
        Entry(0x0000, byteType, 4, 0x0000_0302); // GPSVersionID 2.3.0.0
        Entry(0x0001, ascii, 2, latitude >= 0 ? 'N' : 'S');
        Entry(0x0002, rational, 3, latitudeAt);
        Entry(0x0003, ascii, 2, longitude >= 0 ? 'E' : 'W');
        Entry(0x0004, rational, 3, longitudeAt);
        U32(0);
        foreach (var angle in new[] { Math.Abs(latitude), Math.Abs(longitude) })
        {
            var degrees = (int)angle;
            var minutes = (int)((angle - degrees) * 60);
            var centiseconds = (long)Math.Round(((angle - degrees) * 60 - minutes) * 6000);
            U32(degrees);
            U32(1);
            U32(minutes);
            U32(1);
            U32(centiseconds);
            U32(100);
        }

        return [.. "Exif\0\0"u8, .. tiff];
    }

    /// <summary>The JPEG with an extra segment (marker <c>FF <paramref name="marker"/></c>) after its JFIF header, or after SOI when it has none.</summary>
    public static byte[] WithJpegSegment(byte[] jpeg, byte marker, byte[] payload)
    {
        var after = JpegSegments(jpeg).FirstOrDefault(s => s.Marker == 0xE0) is { Length: > 0 } jfif ? jfif.Start + jfif.Length : 2;
        var length = payload.Length + 2;
        return [.. jpeg.AsSpan(0, after), 0xFF, marker, (byte)(length >> 8), (byte)length, .. payload, .. jpeg.AsSpan(after)];
    }
}
