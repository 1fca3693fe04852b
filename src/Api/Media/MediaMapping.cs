namespace Api.Media;

/// <summary>Media rows to what the API answers: the one place that happens.</summary>
public sealed class MediaMapping(MediaUrls urls, Microsoft.Extensions.Options.IOptions<MediaOptions> options)
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
        Renditions(row.Id, row.Sha256, row.FocalX, row.FocalY, row.Width, row.Height));

    /// <summary>The rendition URLs of a photo: WebP at each allowed width up to its own (or its own width alone when it is narrower), and a JPEG for <c>src</c>.</summary>
    public ImageRenditions Renditions(long id, byte[] sha256, double focalX, double focalY, int width, int height)
    {
        var token = urls.Token(id, sha256, focalX, focalY);
        var widths = options.Value.Widths;
        var sizes = widths.Where(w => w <= width).Order().ToList();
        if (sizes.Count == 0)
        {
            sizes.Add(widths.Min());
        }

        RenditionLink Link(int w, string extension)
        {
            var spec = new RenditionSpec(w, null, Fit.Inside, null, 1);
            var geometry = RenditionGeometry.For(spec, width, height, focalX, focalY);
            return new RenditionLink(urls.Absolute(MediaUrls.Path(id, token, spec, extension)), geometry.Width, geometry.Height);
        }

        var srcWidth = sizes.Where(w => w <= 1024).DefaultIfEmpty(sizes[0]).Max();
        return new ImageRenditions(
            Link(srcWidth, RenditionFormat.Jpeg.Extension).Url,
            sizes.Select(w => Link(w, RenditionFormat.WebP.Extension)).ToList(),
            urls.Absolute($"/media/{id.ToString(System.Globalization.CultureInfo.InvariantCulture)}/{token}/{{spec}}.{{format}}"));
    }

    /// <summary>What editors wrote, as a request (the baseline a merge patch applies to).</summary>
    public static MediumWriteRequest ToRequest(MediumRow row) => new(
        row.Alt, row.Caption, row.Credit, row.Copyright, row.Source, new FocalPoint(Math.Round(row.FocalX, 4), Math.Round(row.FocalY, 4)),
        row.TakenAt is { } taken ? new DateTimeOffset(DateTime.SpecifyKind(taken, DateTimeKind.Utc)) : null);

    /// <summary>A medium's ETags start with its version (for If-Match).</summary>
    public static string ETagPrefix(int version) => version.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-";
}
