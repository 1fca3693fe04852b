using System.Globalization;
using MetadataExtractor;
using MetadataExtractor.Formats.Exif;
using MetadataExtractor.Formats.Iptc;
using MetadataExtractor.Formats.Xmp;

namespace Api.Media;

/// <summary>What a photo desk writes into a file: caption, credit, copyright, source and when it was taken.</summary>
public sealed record PhotoMetadata(string? Caption, string? Credit, string? Copyright, string? Source, DateTimeOffset? TakenAt)
{
    public static readonly PhotoMetadata None = new(null, null, null, null, null);

    private const string DublinCore = "http://purl.org/dc/elements/1.1/";
    private const string Photoshop = "http://ns.adobe.com/photoshop/1.0/";

    /// <summary>
    /// Reads IPTC (the press standard), then XMP, then EXIF, the first that has a value winning; the
    /// credit is the photographer (by-line, creator, artist) followed by the agency's credit line when it
    /// says something else ("Jane Doe / Reuters"). Positions (GPS) are never read. A file whose metadata
    /// cannot be parsed has none: the image itself may still be fine.
    /// </summary>
    public static PhotoMetadata Read(string path)
    {
        try
        {
            return ReadAll(ImageMetadataReader.ReadMetadata(path));
        }
        catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException))
        {
            // A parser's error on a stranger's file, whatever its kind, only means the file tells us nothing.
            return None;
        }
    }

    private static PhotoMetadata ReadAll(IReadOnlyList<MetadataExtractor.Directory> directories)
    {

        var iptc = directories.OfType<IptcDirectory>().FirstOrDefault();
        var ifd0 = directories.OfType<ExifIfd0Directory>().FirstOrDefault();
        var exif = directories.OfType<ExifSubIfdDirectory>().FirstOrDefault();
        var xmp = directories.OfType<XmpDirectory>().FirstOrDefault()?.XmpMeta;

        string? Xmp(Func<XmpCore.IXmpMeta, string?> read)
        {
            try
            {
                return xmp is null ? null : read(xmp);
            }
            catch (XmpCore.XmpException)
            {
                return null;
            }
        }

        var caption = First(
            iptc?.GetString(IptcDirectory.TagCaption),
            Xmp(m => m.GetLocalizedText(DublinCore, "description", "", "x-default")?.Value),
            ifd0?.GetString(ExifDirectoryBase.TagImageDescription));
        var byline = First(
            iptc?.GetString(IptcDirectory.TagByLine),
            Xmp(m => m.DoesArrayItemExist(DublinCore, "creator", 1) ? m.GetArrayItem(DublinCore, "creator", 1)?.Value : null),
            ifd0?.GetString(ExifDirectoryBase.TagArtist));
        var creditLine = First(iptc?.GetString(IptcDirectory.TagCredit), Xmp(m => m.GetPropertyString(Photoshop, "Credit")));
        var credit = byline is null ? creditLine
            : creditLine is null || byline.Contains(creditLine, StringComparison.OrdinalIgnoreCase) ? byline
            : $"{byline} / {creditLine}";
        var copyright = First(
            iptc?.GetString(IptcDirectory.TagCopyrightNotice),
            Xmp(m => m.GetLocalizedText(DublinCore, "rights", "", "x-default")?.Value),
            ifd0?.GetString(ExifDirectoryBase.TagCopyright));
        var source = First(iptc?.GetString(IptcDirectory.TagSource), Xmp(m => m.GetPropertyString(Photoshop, "Source")));
        return new PhotoMetadata(
            Clean(caption, MediumLimits.Caption),
            Clean(credit, MediumLimits.Credit),
            Clean(copyright, MediumLimits.Copyright),
            Clean(source, MediumLimits.Source),
            WhenTaken(exif, iptc, Xmp(m => m.GetPropertyString(Photoshop, "DateCreated"))));
    }

    private static DateTimeOffset? WhenTaken(ExifSubIfdDirectory? exif, IptcDirectory? iptc, string? xmpDate)
    {
        if (exif is not null && exif.GetString(ExifDirectoryBase.TagDateTimeOriginal) is { } original
            && DateTime.TryParseExact(original.Trim(), "yyyy:MM:dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            var offset = exif.GetString(ExifDirectoryBase.TagTimeZoneOriginal) is { } zone
                && TimeSpan.TryParseExact(zone.Trim().TrimStart('+'), @"hh\:mm", CultureInfo.InvariantCulture, out var parsed)
                ? (zone.Trim().StartsWith('-') ? -parsed : parsed)
                : TimeSpan.Zero;
            return Plausible(new DateTimeOffset(local, offset));
        }

        if (iptc?.GetString(IptcDirectory.TagDateCreated) is { } date
            && DateTime.TryParseExact(date.Trim(), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            var time = iptc.GetString(IptcDirectory.TagTimeCreated) is { Length: >= 6 } t
                && DateTimeOffset.TryParseExact(t.Trim(), ["HHmmsszzzz", "HHmmss"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var clock)
                ? clock : (DateTimeOffset?)null;
            return Plausible(time is { } c
                ? new DateTimeOffset(day.Year, day.Month, day.Day, c.Hour, c.Minute, c.Second, c.Offset)
                : new DateTimeOffset(day, TimeSpan.Zero));
        }

        return xmpDate is not null && DateTimeOffset.TryParse(xmpDate, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when)
            ? Plausible(when)
            : null;
    }

    private static DateTimeOffset? Plausible(DateTimeOffset value) =>
        value.Year is >= 1826 and <= 9999 ? value.ToUniversalTime() : null;

    private static string? First(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));

    /// <summary>Trimmed, without control characters, cut to <paramref name="max"/> characters; null when nothing is left.</summary>
    private static string? Clean(string? value, int max)
    {
        if (value is null)
        {
            return null;
        }

        var text = new string(value.Where(c => !char.IsControl(c) || c == '\n').ToArray()).Trim();
        if (text.Length > max)
        {
            text = text[..max].TrimEnd();
        }

        return text.Length == 0 ? null : text;
    }
}
