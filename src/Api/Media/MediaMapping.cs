namespace Api.Media;

/// <summary>Media rows to what the API answers: the one place that happens.</summary>
public sealed class MediaMapping(MediaUrls urls)
{
    public MediumDto ToDto(MediumRow row) => new(
        row.Id,
        row.Format,
        ImageFormat.Named(row.Format).ContentType,
        row.Width,
        row.Height,
        row.ByteSize,
        Convert.ToHexStringLower(row.Sha256),
        row.DominantColor,
        row.Placeholder,
        row.FileName,
        row.Alt,
        row.Caption,
        row.Credit,
        row.Copyright,
        row.Source,
        new FocalPoint(Math.Round(row.FocalX, 4), Math.Round(row.FocalY, 4)),
        row.TakenAt is { } taken ? new DateTimeOffset(DateTime.SpecifyKind(taken, DateTimeKind.Utc)) : null,
        row.Version,
        new DateTimeOffset(DateTime.SpecifyKind(row.CreatedAt, DateTimeKind.Utc)),
        new DateTimeOffset(DateTime.SpecifyKind(row.UpdatedAt, DateTimeKind.Utc)),
        $"/v1/media/{row.Id}/original",
        urls.Renditions(row.Id, row.Token, row.Width, row.Height));

    /// <summary>What editors wrote, as a request (the baseline a merge patch applies to).</summary>
    public static MediumWriteRequest ToRequest(MediumRow row) => new(
        row.Alt, row.Caption, row.Credit, row.Copyright, row.Source, new FocalPoint(Math.Round(row.FocalX, 4), Math.Round(row.FocalY, 4)),
        row.TakenAt is { } taken ? new DateTimeOffset(DateTime.SpecifyKind(taken, DateTimeKind.Utc)) : null);

    /// <summary>A medium's ETags start with its version (for If-Match).</summary>
    public static string ETagPrefix(int version) => Api.Infrastructure.Preconditions.VersionPrefix(version);
}
