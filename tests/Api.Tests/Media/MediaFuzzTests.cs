using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using NetVips;
using Xunit.Abstractions;

namespace Api.Tests.Media;

/// <summary>
/// Thousands of broken images through <c>POST /v1/media</c>: each is stored (and then renders) or
/// refused with a 4xx problem, never a 5xx, a hang or a crash of the server. The mutations are
/// made from small valid files of every format with a fixed seed, so a run is repeatable.
/// </summary>
public sealed class MediaFuzzTests(MediaApiFactory api, ITestOutputHelper output) : IClassFixture<MediaApiFactory>
{
    private const int Seed = 20_260_510;
    private const int Count = 3000;
    private static readonly TimeSpan PerRequest = TimeSpan.FromSeconds(30);
    private static readonly string[] RenditionFormats = ["webp", "jpg", "png", "avif"];

    private sealed record Mutant(int Index, string Description, byte[] Bytes);

    [Fact]
    public async Task Thousands_of_mutated_images_are_stored_and_rendered_or_refused_with_a_4xx_and_never_a_5xx()
    {
        var originals = Originals();
        var random = new Random(Seed);
        var mutants = Enumerable.Range(0, Count).Select(i => Mutate(random, originals, i)).ToList();
        var statuses = new ConcurrentDictionary<int, int>();
        var failures = new ConcurrentQueue<(Mutant Mutant, string What)>();
        var rendered = 0;
        var clock = Stopwatch.StartNew();

        await Parallel.ForEachAsync(mutants, new ParallelOptions { MaxDegreeOfParallelism = 3 }, async (mutant, _) =>
        {
            using var timeout = new CancellationTokenSource(PerRequest);
            try
            {
                var response = await api.Editor.SendAsync(MediaUploadTests.Raw(mutant.Bytes, "application/octet-stream"), timeout.Token);
                var status = (int)response.StatusCode;
                statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                var body = await response.Content.ReadAsStringAsync(timeout.Token);
                if (status is 400 or 413 or 415 or 422)
                {
                    if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                    {
                        failures.Enqueue((mutant, $"{status} without a problem: {body}"));
                    }

                    return;
                }

                if (status is not (200 or 201))
                {
                    failures.Enqueue((mutant, $"upload answered {status}: {body}"));
                    return;
                }

                var medium = JsonDocument.Parse(body).RootElement;
                var first = medium.GetProperty("renditions").GetProperty("srcset")[0];
                var format = RenditionFormats[mutant.Index % RenditionFormats.Length];
                var url = medium.GetProperty("renditions").GetProperty("template").GetString()!
                    .Replace("{spec}", "w160").Replace("{format}", format);
                var rendition = await api.Public.GetAsync(url, timeout.Token);
                var bytes = await rendition.Content.ReadAsByteArrayAsync(timeout.Token);
                if (rendition.StatusCode != HttpStatusCode.OK)
                {
                    failures.Enqueue((mutant, $"stored as {medium.GetProperty("format")} {medium.GetProperty("width")}x{medium.GetProperty("height")}, but {url} answered {(int)rendition.StatusCode}: {System.Text.Encoding.UTF8.GetString(bytes)}"));
                    return;
                }

                using var image = NetVips.Image.NewFromBuffer(bytes);
                if (image.Width != first.GetProperty("width").GetInt32() || image.Height != first.GetProperty("height").GetInt32())
                {
                    failures.Enqueue((mutant, $"{url} is {image.Width}x{image.Height}, the medium says {first.GetProperty("width")}x{first.GetProperty("height")}"));
                    return;
                }

                Interlocked.Increment(ref rendered);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                failures.Enqueue((mutant, $"no answer within {PerRequest.TotalSeconds} s"));
            }
        });

        var summary = $"{Count} mutants in {clock.Elapsed.TotalSeconds:F0} s: "
            + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Value} x {s.Key}")) + $"; {rendered} rendered";
        output.WriteLine(summary);
        if (!failures.IsEmpty)
        {
            var folder = Directory.CreateTempSubdirectory("newsapi-media-fuzz-failures-").FullName;
            foreach (var (mutant, _) in failures)
            {
                File.WriteAllBytes(Path.Combine(folder, $"mutant-{mutant.Index}.bin"), mutant.Bytes);
            }

            Assert.Fail($"{summary}\n{failures.Count} failure(s), inputs kept in {folder}:\n"
                + string.Join("\n", failures.OrderBy(f => f.Mutant.Index).Take(20).Select(f => $"#{f.Mutant.Index} {f.Mutant.Description}: {f.What}")));
        }

        // Both sides were exercised: many mutants still decode, many do not.
        Assert.True(rendered >= Count / 10, summary);
        Assert.True(statuses.GetValueOrDefault(422) >= Count / 10, summary);
        Assert.True(statuses.GetValueOrDefault(415) > 0, summary);
    }

    /// <summary>Small valid files of every accepted format and of their variants (progressive, interlaced, palette, alpha, animated, with metadata).</summary>
    private static List<(string Name, byte[] Bytes)> Originals()
    {
        using var picture = TestImages.Picture(40, 30, markX: 0.3, seed: 77);
        using var square = TestImages.Picture(24, 24, seed: 78);
        using var withAlpha = square.Bandjoin(NetVips.Image.Black(24, 24).NewFromImage(200).Cast(Enums.BandFormat.Uchar));
        using var frames = TestImages.Picture(16, 32, seed: 79);
        using var animation = frames.Mutate(m =>
        {
            m.Set(GValue.GIntType, "page-height", 16);
            m.Set(GValue.ArrayIntType, "delay", new[] { 100, 100 });
        });
        var iptc = TestImages.IptcBlock("Caption", "Li Wei", "Agency", "© Agency", "Archive", "20260301");
        using var described = picture.Mutate(m =>
        {
            m.Set(GValue.GStrType, "exif-ifd0-ImageDescription", "Harbour at dawn");
            m.Set(GValue.GStrType, "exif-ifd0-Artist", "Jane Doe");
            m.Set(GValue.GStrType, "exif-ifd2-DateTimeOriginal", "2026:05:04 07:30:00");
            m.Set(GValue.GIntType, "orientation", 6);
            m.Set(GValue.BlobType, "iptc-data", iptc);
        });

        return
        [
            ("jpeg", TestImages.Jpeg(32, 24, seed: 80)),
            ("jpeg-progressive", picture.JpegsaveBuffer(q: 70, interlace: true, keep: Enums.ForeignKeep.None)),
            ("jpeg-metadata", described.JpegsaveBuffer(q: 80, keep: Enums.ForeignKeep.Exif | Enums.ForeignKeep.Iptc)),
            ("jpeg-gps", TestImages.WithJpegSegment(TestImages.Jpeg(20, 20, seed: 81), 0xE1, TestImages.ExifWithGps("GpsCam", 39.9, 116.4))),
            ("png", TestImages.Png(32, 32, seed: 82)),
            ("png-alpha", withAlpha.PngsaveBuffer(keep: Enums.ForeignKeep.None)),
            ("png-interlaced", picture.PngsaveBuffer(interlace: true, keep: Enums.ForeignKeep.None)),
            ("png-palette", picture.PngsaveBuffer(palette: true, keep: Enums.ForeignKeep.None)),
            ("png-16bit", picture.Colourspace(Enums.Interpretation.Rgb16).PngsaveBuffer(keep: Enums.ForeignKeep.None)),
            ("webp", TestImages.WebP(40, 30, seed: 83)),
            ("webp-lossless-alpha", withAlpha.WebpsaveBuffer(lossless: true, keep: Enums.ForeignKeep.None)),
            ("webp-lossy-alpha", withAlpha.WebpsaveBuffer(q: 60, keep: Enums.ForeignKeep.None)),
            ("gif", TestImages.Gif(32, 24, seed: 84)),
            ("gif-animated", animation.GifsaveBuffer(keep: Enums.ForeignKeep.None)),
            ("avif", TestImages.Avif(32, 24, seed: 85)),
            ("avif-alpha", withAlpha.HeifsaveBuffer(q: 50, compression: Enums.ForeignHeifCompression.Av1, effort: 0, keep: Enums.ForeignKeep.None)),
        ];
    }

    private static Mutant Mutate(Random random, List<(string Name, byte[] Bytes)> originals, int index)
    {
        var (name, original) = originals[random.Next(originals.Count)];
        var bytes = original.ToArray();
        var steps = new List<string>();
        for (var step = 1 + random.Next(3); step > 0 && bytes.Length > 0; step--)
        {
            switch (random.Next(8))
            {
                case 0:
                    var flips = 1 + random.Next(8);
                    for (var i = 0; i < flips; i++)
                    {
                        // Half of the flips in the first bytes, where the headers are.
                        var at = random.Next(2) == 0 ? random.Next(Math.Min(bytes.Length, 64)) : random.Next(bytes.Length);
                        bytes[at] ^= (byte)(1 + random.Next(255));
                    }

                    steps.Add($"flip {flips}");
                    break;
                case 1:
                    var keep = random.Next(bytes.Length);
                    bytes = bytes[..keep];
                    steps.Add($"truncate to {keep}");
                    break;
                case 2:
                {
                    var (start, length) = Pick(random, Segments(random, bytes));
                    bytes = [.. bytes.AsSpan(0, start + length), .. bytes.AsSpan(start, length), .. bytes.AsSpan(start + length)];
                    steps.Add($"duplicate {start}+{length}");
                    break;
                }

                case 3:
                {
                    var (start, length) = Pick(random, Segments(random, bytes));
                    bytes = [.. bytes.AsSpan(0, start), .. bytes.AsSpan(start + length)];
                    steps.Add($"remove {start}+{length}");
                    break;
                }

                case 4:
                    steps.Add(OverwriteSize(random, bytes));
                    break;
                case 5:
                    var (otherName, other) = originals[random.Next(originals.Count)];
                    var cut = random.Next(bytes.Length);
                    var from = random.Next(other.Length);
                    bytes = [.. bytes.AsSpan(0, cut), .. other.AsSpan(from)];
                    steps.Add($"splice {cut} + {otherName}[{from}..]");
                    break;
                case 6:
                    var fill = random.Next(3) switch { 0 => (byte)0x00, 1 => (byte)0xFF, _ => (byte)random.Next(256) };
                    var fillAt = random.Next(bytes.Length);
                    var fillLength = Math.Min(1 + random.Next(64), bytes.Length - fillAt);
                    bytes.AsSpan(fillAt, fillLength).Fill(fill);
                    steps.Add($"fill {fillAt}+{fillLength} with {fill:x2}");
                    break;
                default:
                    var insertAt = random.Next(bytes.Length + 1);
                    var noise = new byte[1 + random.Next(32)];
                    random.NextBytes(noise);
                    bytes = [.. bytes.AsSpan(0, insertAt), .. noise, .. bytes.AsSpan(insertAt)];
                    steps.Add($"insert {noise.Length} at {insertAt}");
                    break;
            }
        }

        return new Mutant(index, $"{name}: {string.Join(", ", steps)}", bytes);
    }

    private static (int Start, int Length) Pick(Random random, List<(int Start, int Length)> segments) => segments[random.Next(segments.Count)];

    /// <summary>The file's structural pieces (PNG chunks, JPEG segments, RIFF chunks, ISO boxes, GIF blocks), or byte ranges of an unknown file.</summary>
    private static List<(int Start, int Length)> Segments(Random random, byte[] bytes)
    {
        var segments = new List<(int, int)>();
        try
        {
            switch (Api.Media.ImageFormat.Sniff(bytes.AsSpan(0, Math.Min(bytes.Length, 64)))?.Name)
            {
                case "png":
                    for (var at = 8; at + 12 <= bytes.Length;)
                    {
                        var length = 12 + (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at)), int.MaxValue - 12);
                        segments.Add((at, Math.Min(length, bytes.Length - at)));
                        if (length > bytes.Length - at)
                        {
                            break;
                        }

                        at += length;
                    }

                    break;
                case "jpeg":
                    foreach (var (_, start, length) in TestImages.JpegSegments(bytes))
                    {
                        segments.Add((start, Math.Min(length, bytes.Length - start)));
                    }

                    break;
                case "webp":
                    for (var at = 12; at + 8 <= bytes.Length;)
                    {
                        var length = 8 + (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 4)), int.MaxValue - 10);
                        length += length % 2;
                        segments.Add((at, Math.Min(length, bytes.Length - at)));
                        if (length > bytes.Length - at)
                        {
                            break;
                        }

                        at += length;
                    }

                    break;
                case "avif" or "heif":
                    Boxes(bytes, 0, bytes.Length, segments, 0);
                    break;
                case "gif":
                    segments.AddRange(TestImages.GifBlocks(bytes).Where(b => b.Start + b.Length <= bytes.Length));
                    break;
            }
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            // A piece ran off the end: what was found so far will do.
        }

        segments.RemoveAll(s => s.Item2 <= 0 || s.Item1 + s.Item2 > bytes.Length);
        if (segments.Count < 2)
        {
            var start = random.Next(bytes.Length);
            segments.Add((start, Math.Min(1 + random.Next(256), bytes.Length - start)));
        }

        return segments;
    }

    /// <summary>ISO media boxes, and the boxes inside the containers an AVIF file has (meta, iprp, ipco, dinf).</summary>
    private static void Boxes(byte[] bytes, int from, int to, List<(int, int)> segments, int depth)
    {
        for (var at = from; at + 8 <= to;)
        {
            var size = (long)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(bytes, at + 4, 4);
            if (size < 8 || at + size > to)
            {
                segments.Add((at, to - at));
                return;
            }

            segments.Add((at, (int)size));
            if (depth < 3 && type is "meta" or "iprp" or "ipco" or "dinf")
            {
                Boxes(bytes, at + (type == "meta" ? 12 : 8), at + (int)size, segments, depth + 1);
            }

            at += (int)size;
        }
    }

    private static readonly uint[] Sizes = [0, 1, 2, 7, 255, 256, 4097, 16383, 30_000, 50_000, 65_535, 0x7FFF_FFFF, 0xFFFF_FFFF];

    /// <summary>Writes another width or height where the format keeps it (PNG IHDR, JPEG SOF, GIF screen and image, WebP VP8/VP8L/VP8X, AVIF ispe).</summary>
    private static string OverwriteSize(Random random, byte[] bytes)
    {
        var value = random.Next(4) == 0 ? (uint)random.Next() : Sizes[random.Next(Sizes.Length)];
        var height = random.Next(2) == 0;
        var what = height ? "height" : "width";
        var head = bytes.AsSpan(0, Math.Min(bytes.Length, 64));
        try
        {
            switch (Api.Media.ImageFormat.Sniff(head)?.Name)
            {
                case "png" when bytes.Length >= 33:
                    BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(height ? 20 : 16), value);
                    // Half the time the checksum is made right again, so that only the size is wrong.
                    var crc = random.Next(2) == 0;
                    if (crc)
                    {
                        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(29), System.IO.Hashing.Crc32.HashToUInt32(bytes.AsSpan(12, 17)));
                    }

                    return $"png {what} {value}{(crc ? " with its CRC" : "")}";
                case "jpeg":
                    foreach (var (marker, start, _) in TestImages.JpegSegments(bytes))
                    {
                        if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC && start + 9 <= bytes.Length)
                        {
                            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(start + (height ? 5 : 7)), (ushort)value);
                            return $"jpeg {what} {(ushort)value}";
                        }
                    }

                    break;
                case "gif" when bytes.Length >= 13:
                    var screen = random.Next(2) == 0;
                    var at = screen ? 6 : TestImages.GifBlocks(bytes).FirstOrDefault(b => bytes[b.Start] == 0x2C).Start + 5;
                    if (at >= 6 && at + 4 <= bytes.Length)
                    {
                        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at + (height ? 2 : 0)), (ushort)value);
                        return $"gif {(screen ? "screen" : "image")} {what} {(ushort)value}";
                    }

                    break;
                case "webp" when bytes.Length >= 30:
                    var chunk = System.Text.Encoding.ASCII.GetString(bytes, 12, 4);
                    switch (chunk)
                    {
                        case "VP8X":
                            var side = (value - 1) & 0xFF_FFFF;
                            var x = height ? 27 : 24;
                            (bytes[x], bytes[x + 1], bytes[x + 2]) = ((byte)side, (byte)(side >> 8), (byte)(side >> 16));
                            return $"webp canvas {what} {side + 1}";
                        case "VP8L":
                            var bits = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(21));
                            var field = (value - 1) & 0x3FFF;
                            bits = height ? (bits & ~(0x3FFFu << 14)) | field << 14 : (bits & ~0x3FFFu) | field;
                            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(21), bits);
                            return $"webp lossless {what} {field + 1}";
                        case "VP8 ":
                            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(height ? 28 : 26), (ushort)(value & 0x3FFF));
                            return $"webp lossy {what} {value & 0x3FFF}";
                    }

                    break;
                case "avif" or "heif":
                    var ispe = bytes.AsSpan().IndexOf("ispe"u8);
                    if (ispe > 0 && ispe + 16 <= bytes.Length)
                    {
                        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(ispe + (height ? 12 : 8)), value);
                        return $"avif ispe {what} {value}";
                    }

                    break;
            }
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            // A field ran off the end of a mutilated file: overwrite something else.
        }

        // No size field found: overwrite four bytes of the header instead.
        var offset = random.Next(Math.Max(1, head.Length - 4));
        if (offset + 4 <= bytes.Length)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(offset), value);
        }

        return $"header bytes {offset} = {value}";
    }
}
