using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace Api.Media;

/// <summary>
/// Rendition URLs: <c>/media/{id}/{token}/{spec}.{format}</c>. The token is a keyed hash of the
/// medium's file and focal point, so a URL changes whenever the picture or its crop does (and may be
/// cached for a year) and nobody can list the library by counting ids. Sizes on the allow-list
/// (<see cref="MediaOptions.Widths"/>, common proportions, default quality) need nothing more; any
/// other needs a signature (<c>?sig=</c>) made with the server's key.
/// </summary>
public sealed class MediaUrls(Secrets secrets, IOptions<MediaOptions> options)
{
    /// <summary>Proportions (width:height) a rendition may have without a signature.</summary>
    public static readonly IReadOnlyList<(int Width, int Height)> Ratios = [(16, 9), (4, 3), (3, 2), (1, 1), (2, 3), (3, 4), (9, 16)];

    public string Token(long id, byte[] sha256, double focalX, double focalY)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{id}:{Convert.ToHexStringLower(sha256)}:{focalX:F4}:{focalY:F4}");
        return Base64Url.EncodeToString(HMACSHA256.HashData(secrets[Secrets.MediaKey], Encoding.UTF8.GetBytes(text)).AsSpan(0, 9));
    }

    public static string Path(long id, string token, RenditionSpec spec, string extension) =>
        string.Create(CultureInfo.InvariantCulture, $"/media/{id}/{token}/{spec}.{extension}");

    /// <summary>The public URL of a rendition path (<see cref="MediaOptions.PublicBaseUrl"/> in front).</summary>
    public string Absolute(string path) => options.Value.PublicBaseUrl.TrimEnd('/') + path;

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

    /// <summary>Whether anyone may ask for <paramref name="spec"/> without a signature.</summary>
    public bool Listed(RenditionSpec spec) =>
        options.Value.Widths.Contains(spec.Width)
        && spec.Quality is null
        && (spec.Height is not { } height || Ratios.Any(r => height == HeightFor(spec.Width, r)));

    /// <summary>The height of a <paramref name="width"/>-wide rendition of proportions <paramref name="ratio"/>.</summary>
    public static int HeightFor(int width, (int Width, int Height) ratio) => Math.Max(1, (int)Math.Round(width * (double)ratio.Height / ratio.Width));
}
