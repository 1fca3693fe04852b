using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace Api.Media;

/// <summary>
/// Rendition URLs: <c>/media/{id}/{token}/{spec}.{format}</c>. The token is random and drawn again
/// whenever the focal point moves, so a URL changes whenever the crop does (and may be cached for a
/// year) and nobody can list the library by counting ids. Sizes on the allow-list
/// (<see cref="MediaOptions.Widths"/>, common proportions, default quality) need nothing more; any
/// other needs a signature (<c>?sig=</c>, see <see cref="RenditionSignatures"/>).
/// </summary>
public sealed class MediaUrls(IOptions<MediaOptions> options)
{
    /// <summary>Proportions (width:height) a rendition may have without a signature.</summary>
    public static readonly IReadOnlyList<(int Width, int Height)> Ratios = [(16, 9), (4, 3), (3, 2), (1, 1), (2, 3), (3, 4), (9, 16)];

    /// <summary>A new token for a medium's URLs: 72 random bits, URL-safe, 12 characters.</summary>
    public static string NewToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(9));

    public static string Path(long id, string token, RenditionSpec spec, string extension) =>
        string.Create(CultureInfo.InvariantCulture, $"/media/{id}/{token}/{spec}.{extension}");

    /// <summary>The public URL of a rendition path (<see cref="MediaOptions.PublicBaseUrl"/> in front).</summary>
    public string Absolute(string path) => options.Value.PublicBaseUrl.TrimEnd('/') + path;

    /// <summary>Whether anyone may ask for <paramref name="spec"/> without a signature.</summary>
    public bool Listed(RenditionSpec spec) =>
        options.Value.Widths.Contains(spec.Width)
        && spec.Quality is null
        && (spec.Height is not { } height || Ratios.Any(r => height == HeightFor(spec.Width, r)));

    /// <summary>
    /// The rendition URLs of a photo: WebP at each allowed width up to its own (or the narrowest allowed
    /// when it is narrower still), and a JPEG about 1,024 pixels wide for <c>src</c>.
    /// </summary>
    public ImageRenditions Renditions(long id, string token, int width, int height)
    {
        var widths = options.Value.Widths;
        var sizes = widths.Where(w => w <= width).Order().ToList();
        if (sizes.Count == 0)
        {
            sizes.Add(widths.Min());
        }

        RenditionLink Link(int w, string extension)
        {
            var spec = new RenditionSpec(w, null, Fit.Inside, null, 1);
            var geometry = RenditionGeometry.For(spec, width, height, 0.5, 0.5);
            return new RenditionLink(Absolute(Path(id, token, spec, extension)), geometry.Width, geometry.Height);
        }

        var srcWidth = sizes.Where(w => w <= 1024).DefaultIfEmpty(sizes[0]).Max();
        return new ImageRenditions(
            Link(srcWidth, RenditionFormat.Jpeg.Extension).Url,
            sizes.Select(w => Link(w, RenditionFormat.WebP.Extension)).ToList(),
            Absolute(string.Create(CultureInfo.InvariantCulture, $"/media/{id}/{token}/") + "{spec}.{format}"));
    }

    /// <summary>The height of a <paramref name="width"/>-wide rendition of proportions <paramref name="ratio"/>.</summary>
    public static int HeightFor(int width, (int Width, int Height) ratio) => Math.Max(1, (int)Math.Round(width * (double)ratio.Height / ratio.Width));
}

/// <summary>Signatures of rendition URLs off the allow-list, keyed with the server's media key.</summary>
public sealed class RenditionSignatures(Secrets secrets)
{
    public string Sign(string path) =>
        Base64Url.EncodeToString(HMACSHA256.HashData(secrets[Secrets.MediaKey], Encoding.UTF8.GetBytes("sig:" + path)).AsSpan(0, 16));

    public bool Verify(string path, string signature)
    {
        Span<byte> given = stackalloc byte[24];
        if (signature.Length > 32 || !Base64Url.TryDecodeFromChars(signature, given, out var written) || written != 16)
        {
            return false;
        }

        var expected = HMACSHA256.HashData(secrets[Secrets.MediaKey], Encoding.UTF8.GetBytes("sig:" + path)).AsSpan(0, 16);
        return CryptographicOperations.FixedTimeEquals(expected, given[..written]);
    }
}
