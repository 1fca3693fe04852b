using System.Collections.Concurrent;
using Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Api.Media;

/// <summary>
/// Media as renders see them, kept in memory while nothing changes: a rendition that is cached costs
/// no query. A change to any medium (heard from the database on every instance) empties it, so a
/// deleted or re-cropped photo stops being served at once.
/// </summary>
public sealed class MediaSources(MediaStore store, ContentCache cache)
{
    private readonly ConcurrentDictionary<long, MediumRow?> _held = new();
    private long _generation = -1;

    public async Task<MediumRow?> GetAsync(long id, CancellationToken cancellationToken)
    {
        var generation = cache.SnapshotGeneration();
        if (generation is { } current && Interlocked.Exchange(ref _generation, current) != current)
        {
            _held.Clear();
        }

        if (generation is not null && _held.TryGetValue(id, out var held))
        {
            return held;
        }

        var source = await store.GetAsync(id, cancellationToken);
        if (generation is { } read && cache.IsCurrent(read) && _held.Count < 100_000)
        {
            _held[id] = source;
        }

        return source;
    }
}

/// <summary>Route of a rendition: <c>/media/{id}/{token}/{spec}.{format}</c>.</summary>
public sealed record RenditionRequest
{
    /// <summary>The medium's id.</summary>
    [FromRoute(Name = "id")]
    public required string Id { get; init; }

    /// <summary>The medium's current token (from its <c>srcset</c> or <c>renditions</c>); it changes with the file and the focal point.</summary>
    [FromRoute(Name = "token")]
    public required string Token { get; init; }

    /// <summary>The size: <c>w{width}[-h{height}][-cover|-contain][-q{quality}][-dpr2|-dpr3]</c>.</summary>
    [FromRoute(Name = "spec")]
    public required string Spec { get; init; }

    /// <summary><c>webp</c>, <c>avif</c>, <c>jpg</c>, <c>png</c>, or <c>auto</c> to choose from <c>Accept</c>.</summary>
    [FromRoute(Name = "format")]
    public required string Format { get; init; }

    /// <summary>Signature of a size that is not on the allow-list, made by the server (<c>GET /v1/media/{id}/renditions</c>).</summary>
    [FromQuery(Name = "sig")]
    public string? Sig { get; init; }

    internal long MediumId => QueryValues.TryParseId(Id, out var id) ? id : 0;
}

public sealed class RenditionRequestValidator : AbstractValidator<RenditionRequest>
{
    public RenditionRequestValidator()
    {
        RuleFor(r => r.Id).Must(id => id.Length <= 19 && QueryValues.TryParseId(id, out _)).WithMessage("'id' must be a positive integer.");
        RuleFor(r => r.Spec).Must(s => RenditionSpec.TryParse(s, out _, out _)).WithMessage(r => RenditionSpec.TryParse(r.Spec, out _, out var error) ? "" : error!);
        RuleFor(r => r.Format).Must(f => f == RenditionFormat.Auto || RenditionFormat.FromExtension(f) is not null)
            .WithMessage("'format' must be one of webp, avif, jpg, png or auto.");
        RuleFor(r => r.Sig).MaximumLength(64);
    }
}

public static class RenditionEndpoints
{
    public const string Immutable = "public, max-age=31536000, immutable";

    public static void MapRenditions(this WebApplication app)
    {
        app.MapGet("/media/{id}/{token}/{spec}.{format}", Get)
            .WithTags(MediaEndpoints.Tag)
            .WithName("GetRendition")
            .WithSummary("A rendition of a photo: resized, cropped around its focal point, in WebP, AVIF, JPEG or PNG")
            .WithDescription("""
                Take these URLs from an article's or a medium's `srcset`; the token in the path changes whenever the
                photo or its focal point does, so an answer may be cached for a year. Sizes on the allow-list
                (`Media:Widths`, proportions 16:9, 4:3, 3:2, 1:1, 2:3, 3:4, 9:16, default quality) need nothing more;
                other sizes need the `sig` the server adds to them. `.auto` picks AVIF, WebP or JPEG from `Accept`
                (and answers `Vary: Accept`). Renditions carry the photo's copyright and credit and no other metadata.
                """)
            .WithStrictQuery()
            .WithValidation()
            .UsesDatabase()
            .Produces(StatusCodes.Status200OK, typeof(Stream), "image/webp", "image/avif", "image/jpeg", "image/png")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> Get(
        [AsParameters] RenditionRequest request,
        HttpContext http,
        MediaSources sources,
        MediaUrls urls,
        RenditionSignatures signatures,
        RenditionCache cache,
        RenderGate gate,
        OriginalStores originals,
        CancellationToken cancellationToken)
    {
        RenditionSpec.TryParse(request.Spec, out var spec, out _);
        var path = $"/media/{request.Id}/{request.Token}/{request.Spec}.{request.Format}";
        if (request.Sig is { } sig ? !signatures.Verify(path, sig) : !urls.Listed(spec))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                detail: request.Sig is null
                    ? "This size is not on the allow-list; ask the API for a signed URL (GET /v1/media/{id}/renditions) or use one of the medium's srcset URLs."
                    : "The signature does not match this URL.");
        }

        if (await sources.GetAsync(request.MediumId, cancellationToken) is not { } medium
            || !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.ASCII.GetBytes(medium.Token), System.Text.Encoding.ASCII.GetBytes(request.Token)))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: "No such rendition: the medium does not exist, or it has changed since this URL was made.");
        }

        var format = request.Format == RenditionFormat.Auto
            ? RenditionFormat.Choose(http.Request.Headers.Accept, transparent: medium.Format is "png" or "webp" or "gif" or "avif" or "heif")
            : RenditionFormat.FromExtension(request.Format)!;
        if (request.Format == RenditionFormat.Auto)
        {
            http.Response.Headers.Vary = "Accept";
        }

        var geometry = RenditionGeometry.For(spec, medium.Width, medium.Height, medium.FocalX, medium.FocalY);
        // The token changes with everything a rendition shows of the medium (its crop, copyright and credit; the file never changes).
        var key = $"{medium.Id}/{medium.Token}/{request.Spec}/{format.Extension}";
        var outcome = GateState.Done;
        var file = await cache.GetOrAddAsync(key, async target =>
        {
            // Made for every request that waits for it, so no one request's cancellation stops it; the gate bounds its time.
            var original = await LocalOriginalAsync(medium, cache, originals, CancellationToken.None);
            var rights = new RenditionRights(medium.Copyright, medium.Credit);
            var rendered = await gate.RunAsync(
                token => RenditionRenderer.Render(original, spec, geometry, format, rights, medium.DominantColor, token), CancellationToken.None);
            outcome = rendered.State;
            if (rendered.State != GateState.Done)
            {
                return false;
            }

            await File.WriteAllBytesAsync(target, rendered.Value!, CancellationToken.None);
            return true;
        });
        if (file is null)
        {
            http.Response.Headers.RetryAfter = "2";
            return TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                detail: outcome == GateState.TimedOut ? "The rendition took too long to make; try again shortly." : "Too many renditions are being made; try again shortly.");
        }

        var response = http.Response;
        response.Headers.ETag = file.ETag;
        response.Headers.CacheControl = Immutable;
        response.Headers["Surrogate-Key"] = $"medium-{medium.Id}";
        response.Headers.XContentTypeOptions = "nosniff";
        if (http.Request.Headers.IfNoneMatch.ToString() is { Length: > 0 } ifNoneMatch
            && ifNoneMatch.Split(',').Any(t => t.Trim() == file.ETag || t.Trim() == "*"))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        response.ContentType = format.ContentType;
        response.ContentLength = file.Length;
        if (!HttpCaching.IsHead(http))
        {
            if (file.Bytes is { } bytes)
            {
                await response.Body.WriteAsync(bytes, cancellationToken);
            }
            else
            {
                await response.SendFileAsync(file.Path, cancellationToken);
            }
        }

        return TypedResults.Empty;
    }

    /// <summary>The original as a local file: in place for folder storage, else a copy from the database kept in the cache.</summary>
    private static async Task<string> LocalOriginalAsync(MediumRow medium, RenditionCache cache, OriginalStores originals, CancellationToken cancellationToken)
    {
        if (originals.Of(medium) is FolderOriginals folder)
        {
            return folder.FileOf(medium);
        }

        var copy = await cache.GetOrAddAsync("original/" + Convert.ToHexStringLower(medium.Sha256), async target =>
        {
            await using var file = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
            await originals.Of(medium).CopyToAsync(medium, file, cancellationToken);
            return true;
        });
        return copy!.Path;
    }
}
