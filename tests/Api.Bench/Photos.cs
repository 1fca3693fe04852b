using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using NetVips;

namespace Api.Bench;

/// <summary>
/// The photos of the media cases, made here with libvips (nothing is downloaded): smooth gradients,
/// blotches of low-frequency noise and a fine grain, so that a JPEG of them weighs what a photo of
/// the same size does (about 4 MiB for 4000 x 3000 at quality 90) and decodes with the same work.
/// Distinct files come from one picture with a different JPEG comment each: other bytes, so another
/// SHA-256 and another medium for the API, the very same pixels and decoding work.
/// </summary>
internal static class Photos
{
    /// <summary>The JPEG quality of the photos rendered from (a camera's or an agency's "fine").</summary>
    public const int PhotoQuality = 90;

    /// <summary>The size of the large upload: 24 megapixels (a current camera), at a quality that makes it about 10 MiB.</summary>
    public const int LargeWidth = 6000;

    public const int LargeHeight = 4000;

    public const int LargeQuality = 93;

    /// <summary>A WIDTH x HEIGHT photo-like JPEG of QUALITY; GRAIN is the sigma of the per-pixel noise.</summary>
    public static byte[] Jpeg(int width, int height, int quality, double grain = 4, int seed = 1)
    {
        using var xyz = NetVips.Image.Xyz(width, height);
        using var x = xyz[0] / (double)width;
        using var y = xyz[1] / (double)height;
        using var red = x * 150 + y * 40 + 40;
        using var green = (1 - x) * 60 + y * 110 + 50;
        using var blue = (1 - y) * 140 + x * 30 + 40;
        using var gradients = red.Bandjoin(green, blue);
        using var blotches = Noise(width, height, 64, 45, seed);
        using var texture = Noise(width, height, 8, 18, seed + 10);
        using var fine = NetVips.Image.Gaussnoise(width, height, sigma: grain, mean: 0, seed: seed + 20);
        using var sum = gradients + blotches + texture + fine;
        using var picture = sum.Cast(Enums.BandFormat.Uchar);
        return picture.JpegsaveBuffer(q: quality, keep: Enums.ForeignKeep.None);
    }

    /// <summary>Three bands of Gaussian noise made at 1/FACTOR of the size and scaled up: smooth, photo-like variation.</summary>
    private static NetVips.Image Noise(int width, int height, int factor, double sigma, int seed)
    {
        var (w, h) = (width / factor + 2, height / factor + 2);
        using var r = NetVips.Image.Gaussnoise(w, h, sigma: sigma, mean: 0, seed: seed);
        using var g = NetVips.Image.Gaussnoise(w, h, sigma: sigma, mean: 0, seed: seed + 1);
        using var b = NetVips.Image.Gaussnoise(w, h, sigma: sigma, mean: 0, seed: seed + 2);
        using var bands = r.Bandjoin(g, b);
        using var large = bands.Resize(factor, kernel: Enums.Kernel.Linear);
        return large.Crop(0, 0, width, height);
    }

    /// <summary>
    /// JPEG with a comment segment (COM) carrying TEXT right after its start-of-image marker: a
    /// distinct file with the same pixels.
    /// </summary>
    public static byte[] WithComment(byte[] jpeg, string text)
    {
        if (jpeg.Length < 2 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
        {
            throw new ArgumentException("not a JPEG", nameof(jpeg));
        }

        var comment = Encoding.ASCII.GetBytes(text);
        var length = comment.Length + 2;
        var result = new byte[jpeg.Length + 2 + length];
        result[0] = 0xFF;
        result[1] = 0xD8;
        result[2] = 0xFF;
        result[3] = 0xFE;
        result[4] = (byte)(length >> 8);
        result[5] = (byte)length;
        comment.CopyTo(result, 6);
        jpeg.AsSpan(2).CopyTo(result.AsSpan(6 + comment.Length));
        return result;
    }

    /// <summary>The width and height an image's header declares (nothing decoded), or null when libvips cannot read it.</summary>
    public static (int Width, int Height)? Size(byte[] image)
    {
        try
        {
            using var header = NetVips.Image.NewFromBuffer(image, access: Enums.Access.Sequential);
            return (header.Width, header.Height);
        }
        catch (VipsException)
        {
            return null;
        }
    }

    /// <summary>The libvips version this program loaded (that of its NetVips.Native package).</summary>
    public static string LoadedLibvips() =>
        string.Join('.', Enumerable.Range(0, 3).Select(i => NetVips.NetVips.Version(i).ToString(CultureInfo.InvariantCulture)));
}

/// <summary>
/// libvips' own command line, the yardstick of media:cold-render: `vips thumbnail` from Debian's
/// libvips-tools, saving WebP with the API's settings (quality 80, effort 4, no metadata).
/// </summary>
internal sealed partial class VipsCli(string version, string? package, string saveOptions)
{
    /// <summary>`vips --version`, e.g. "vips-8.14.1".</summary>
    public string Version => version;

    /// <summary>The Debian package's version, e.g. "8.14.1-3+deb12u3" (null when dpkg does not know it).</summary>
    public string? Package => package;

    /// <summary>The WebP save options, in the syntax of this libvips ("[Q=80,effort=4,strip]" before 8.15, keep=none after).</summary>
    public string SaveOptions => saveOptions;

    /// <summary>What the report calls it.</summary>
    public string Description => $"vips thumbnail ({version}{(package is null ? "" : $", Debian libvips-tools {package}")})";

    /// <summary>Installs libvips-tools when `vips` is missing (as root, with apt-get) and reads its version.</summary>
    public static async Task<VipsCli> PrepareAsync(CancellationToken cancellationToken)
    {
        await DebianPackages.EnsureAsync("vips", "libvips-tools", "the reference of media:cold-render", cancellationToken);
        var run = await Child.CaptureAsync("vips", ["--version"], cancellationToken);
        var version = run.Output.Trim();
        var match = VersionPattern().Match(version);
        if (run.ExitCode != 0 || !match.Success)
        {
            throw new BenchFailure($"'vips --version' does not work (exit status {run.ExitCode}: {(run.Output + run.Error).Trim()}); check the libvips-tools installation");
        }

        var (major, minor) = (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
        // 8.15 replaced the strip option of the savers with keep (strip still works there, deprecated).
        var options = major > 8 || (major == 8 && minor >= 15) ? "[Q=80,effort=4,keep=none]" : "[Q=80,effort=4,strip]";
        return new VipsCli(version, await DebianPackages.VersionAsync("libvips-tools", cancellationToken), options);
    }

    /// <summary>
    /// `vips thumbnail INPUT OUTPUT[options] WIDTH`: the process' wall time from start to exit in ms,
    /// or the reason it failed.
    /// </summary>
    public async Task<(double Ms, string? Failure)> ThumbnailAsync(string input, string output, int width, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var run = await Child.CaptureAsync("vips", ["thumbnail", input, output + saveOptions, width.ToString(CultureInfo.InvariantCulture)], cancellationToken);
        var ms = clock.Elapsed.TotalMilliseconds;
        return run.ExitCode == 0 && File.Exists(output)
            ? (ms, null)
            : (ms, $"vips thumbnail failed (exit status {run.ExitCode}): {(run.Output + run.Error).Trim()}");
    }

    [GeneratedRegex(@"^vips-(\d+)\.(\d+)")]
    private static partial Regex VersionPattern();
}

/// <summary>Debian packages the bench needs, installed with apt-get when it runs as root.</summary>
internal static class DebianPackages
{
    /// <summary>
    /// Makes sure COMMAND is on PATH: installs PACKAGE with apt-get (after apt-get update when the
    /// first try fails) when running as root, else fails with the command that would install it.
    /// WHY says what needs it.
    /// </summary>
    public static async Task EnsureAsync(string command, string package, string why, CancellationToken cancellationToken)
    {
        if (Child.Which(command) is not null)
        {
            return;
        }

        if (!Native.IsRoot)
        {
            throw new BenchFailure($"{command} ({why}) is not installed; install it with:  sudo apt-get install {package}");
        }

        if (Child.Which("apt-get") is null)
        {
            throw new BenchFailure($"{command} ({why}) is not installed and apt-get is not available; install {package}");
        }

        Log.Line($"{command} not found; installing Debian's {package} package...");
        var environment = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        string[] install = ["install", "-y", "--no-install-recommends", package];
        if (await Child.RunAsync("apt-get", install, cancellationToken, environment) != 0)
        {
            await Child.RunAsync("apt-get", ["update"], cancellationToken);
            await Child.RunAsync("apt-get", install, cancellationToken, environment);
        }

        if (Child.Which(command) is null)
        {
            throw new BenchFailure($"could not install {package} with apt-get (see above); {command} ({why}) is still not found");
        }
    }

    /// <summary>The installed version of PACKAGE, or null when dpkg does not know it.</summary>
    public static async Task<string?> VersionAsync(string package, CancellationToken cancellationToken)
    {
        if (Child.Which("dpkg-query") is null)
        {
            return null;
        }

        var run = await Child.CaptureAsync("dpkg-query", ["-W", "-f=${Version}", package], cancellationToken);
        return run.ExitCode == 0 && run.Output.Trim() is { Length: > 0 } version ? version : null;
    }
}
