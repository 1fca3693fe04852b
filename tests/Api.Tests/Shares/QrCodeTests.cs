using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using ZXing;
using ZXing.Common;

namespace Api.Tests.Shares;

public sealed partial class QrCodeTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string Slug = "xi-jinping-holds-telephone-talks-with-president-donald-trump-of-the-us";
    private const string Tagged = $"https://news.example.com/articles/{Slug}?utm_source=wechat&utm_medium=social&utm_campaign=share";

    private readonly HttpClient _client = api.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    [Theory]
    [InlineData(64)]
    [InlineData(256)]
    [InlineData(300)]
    [InlineData(1024)]
    public async Task Png_decodes_to_the_tagged_canonical_url_and_is_about_size_pixels(int size)
    {
        var response = await _client.GetAsync($"/v1/articles/{Slug}/share/qr.png?size={size}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        var image = PngDecoder.Decode(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(image.Width, image.Height);
        var modules = ModulesOf(await GetSvgAsync(size));
        Assert.Equal(0, image.Width % modules);
        var pixelsPerModule = image.Width / modules;

        // ZXing's finder needs modules of two pixels or more; a one-pixel image is read as a screen shows it, enlarged.
        var decoded = QrDecoder.Decode(pixelsPerModule >= 2 ? image : Enlarge(image, 4));
        Assert.Equal(Tagged, decoded.Text);
        Assert.Equal("M", decoded.ResultMetadata[ResultMetadataType.ERROR_CORRECTION_LEVEL]?.ToString());

        if (size >= modules)
        {
            Assert.InRange(image.Width, size - modules + 1, size);
            Assert.Equal(size / modules, pixelsPerModule);
        }
        else
        {
            Assert.Equal(1, pixelsPerModule);
        }

        // The quiet zone: four light modules on every side.
        var quiet = 4 * pixelsPerModule;
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                if (x < quiet || y < quiet || x >= image.Width - quiet || y >= image.Height - quiet)
                {
                    Assert.True(image.Gray[y * image.Width + x] == 255, $"pixel ({x}, {y}) of the quiet zone is not white");
                }
            }
        }
    }

    [Fact]
    public async Task Svg_is_well_formed_sized_and_decodes_to_the_same_modules_as_the_png()
    {
        var response = await _client.GetAsync($"/v1/articles/{Slug}/share/qr.svg?size=300");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/svg+xml", response.Content.Headers.ContentType?.MediaType);
        var svg = XDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = svg.Root!;
        Assert.Equal(XName.Get("svg", "http://www.w3.org/2000/svg"), root.Name);
        Assert.Equal("300", root.Attribute("width")?.Value);
        Assert.Equal("300", root.Attribute("height")?.Value);

        var scale = 4;
        var raster = SvgRasterizer.Rasterize(svg, scale);
        Assert.Equal(Tagged, QrDecoder.Decode(raster).Text);

        var modules = ModulesOf(svg);
        var png = PngDecoder.Decode(await _client.GetByteArrayAsync($"/v1/articles/{Slug}/share/qr.png?size=300"));
        Assert.Equal(ModuleGrid(png, modules), ModuleGrid(raster, modules));
    }

    [Fact]
    public async Task Size_defaults_to_256()
    {
        var png = await _client.GetByteArrayAsync($"/v1/articles/{Slug}/share/qr.png");
        Assert.Equal(await _client.GetByteArrayAsync($"/v1/articles/{Slug}/share/qr.png?size=256"), png);
        Assert.InRange(PngDecoder.Decode(png).Width, 256 - ModulesOf(await GetSvgAsync(256)) + 1, 256);

        var svg = XDocument.Parse(await _client.GetStringAsync($"/v1/articles/{Slug}/share/qr.svg"));
        Assert.Equal("256", svg.Root!.Attribute("width")?.Value);
    }

    [Theory]
    [InlineData("png")]
    [InlineData("svg")]
    public async Task Images_are_cached_a_day_with_a_strong_etag_and_answer_304(string format)
    {
        var id = (await (await _client.GetAsync($"/v1/articles/{Slug}")).ReadJsonAsync()).GetProperty("id").GetInt64();
        var url = $"/v1/articles/{Slug}/share/qr.{format}?size=200";

        var first = await _client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        Assert.Equal("public, max-age=86400", first.Headers.GetValues("Cache-Control").Single());
        Assert.Equal($"article-{id}", first.Headers.GetValues("Surrogate-Key").Single());

        var again = await _client.GetAsync(url);
        Assert.Equal(etag, again.Headers.ETag);
        Assert.Equal(await first.Content.ReadAsByteArrayAsync(), await again.Content.ReadAsByteArrayAsync());

        using var conditional = new HttpRequestMessage(HttpMethod.Get, url);
        conditional.Headers.IfNoneMatch.Add(etag);
        var notModified = await _client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(etag, notModified.Headers.ETag);
        // RFC 9110 §15.4.5: a 304 carries the 200's Cache-Control (and ETag, Vary...).
        Assert.Equal("public, max-age=86400", notModified.Headers.GetValues("Cache-Control").Single());
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        using var stale = new HttpRequestMessage(HttpMethod.Get, url);
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"something-else\""));
        Assert.Equal(HttpStatusCode.OK, (await _client.SendAsync(stale)).StatusCode);

        var otherSize = await _client.GetAsync($"/v1/articles/{Slug}/share/qr.{format}?size=400");
        Assert.NotEqual(etag, otherSize.Headers.ETag);
    }

    [Fact]
    public async Task Head_sends_the_headers_without_the_image()
    {
        using var head = new HttpRequestMessage(HttpMethod.Head, $"/v1/articles/{Slug}/share/qr.png");
        var response = await _client.SendAsync(head);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Headers.ETag);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("png", "size=63", "size")]
    [InlineData("png", "size=1025", "size")]
    [InlineData("png", "size=abc", "size")]
    [InlineData("png", "size=", "size")]
    [InlineData("png", "size=-100", "size")]
    [InlineData("png", "size=256.0", "size")]
    [InlineData("png", "size=1&size=2", "size")]
    [InlineData("png", "colour=red", "colour")]
    [InlineData("svg", "size=63", "size")]
    [InlineData("svg", "size=1025", "size")]
    [InlineData("svg", "size=abc", "size")]
    [InlineData("svg", "size=", "size")]
    [InlineData("svg", "size=1&size=2", "size")]
    [InlineData("svg", "colour=red", "colour")]
    public async Task Bad_query_is_a_400_naming_the_parameter(string format, string query, string parameter)
    {
        var response = await _client.GetAsync($"/v1/articles/{Slug}/share/qr.{format}?{query}");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorsFor(parameter));
    }

    [Theory]
    [InlineData(64)]
    [InlineData(1024)]
    public async Task Bounds_of_size_are_accepted(int size)
    {
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"/v1/articles/{Slug}/share/qr.png?size={size}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"/v1/articles/{Slug}/share/qr.svg?size={size}")).StatusCode);
    }

    [Theory]
    [InlineData("png")]
    [InlineData("svg")]
    public async Task Legacy_id_redirects_to_the_current_slug_keeping_the_query(string format)
    {
        var response = await _client.GetAsync($"/v1/articles/t1453741/share/qr.{format}?size=300");

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal($"/v1/articles/{Slug}/share/qr.{format}?size=300", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Numeric_id_answers_the_same_image_as_the_slug()
    {
        var id = (await (await _client.GetAsync($"/v1/articles/{Slug}")).ReadJsonAsync()).GetProperty("id").GetInt64();

        var byId = await _client.GetAsync($"/v1/articles/{id}/share/qr.png");

        Assert.Equal(HttpStatusCode.OK, byId.StatusCode);
        Assert.Equal(await _client.GetByteArrayAsync($"/v1/articles/{Slug}/share/qr.png"), await byId.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("png")]
    [InlineData("svg")]
    public async Task Unknown_article_is_a_404_problem(string format)
    {
        await (await _client.GetAsync($"/v1/articles/no-such-article/share/qr.{format}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _client.GetAsync($"/v1/articles/987654321/share/qr.{format}?size=100")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("png", "Bad%20Slug")]
    [InlineData("svg", "Bad%20Slug")]
    [InlineData("png", "99999999999999999999")]
    public async Task Malformed_id_or_slug_is_a_400(string format, string idOrSlug)
    {
        var problem = await (await _client.GetAsync($"/v1/articles/{idOrSlug}/share/qr.{format}")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorsFor("idOrSlug"));
    }

    [Theory]
    [InlineData("/v1/articles/{idOrSlug}/share/qr.png", "GetArticleQrPng", "image/png")]
    [InlineData("/v1/articles/{idOrSlug}/share/qr.svg", "GetArticleQrSvg", "image/svg+xml")]
    public async Task OpenApi_documents_the_endpoints(string path, string operationId, string contentType)
    {
        using var document = JsonDocument.Parse(await _client.GetStringAsync("/swagger/v1/swagger.json"));
        var operation = document.RootElement.GetProperty("paths").GetProperty(path).GetProperty("get");

        Assert.Equal(operationId, operation.GetProperty("operationId").GetString());
        Assert.Equal(new[] { "Share" }, operation.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()));
        var responses = operation.GetProperty("responses");
        Assert.True(responses.GetProperty("200").TryGetProperty("content", out var content) && content.TryGetProperty(contentType, out _),
            $"{operationId} does not document 200 as {contentType}: {responses.GetProperty("200")}");
        foreach (var status in new[] { "301", "304", "400", "404" })
        {
            Assert.True(responses.TryGetProperty(status, out _), $"{operationId} does not document {status}");
        }

        var size = operation.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "size");
        Assert.Equal("query", size.GetProperty("in").GetString());
        var schema = size.GetProperty("schema");
        Assert.Equal("integer", schema.GetProperty("type").GetString());
        Assert.Equal(64, schema.GetProperty("minimum").GetInt32());
        Assert.Equal(1024, schema.GetProperty("maximum").GetInt32());
        Assert.Equal(256, schema.GetProperty("default").GetInt32());
    }

    private async Task<XDocument> GetSvgAsync(int size) =>
        XDocument.Parse(await _client.GetStringAsync($"/v1/articles/{Slug}/share/qr.svg?size={size}"));

    /// <summary>Modules across, quiet zone included: the SVG's view box is one unit per module.</summary>
    private static int ModulesOf(XDocument svg)
    {
        var viewBox = svg.Root!.Attribute("viewBox")!.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("0", viewBox[0]);
        Assert.Equal("0", viewBox[1]);
        Assert.Equal(viewBox[2], viewBox[3]);
        return int.Parse(viewBox[2], CultureInfo.InvariantCulture);
    }

    /// <summary>Dark (true) or light of each module, sampled at its centre.</summary>
    private static bool[] ModuleGrid(GrayImage image, int modules)
    {
        Assert.Equal(0, image.Width % modules);
        var unit = image.Width / modules;
        var grid = new bool[modules * modules];
        for (var row = 0; row < modules; row++)
        {
            for (var column = 0; column < modules; column++)
            {
                grid[row * modules + column] = image.Gray[(row * unit + unit / 2) * image.Width + column * unit + unit / 2] < 128;
            }
        }

        return grid;
    }

    /// <summary>Each pixel made a <paramref name="factor"/> by <paramref name="factor"/> square (nearest neighbour).</summary>
    private static GrayImage Enlarge(GrayImage image, int factor)
    {
        var width = image.Width * factor;
        var height = image.Height * factor;
        var gray = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                gray[y * width + x] = image.Gray[y / factor * image.Width + x / factor];
            }
        }

        return new GrayImage(width, height, gray);
    }

    /// <summary>An 8-bit grayscale image, row by row.</summary>
    private sealed record GrayImage(int Width, int Height, byte[] Gray);

    private static class QrDecoder
    {
        public static Result Decode(GrayImage image)
        {
            var reader = new BarcodeReaderGeneric
            {
                AutoRotate = false,
                Options = new DecodingOptions { PossibleFormats = [BarcodeFormat.QR_CODE], TryHarder = true },
            };
            var result = reader.Decode(new RGBLuminanceSource(image.Gray, image.Width, image.Height, RGBLuminanceSource.BitmapFormat.Gray8));
            Assert.True(result is not null, $"no QR code found in the {image.Width}x{image.Height} image");
            return result;
        }
    }

    /// <summary>
    /// A PNG decoder (RFC 2083 / PNG 1.2) for non-interlaced images of every colour type: chunks and
    /// their CRCs, zlib inflation, the five scanline filters, bit depths 1 to 8 and palettes.
    /// </summary>
    private static class PngDecoder
    {
        private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

        public static GrayImage Decode(byte[] png)
        {
            Assert.True(png.AsSpan(0, 8).SequenceEqual(Signature), "not a PNG signature");
            int width = 0, height = 0, bitDepth = 0, colorType = -1;
            byte[]? palette = null;
            using var compressed = new MemoryStream();
            var offset = 8;
            var ended = false;
            while (!ended)
            {
                var length = checked((int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset)));
                var type = Encoding.ASCII.GetString(png, offset + 4, 4);
                var data = png.AsSpan(offset + 8, length);
                var crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset + 8 + length));
                Assert.True(crc == Crc32(png.AsSpan(offset + 4, 4 + length)), $"bad CRC in the {type} chunk");
                switch (type)
                {
                    case "IHDR":
                        width = checked((int)BinaryPrimitives.ReadUInt32BigEndian(data));
                        height = checked((int)BinaryPrimitives.ReadUInt32BigEndian(data[4..]));
                        bitDepth = data[8];
                        colorType = data[9];
                        Assert.Equal(0, data[10]); // deflate
                        Assert.Equal(0, data[11]); // adaptive filtering
                        Assert.Equal(0, data[12]); // not interlaced
                        break;
                    case "PLTE":
                        palette = data.ToArray();
                        break;
                    case "IDAT":
                        compressed.Write(data);
                        break;
                    case "IEND":
                        ended = true;
                        break;
                }

                offset += 12 + length;
            }

            var channels = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => throw new InvalidDataException($"colour type {colorType}") };
            var bitsPerPixel = channels * bitDepth;
            var stride = (width * bitsPerPixel + 7) / 8;
            var bytesPerPixel = Math.Max(1, bitsPerPixel / 8);

            compressed.Position = 0;
            using var inflater = new ZLibStream(compressed, CompressionMode.Decompress);
            using var raw = new MemoryStream();
            inflater.CopyTo(raw);
            var scanlines = raw.ToArray();
            Assert.Equal(height * (stride + 1), scanlines.Length);

            var previous = new byte[stride];
            var current = new byte[stride];
            var gray = new byte[width * height];
            for (var y = 0; y < height; y++)
            {
                var filter = scanlines[y * (stride + 1)];
                scanlines.AsSpan(y * (stride + 1) + 1, stride).CopyTo(current);
                Unfilter(filter, current, previous, bytesPerPixel);
                for (var x = 0; x < width; x++)
                {
                    gray[y * width + x] = Pixel(current, x, colorType, bitDepth, palette);
                }

                (previous, current) = (current, previous);
            }

            return new GrayImage(width, height, gray);
        }

        private static void Unfilter(byte filter, byte[] line, byte[] previous, int bpp)
        {
            for (var i = 0; i < line.Length; i++)
            {
                int left = i >= bpp ? line[i - bpp] : 0, up = previous[i], upLeft = i >= bpp ? previous[i - bpp] : 0;
                line[i] = (byte)(line[i] + filter switch
                {
                    0 => 0,
                    1 => left,
                    2 => up,
                    3 => (left + up) / 2,
                    4 => Paeth(left, up, upLeft),
                    _ => throw new InvalidDataException($"filter type {filter}"),
                });
            }
        }

        private static int Paeth(int a, int b, int c)
        {
            var p = a + b - c;
            int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
            return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }

        private static byte Pixel(byte[] line, int x, int colorType, int bitDepth, byte[]? palette)
        {
            if (bitDepth < 8)
            {
                var bit = x * bitDepth;
                var sample = (line[bit / 8] >> (8 - bitDepth - bit % 8)) & ((1 << bitDepth) - 1);
                return colorType == 3 ? Luma(palette!, sample * 3) : (byte)(sample * 255 / ((1 << bitDepth) - 1));
            }

            Assert.Equal(8, bitDepth);
            return colorType switch
            {
                0 => line[x],
                3 => Luma(palette!, line[x] * 3),
                4 => line[x * 2],
                2 => Luma(line, x * 3),
                _ => Luma(line, x * 4),
            };
        }

        private static byte Luma(byte[] rgb, int at) => (byte)((rgb[at] * 299 + rgb[at + 1] * 587 + rgb[at + 2] * 114) / 1000);

        private static uint Crc32(ReadOnlySpan<byte> bytes)
        {
            var crc = 0xFFFFFFFFu;
            foreach (var b in bytes)
            {
                crc ^= b;
                for (var k = 0; k < 8; k++)
                {
                    crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
                }
            }

            return crc ^ 0xFFFFFFFFu;
        }
    }

    /// <summary>
    /// Draws an SVG made of filled rectangles (<c>rect</c> elements and paths of axis-aligned
    /// rectangles, as QR codes are) in view-box units, <c>scale</c> pixels per unit.
    /// </summary>
    private static partial class SvgRasterizer
    {
        private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

        public static GrayImage Rasterize(XDocument document, int scale)
        {
            var root = document.Root!;
            var size = ModulesOf(document) * scale;
            var gray = new byte[size * size];
            Array.Fill(gray, (byte)255); // the canvas is transparent; a scanner sees white paper

            foreach (var element in root.Descendants())
            {
                if (element.Name == Svg + "rect")
                {
                    Fill(gray, size, scale, Shade(element),
                        Number(element, "x"), Number(element, "y"),
                        Number(element, "x") + Number(element, "width"), Number(element, "y") + Number(element, "height"));
                }
                else if (element.Name == Svg + "path")
                {
                    var shade = Shade(element);
                    foreach (var (left, top, right, bottom) in Rectangles(element.Attribute("d")!.Value))
                    {
                        Fill(gray, size, scale, shade, left, top, right, bottom);
                    }
                }
                else
                {
                    Assert.Fail($"unexpected SVG element {element.Name.LocalName}");
                }
            }

            return new GrayImage(size, size, gray);
        }

        private static double Number(XElement element, string attribute) =>
            double.Parse(element.Attribute(attribute)?.Value ?? "0", CultureInfo.InvariantCulture);

        private static byte Shade(XElement element) => (element.Attribute("fill")?.Value ?? "#000000").ToLowerInvariant() switch
        {
            "#000000" or "#000" or "black" => 0,
            "#ffffff" or "#fff" or "white" => 255,
            var other => throw new InvalidDataException($"unexpected fill {other}"),
        };

        private static void Fill(byte[] gray, int size, int scale, byte shade, double left, double top, double right, double bottom)
        {
            for (var y = (int)Math.Round(top * scale); y < (int)Math.Round(bottom * scale); y++)
            {
                for (var x = (int)Math.Round(left * scale); x < (int)Math.Round(right * scale); x++)
                {
                    Assert.InRange(x, 0, size - 1);
                    Assert.InRange(y, 0, size - 1);
                    gray[y * size + x] = shade;
                }
            }
        }

        /// <summary>The closed subpaths of <paramref name="d"/> (M, H, V, L and their relative forms, Z), each a rectangle.</summary>
        private static IEnumerable<(double Left, double Top, double Right, double Bottom)> Rectangles(string d)
        {
            var points = new List<(double X, double Y)>();
            double x = 0, y = 0;
            var tokens = PathToken().Matches(d).Select(m => m.Value).ToList();
            for (var i = 0; i < tokens.Count;)
            {
                var command = tokens[i++];
                double Next() => double.Parse(tokens[i++], CultureInfo.InvariantCulture);
                switch (command)
                {
                    case "M": x = Next(); y = Next(); points = [(x, y)]; break;
                    case "m": x += Next(); y += Next(); points = [(x, y)]; break;
                    case "H": x = Next(); points.Add((x, y)); break;
                    case "h": x += Next(); points.Add((x, y)); break;
                    case "V": y = Next(); points.Add((x, y)); break;
                    case "v": y += Next(); points.Add((x, y)); break;
                    case "L": x = Next(); y = Next(); points.Add((x, y)); break;
                    case "l": x += Next(); y += Next(); points.Add((x, y)); break;
                    case "Z" or "z":
                        var corners = points.Distinct().ToList();
                        var xs = corners.Select(p => p.X).Distinct().ToList();
                        var ys = corners.Select(p => p.Y).Distinct().ToList();
                        Assert.True(corners.Count == 4 && xs.Count == 2 && ys.Count == 2, $"subpath is not an axis-aligned rectangle: {string.Join(' ', corners)}");
                        yield return (xs.Min(), ys.Min(), xs.Max(), ys.Max());
                        (x, y) = points[0];
                        break;
                    default:
                        throw new InvalidDataException($"unexpected path command {command}");
                }
            }
        }

        [GeneratedRegex(@"[MmHhVvLlZz]|-?\d+(?:\.\d+)?")]
        private static partial Regex PathToken();
    }
}
