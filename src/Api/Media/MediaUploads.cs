using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Api.Media;

/// <summary>
/// An upload written to a temporary file as it arrives (hashed on the way, never held in memory),
/// with the form fields that came with it. Disposing deletes the file.
/// </summary>
public sealed class SpooledUpload : IDisposable
{
    public required string FilePath { get; init; }
    public long Length { get; init; }
    public required byte[] Sha256 { get; init; }
    public required byte[] Head { get; init; }
    public string? FileName { get; init; }
    public IReadOnlyDictionary<string, string> Fields { get; init; } = new Dictionary<string, string>();

    public void Dispose() => File.Delete(FilePath);
}

/// <summary>Why an upload request was refused before its image was looked at.</summary>
public sealed record UploadRefusal(int Status, string Detail);

/// <summary>
/// Reads <c>POST /v1/media</c>: the raw image (any <c>image/*</c> type or
/// <c>application/octet-stream</c>; the type sent is not trusted, the bytes decide) or
/// <c>multipart/form-data</c> with one file part and the optional text fields of
/// <see cref="MediumWriteRequest"/>. The body's size is bounded by the endpoint's limit.
/// </summary>
public static class MediaUploads
{
    public static readonly string[] TextFields = ["alt", "caption", "credit", "copyright", "source"];
    private const int MaxFieldBytes = 16 * 1024;

    public static async Task<(SpooledUpload? Upload, UploadRefusal? Refusal)> ReadAsync(HttpRequest request, string spoolFolder, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType) || contentType.MediaType.Value is not { } mediaType)
        {
            return (null, Unsupported());
        }

        if (mediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
            return string.IsNullOrEmpty(boundary) || boundary.Length > 200
                ? (null, new UploadRefusal(StatusCodes.Status400BadRequest, "A multipart/form-data body needs a boundary parameter of at most 200 characters."))
                : await ReadMultipartAsync(request.Body, boundary, spoolFolder, cancellationToken);
        }

        if (mediaType.StartsWith("image/", StringComparison.OrdinalIgnoreCase) || mediaType.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase))
        {
            var fileName = ContentDispositionHeaderValue.TryParse(request.Headers.ContentDisposition.ToString(), out var disposition)
                ? FileNameOf(disposition) : null;
            return (await SpoolAsync(request.Body, spoolFolder, fileName, new Dictionary<string, string>(), cancellationToken), null);
        }

        return (null, Unsupported());
    }

    private static UploadRefusal Unsupported() => new(
        StatusCodes.Status415UnsupportedMediaType,
        $"Send the image's bytes as the body (Content-Type: image/jpeg, image/png, ... or application/octet-stream) or as the 'file' part of multipart/form-data. Accepted: {ImageFormat.Accepted}.");

    private static async Task<(SpooledUpload?, UploadRefusal?)> ReadMultipartAsync(Stream body, string boundary, string spoolFolder, CancellationToken cancellationToken)
    {
        var reader = new MultipartReader(boundary, body) { HeadersLengthLimit = 16 * 1024, HeadersCountLimit = 16 };
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        SpooledUpload? upload = null;
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase) || !disposition.Name.HasValue)
                {
                    return Refuse(upload, "Each part of the form needs Content-Disposition: form-data with a name.");
                }

                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                if (name == "file" || disposition.IsFileDisposition())
                {
                    if (upload is not null)
                    {
                        return Refuse(upload, "Send one image per request: the form has more than one file.");
                    }

                    upload = await SpoolAsync(section.Body, spoolFolder, FileNameOf(disposition), fields, cancellationToken);
                    continue;
                }

                if (!TextFields.Contains(name))
                {
                    return Refuse(upload, $"Unknown form field '{Shorten(name)}'; the form takes 'file' and {string.Join(", ", TextFields.Select(f => $"'{f}'"))}.");
                }

                if (fields.ContainsKey(name))
                {
                    return Refuse(upload, $"The form field '{name}' is given more than once.");
                }

                var value = await ReadTextAsync(section.Body, cancellationToken);
                if (value is null)
                {
                    return Refuse(upload, $"The form field '{name}' is not UTF-8 text of at most {MaxFieldBytes / 1024} KiB.");
                }

                fields[name] = value;
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException && e is not BadHttpRequestException)
        {
            upload?.Dispose();
            throw new BadHttpRequestException("The multipart/form-data body is malformed.", StatusCodes.Status400BadRequest, e);
        }
        catch
        {
            upload?.Dispose();
            throw;
        }

        return upload is null
            ? (null, new UploadRefusal(StatusCodes.Status400BadRequest, "The form has no 'file' part with the image."))
            : (upload, null);
    }

    private static (SpooledUpload?, UploadRefusal?) Refuse(SpooledUpload? upload, string detail)
    {
        upload?.Dispose();
        return (null, new UploadRefusal(StatusCodes.Status400BadRequest, detail));
    }

    private static async Task<string?> ReadTextAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxFieldBytes + 1];
        var read = await body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        if (read > MaxFieldBytes)
        {
            return null;
        }

        try
        {
            return new UTF8Encoding(false, true).GetString(buffer, 0, read);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>Copies <paramref name="source"/> to a new file in <paramref name="folder"/>, hashing it and keeping its first bytes.</summary>
    public static async Task<SpooledUpload> SpoolAsync(
        Stream source, string folder, string? fileName, IReadOnlyDictionary<string, string> fields, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, Guid.NewGuid().ToString("N") + ".upload");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var head = new byte[ImageFormat.SniffLength];
        var headLength = 0;
        long length = 0;
        try
        {
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    if (headLength < head.Length)
                    {
                        var take = Math.Min(read, head.Length - headLength);
                        Array.Copy(buffer, 0, head, headLength, take);
                        headLength += take;
                    }

                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    length += read;
                }
            }

            return new SpooledUpload
            {
                FilePath = path,
                Length = length,
                Sha256 = hash.GetHashAndReset(),
                Head = head[..headLength],
                FileName = fileName,
                Fields = fields,
            };
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>The file name a client gave, without any folder, control characters or more than 255 characters.</summary>
    private static string? FileNameOf(ContentDispositionHeaderValue disposition)
    {
        var raw = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        var name = new string(raw.Replace('\\', '/').Split('/')[^1].Where(c => !char.IsControl(c)).ToArray()).Trim();
        return name.Length == 0 ? null : name.Length > 255 ? name[..255] : name;
    }

    private static string Shorten(string value) => value.Length > 40 ? value[..40] + "…" : value;
}
