using System.Globalization;
using System.Text.RegularExpressions;

namespace Api.Media;

/// <summary>How a rendition fills its box.</summary>
public enum Fit
{
    /// <summary>Scaled to fit inside the box, keeping its proportions (the default).</summary>
    Inside,

    /// <summary>Scaled to fill the box and cropped around the focal point.</summary>
    Cover,

    /// <summary>Scaled to fit inside the box and padded to exactly its size.</summary>
    Contain,
}

/// <summary>
/// A rendition as its URL names it: <c>w{width}[-h{height}][-{fit}][-q{quality}][-dpr{2|3}]</c>, in that
/// order and with no default written out (<c>-inside</c>, <c>-dpr1</c>), so one rendition has one URL.
/// </summary>
public sealed partial record RenditionSpec(int Width, int? Height, Fit Fit, int? Quality, int Dpr)
{
    public const int MaxSide = 8192;
    public const string Grammar = "w{width}[-h{height}][-cover|-contain][-q{1..100}][-dpr2|-dpr3], e.g. w800, w1200-h675-cover, w400-h400-cover-dpr2";

    /// <summary>Pixels wide and high the box is (the sizes times the device pixel ratio).</summary>
    public int BoxWidth => Width * Dpr;

    public int? BoxHeight => Height * Dpr;

    [GeneratedRegex(@"^w(?<w>[1-9][0-9]{0,3})(-h(?<h>[1-9][0-9]{0,3}))?(-(?<fit>cover|contain))?(-q(?<q>[1-9][0-9]?|100))?(-dpr(?<dpr>[23]))?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool TryParse(string text, out RenditionSpec spec, out string? error)
    {
        spec = null!;
        error = null;
        var match = Pattern().Match(text);
        if (!match.Success)
        {
            error = $"'{(text.Length > 60 ? text[..60] + "…" : text)}' is not a rendition; write it as {Grammar}.";
            return false;
        }

        var width = int.Parse(match.Groups["w"].Value, CultureInfo.InvariantCulture);
        int? height = match.Groups["h"].Success ? int.Parse(match.Groups["h"].Value, CultureInfo.InvariantCulture) : null;
        var fit = match.Groups["fit"].Value switch { "cover" => Fit.Cover, "contain" => Fit.Contain, _ => Fit.Inside };
        int? quality = match.Groups["q"].Success ? int.Parse(match.Groups["q"].Value, CultureInfo.InvariantCulture) : null;
        var dpr = match.Groups["dpr"].Success ? int.Parse(match.Groups["dpr"].Value, CultureInfo.InvariantCulture) : 1;
        if (fit != Fit.Inside && height is null)
        {
            error = "'cover' and 'contain' need a height (-h…).";
            return false;
        }

        if (width * dpr > MaxSide || height * dpr > MaxSide)
        {
            error = $"A rendition is at most {MaxSide} pixels a side, device pixel ratio included.";
            return false;
        }

        spec = new RenditionSpec(width, height, fit, quality, dpr);
        return true;
    }

    public override string ToString()
    {
        var text = "w" + Width.ToString(CultureInfo.InvariantCulture);
        if (Height is { } h)
        {
            text += "-h" + h.ToString(CultureInfo.InvariantCulture);
        }

        if (Fit != Fit.Inside)
        {
            text += Fit == Fit.Cover ? "-cover" : "-contain";
        }

        if (Quality is { } q)
        {
            text += "-q" + q.ToString(CultureInfo.InvariantCulture);
        }

        if (Dpr != 1)
        {
            text += "-dpr" + Dpr.ToString(CultureInfo.InvariantCulture);
        }

        return text;
    }
}

/// <summary>
/// Where a rendition's pixels come from: the size the whole image is scaled to, and the part of that
/// kept (for cover, the box around the focal point; otherwise all of it), then padded to the box for
/// contain. Never larger than the original: a box bigger than the image shrinks, keeping its proportions.
/// </summary>
public readonly record struct RenditionGeometry(int ScaledWidth, int ScaledHeight, int Left, int Top, int Width, int Height, int CanvasWidth, int CanvasHeight)
{
    public static RenditionGeometry For(RenditionSpec spec, int imageWidth, int imageHeight, double focalX, double focalY)
    {
        double w = imageWidth, h = imageHeight;
        if (spec.BoxHeight is not { } boxHeight)
        {
            // A very tall image keeps its height within MaxSide too (encoders refuse more: WebP past 16,383).
            var scale = Math.Min(1, Math.Min(spec.BoxWidth / w, RenditionSpec.MaxSide / h));
            var (sw, sh) = (Side(w * scale), Side(h * scale));
            return new RenditionGeometry(sw, sh, 0, 0, sw, sh, sw, sh);
        }

        double bw = spec.BoxWidth, bh = boxHeight;
        if (spec.Fit == Fit.Cover)
        {
            var shrink = Math.Min(1, Math.Min(w / bw, h / bh));
            var (cw, ch) = (Side(bw * shrink), Side(bh * shrink));
            var scale = Math.Max(cw / w, ch / h);
            var (sw, sh) = (Math.Max(cw, Side(w * scale)), Math.Max(ch, Side(h * scale)));
            var left = Math.Clamp((int)Math.Round(focalX * sw - cw / 2.0), 0, sw - cw);
            var top = Math.Clamp((int)Math.Round(focalY * sh - ch / 2.0), 0, sh - ch);
            return new RenditionGeometry(sw, sh, left, top, cw, ch, cw, ch);
        }

        var fit = Math.Min(bw / w, bh / h);
        var (fw, fh) = fit >= 1 ? (imageWidth, imageHeight) : (Side(w * fit), Side(h * fit));
        if (spec.Fit == Fit.Inside)
        {
            return new RenditionGeometry(fw, fh, 0, 0, fw, fh, fw, fh);
        }

        // Contain: the box, or when the image is smaller than the box, the smallest box of the same proportions around it.
        var k = fit >= 1 ? Math.Max(w / bw, h / bh) : 1;
        var (canvasWidth, canvasHeight) = (Math.Max(fw, Side(bw * k)), Math.Max(fh, Side(bh * k)));
        return new RenditionGeometry(fw, fh, 0, 0, fw, fh, canvasWidth, canvasHeight);
    }

    private static int Side(double value) => Math.Max(1, (int)Math.Round(value));
}
