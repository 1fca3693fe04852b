using Api.Infrastructure;
using Dapper;
using Microsoft.Extensions.Options;
using NetVips;
using Npgsql;

namespace Api.Media;

/// <summary>
/// The sample article's lead photo: drawn here (a banner under a sky, 1,600 x 900), then uploaded
/// through the same checks and writer as any upload, so a fresh install shows a medium with its
/// renditions, placeholder and srcset from the first request.
/// </summary>
public sealed class SamplePhoto(MediaIntake intake, MediaWriter writer, NpgsqlDataSource dataSource, IOptions<MediaOptions> options, ILogger<SamplePhoto> logger)
    : ISampleContent
{
    public const string ArticleSlug = "xi-jinping-holds-telephone-talks-with-president-donald-trump-of-the-us";

    public async Task AddAsync(CancellationToken cancellationToken)
    {
        using var bytes = new MemoryStream(Draw());
        using var upload = await MediaUploads.SpoolAsync(bytes, options.Value.SpoolPath, "sample-photo.jpg", new Dictionary<string, string>(), cancellationToken);
        var (image, refusal) = await intake.CheckAsync(upload, cancellationToken);
        if (image is null)
        {
            logger.LogWarning("The sample photo was refused ({Status}: {Detail}); the sample article keeps no image", refusal!.Status, refusal.Detail);
            return;
        }

        var uploaded = await writer.UploadAsync(
            upload,
            image,
            new MediumWriteRequest(
                Alt: "A red banner with gold discs under a blue sky",
                Caption: "Sample photo, drawn by the service for its sample content.",
                Credit: "News API sample content"),
            keyId: null,
            cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE articles SET image_medium_id = @id WHERE slug = @slug AND image_url IS NULL AND image_medium_id IS NULL",
            new { id = uploaded.Medium.Id, slug = ArticleSlug },
            cancellationToken: cancellationToken));
    }

    /// <summary>A JPEG: a sky from deep to pale blue, a red banner across the middle with five gold discs.</summary>
    private static byte[] Draw()
    {
        const int width = 1600, height = 900;
        using var xy = NetVips.Image.Xyz(width, height);
        using var y = xy[1];
        using var fraction = y / (double)height;
        using var red = fraction * 120 + 40;
        using var green = fraction * 110 + 90;
        using var blue = fraction * 40 + 200;
        using var bands = red.Bandjoin(green, blue);
        using var sky = bands.Cast(Enums.BandFormat.Uchar).Copy(interpretation: Enums.Interpretation.Srgb);
        using var banner = NetVips.Image.Black(1000, 300, bands: 3).NewFromImage(200, 30, 40);
        var picture = sky.Insert(banner, 300, 330);
        foreach (var (x, top, radius) in new[] { (420, 420, 60), (540, 370, 22), (580, 420, 22), (580, 480, 22), (540, 530, 22) })
        {
            using var mask = NetVips.Image.Black(radius * 2, radius * 2).Mutate(m => m.DrawCircle([255], radius, radius, radius, fill: true));
            using var gold = NetVips.Image.Black(radius * 2, radius * 2, bands: 3).NewFromImage(250, 210, 40);
            using var disc = gold.Bandjoin(mask);
            var next = picture.Composite2(disc.Copy(interpretation: Enums.Interpretation.Srgb), Enums.BlendMode.Over, x: x - radius, y: top - radius);
            picture.Dispose();
            picture = next;
        }

        using (picture)
        using (var flat = picture.HasAlpha() ? picture.Flatten() : picture.Copy())
        using (var srgb = flat.Cast(Enums.BandFormat.Uchar).Copy(interpretation: Enums.Interpretation.Srgb))
        {
            return srgb.JpegsaveBuffer(q: 88, keep: Enums.ForeignKeep.None);
        }
    }
}
