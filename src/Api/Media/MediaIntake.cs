using Microsoft.Extensions.Options;

namespace Api.Media;

/// <summary>An upload that passed every check: its format, what libvips read and what the file says about itself.</summary>
public sealed record CheckedImage(ImageFormat Format, ProbeResult.Image Facts, PhotoMetadata Metadata);

/// <summary>
/// The checks of an upload, in the order that keeps them cheap: empty, then the format from the
/// first bytes (415), then the header's pixel count (422, nothing decoded), then one small decode
/// through the <see cref="RenderGate"/> (422 when it fails, 503 when the instance is busy).
/// </summary>
public sealed class MediaIntake(RenderGate gate, IOptions<MediaOptions> options)
{
    public async Task<(CheckedImage? Image, UploadRefusal? Refusal)> CheckAsync(SpooledUpload upload, CancellationToken cancellationToken)
    {
        if (upload.Length == 0)
        {
            return (null, new UploadRefusal(StatusCodes.Status400BadRequest, "The upload is empty: send the image's bytes."));
        }

        if (ImageFormat.Sniff(upload.Head) is not { } format)
        {
            return (null, new UploadRefusal(
                StatusCodes.Status415UnsupportedMediaType,
                $"The file is not an image this library accepts ({ImageFormat.Accepted}); its type is decided from its bytes, not its name or Content-Type."));
        }

        var maxPixels = options.Value.MaxPixels;
        var result = await gate.RunAsync(token => ImageProbe.Inspect(upload.FilePath, format, maxPixels, token), cancellationToken);
        return result switch
        {
            { State: GateState.Busy } => (null, new UploadRefusal(StatusCodes.Status503ServiceUnavailable, "Too many images are being processed; try again shortly.")),
            { State: GateState.TimedOut } => (null, new UploadRefusal(
                StatusCodes.Status422UnprocessableEntity, $"The image took longer than {options.Value.RenderTimeoutSeconds} s to decode.")),
            { Value: ProbeResult.TooLarge large } => (null, new UploadRefusal(
                StatusCodes.Status422UnprocessableEntity,
                $"The image declares {large.Width} x {large.Height} pixels; at most {maxPixels:N0} pixels are accepted.")),
            { Value: ProbeResult.Undecodable } when format == ImageFormat.Heif => (null, new UploadRefusal(
                StatusCodes.Status415UnsupportedMediaType,
                "HEIC/HEIF photos (HEVC-coded) cannot be decoded by this server's image library, which has no HEVC decoder; export the photo as JPEG, or as AVIF (which is HEIF with AV1 and is accepted).")),
            { Value: ProbeResult.Undecodable bad } => (null, new UploadRefusal(
                StatusCodes.Status422UnprocessableEntity, $"The file starts like a {format.Name.ToUpperInvariant()} image but does not decode as one ({bad.Reason}).")),
            { Value: ProbeResult.Image facts } => (new CheckedImage(format, facts, PhotoMetadata.Read(upload.FilePath)), null),
            _ => throw new InvalidOperationException("Unexpected probe result."),
        };
    }
}
