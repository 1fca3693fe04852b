using Api.Infrastructure;
using Api.Keys;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Api.Media;

public static class MediaEndpoints
{
    public const string Tag = "Media";

    public static WebApplicationBuilder AddMedia(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<MediaOptions>()
            .Bind(builder.Configuration.GetSection(MediaOptions.Section))
            .Validate(o => o.MaxUploadBytes > 0, "Media:MaxUploadBytes must be positive")
            .Validate(o => o.MaxPixels > 0, "Media:MaxPixels must be positive")
            .Validate(o => o.MaxConcurrentRenders > 0 && o.MaxQueuedRenders >= 0, "Media:MaxConcurrentRenders must be positive and Media:MaxQueuedRenders not negative")
            .Validate(o => o.RenderTimeoutSeconds > 0, "Media:RenderTimeoutSeconds must be positive")
            .Validate(o => o.RenderThreads is >= 1 and <= 64, "Media:RenderThreads must be from 1 to 64")
            .Validate(o => o.Widths.Length > 0 && o.Widths.All(w => w is > 0 and <= 8192), "Media:Widths must list widths from 1 to 8192")
            .Validate(o => o.InDatabase || Path.IsPathFullyQualified(o.Storage), "Media:Storage must be 'database' or the full path of a folder")
            .ValidateOnStart();
        builder.Services.AddSingleton<MediaStore>();
        builder.Services.AddSingleton<MediaWriter>();
        builder.Services.AddSingleton<MediaIntake>();
        builder.Services.AddSingleton<RenderGate>();
        builder.Services.AddSingleton<DatabaseOriginals>();
        builder.Services.AddSingleton<FolderOriginals>();
        builder.Services.AddSingleton<OriginalStores>();
        builder.Services.AddSingleton<MediaUrls>();
        builder.Services.AddSingleton<RenditionSignatures>();
        builder.Services.AddSingleton<MediaMapping>();
        builder.Services.AddSingleton<MediaSources>();
        builder.Services.AddSingleton<RenditionCache>();
        builder.Services.AddSingleton<ISampleContent, SamplePhoto>();
        Imaging.Configure(builder.Configuration.GetValue<int?>($"{MediaOptions.Section}:{nameof(MediaOptions.RenderThreads)}") ?? new MediaOptions().RenderThreads);
        return builder;
    }

    public static void MapMedia(this WebApplication app)
    {
        app.MapRenditions();
        var limit = app.Services.GetRequiredService<IOptions<MediaOptions>>().Value.MaxUploadBytes;
        var media = app.MapGroup("/v1/media").WithTags(Tag).UsesDatabase().RequireScope(Scopes.ContentWrite);

        media.MapPost("/", Upload)
            .WithName("UploadMedium")
            .WithSummary("Upload a photo to the media library")
            .WithDescription($"""
                The body is the image itself (`Content-Type: image/jpeg`, `image/png`, ... or `application/octet-stream`)
                or `multipart/form-data` with the image as the `file` part and optional text fields `alt`, `caption`,
                `credit`, `copyright` and `source`. The format is decided from the file's bytes: {ImageFormat.Accepted};
                anything else is a 415. Caption, credit, copyright, source and the date taken are read from the file's
                IPTC, XMP or EXIF metadata when the form does not give them. The same file uploaded again answers 200
                with the medium it already is. Limits: `Media:MaxUploadBytes` (413) and `Media:MaxPixels` (422, decided
                from the header before any pixel is decoded).
                """)
            .WithMetadata(new UploadBodyLimit(limit))
            .WithMetadata(new AcceptsFormAttribute(typeof(UploadForm)))
            .Accepts<Stream>("image/jpeg", "image/png", "image/webp", "image/avif", "image/gif", "image/heic", "application/octet-stream")
            .Produces<MediumDto>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        media.MapGet("/", List)
            .WithName("ListMedia")
            .WithSummary("The media library, newest first, with search")
            .WithStrictQuery()
            .WithValidation();

        media.MapGet("/{id}", Get)
            .WithName("GetMedium")
            .WithSummary("One medium")
            .WithValidation()
            .ProducesProblem(StatusCodes.Status404NotFound);

        media.MapGet("/{id}/original", Original)
            .WithName("GetMediumOriginal")
            .WithSummary("The original file, as uploaded")
            .WithDescription("Served with its own media type, `X-Content-Type-Options: nosniff` and a sandboxing Content-Security-Policy. It keeps every metadata field of the file (positions included); renditions do not.")
            .WithValidation()
            .Produces(StatusCodes.Status200OK, typeof(Stream), "image/jpeg", "image/png", "image/webp", "image/avif", "image/gif", "image/heif")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status404NotFound);

        media.MapGet("/{id}/renditions", SignedRendition)
            .WithName("SignRendition")
            .WithSummary("The URL of a rendition of any size, signed so that the public may fetch it")
            .WithDescription("Sizes on the allow-list come back unsigned, as in the medium's `srcset`.")
            .WithStrictQuery()
            .WithValidation()
            .ProducesProblem(StatusCodes.Status404NotFound);

        media.MapPatch("/{id}", Patch)
            .WithName("PatchMedium")
            .WithSummary("Change a medium's alt text, caption, credit, copyright, source, focal point or date taken (JSON merge patch, If-Match required)")
            .Accepts<MediumWriteRequest>(MergePatch.ContentType)
            .WithVersionedWriteResponses()
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        media.MapDelete("/{id}", Delete)
            .WithName("DeleteMedium")
            .WithSummary("Delete a medium and its original (If-Match required)")
            .WithDescription("409 while an article uses it; the problem lists where.")
            .WithVersionedWriteResponses();
    }

    private static async Task<Results<WrittenCreated<MediumDto>, Written<MediumDto>, ValidationProblem, ProblemHttpResult>> Upload(
        HttpContext http, MediaIntake intake, MediaWriter writer, IValidator<MediumWriteRequest> validator, IOptions<MediaOptions> options,
        CancellationToken cancellationToken)
    {
        var (upload, refusal) = await MediaUploads.ReadAsync(http.Request, options.Value.SpoolPath, cancellationToken);
        if (refusal is not null)
        {
            return Problem(refusal);
        }

        using (upload)
        {
            var given = new MediumWriteRequest(
                upload!.Fields.GetValueOrDefault("alt"),
                upload.Fields.GetValueOrDefault("caption"),
                upload.Fields.GetValueOrDefault("credit"),
                upload.Fields.GetValueOrDefault("copyright"),
                upload.Fields.GetValueOrDefault("source"));
            var validation = await validator.ValidateAsync(given, cancellationToken);
            if (!validation.IsValid)
            {
                return WriteAnswers.Invalid(validation.ToDictionary());
            }

            var (image, rejected) = await intake.CheckAsync(upload, cancellationToken);
            if (rejected is not null)
            {
                return Problem(rejected);
            }

            var uploaded = await writer.UploadAsync(upload, image!, given, Scopes.KeyId(http.User), cancellationToken);
            var medium = uploaded.Medium;
            return uploaded.Created
                ? WrittenCreated<MediumDto>.Of(medium, http.Options(), MediaMapping.ETagPrefix(medium.Version), $"/v1/media/{medium.Id}")
                : Written<MediumDto>.Of(medium, http.Options(), MediaMapping.ETagPrefix(medium.Version));
        }
    }

    private static ProblemHttpResult Problem(UploadRefusal refusal) => TypedResults.Problem(statusCode: refusal.Status, detail: refusal.Detail);

    private static async Task<Results<Ok<MediaList>, ValidationProblem>> List(
        [AsParameters] MediaListRequest request, MediaStore store, MediaMapping mapping, Cursors cursors, CancellationToken cancellationToken)
    {
        long? after = null;
        var q = string.IsNullOrWhiteSpace(request.Q) ? null : request.Q.Trim();
        if (request.Cursor is not null)
        {
            if (!cursors.TryDecode(request.Cursor, AppJsonContext.Default.MediaCursor, out var cursor) || cursor!.Q != q)
            {
                return WriteAnswers.Invalid(new Dictionary<string, string[]> { ["cursor"] = ["The cursor is not one this list gave, or was given for another search."] });
            }

            after = cursor.Id;
        }

        var rows = await store.ListAsync(q, after, request.PageSize + 1, cancellationToken);
        var page = rows.Take(request.PageSize).Select(mapping.ToDto).ToList();
        var next = rows.Count > request.PageSize ? cursors.Encode(new MediaCursor(page[^1].Id, q), AppJsonContext.Default.MediaCursor) : null;
        return TypedResults.Ok(new MediaList(page, next));
    }

    private static async Task<Results<CachedJson<MediumDto>, ProblemHttpResult>> Get(
        [AsParameters] IdRoute route, MediaStore store, MediaMapping mapping, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(route.Value, cancellationToken) is not { } row)
        {
            return NotFound(route.Value);
        }

        return HttpCaching.Cached(
            mapping.ToDto(row), [$"medium-{row.Id}"], row.UpdatedAt, new CachePolicy(false, MediaMapping.ETagPrefix(row.Version)));
    }

    private static async Task<IResult> Original(
        [AsParameters] IdRoute route, HttpContext http, MediaStore store, OriginalStores originals, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(route.Value, cancellationToken) is not { } row)
        {
            return NotFound(route.Value);
        }

        var etag = $"\"{Convert.ToHexStringLower(row.Sha256)}\"";
        var response = http.Response;
        response.Headers.ETag = etag;
        response.Headers.CacheControl = "private, no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        if (http.Request.Headers.IfNoneMatch.ToString() is { Length: > 0 } ifNoneMatch
            && EntityTagHeaderValue.TryParseList(ifNoneMatch.Split(','), out var tags)
            && tags.Any(t => t.Tag == etag || t.Tag == "*"))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        var format = ImageFormat.Named(row.Format);
        var name = row.FileName ?? $"medium-{row.Id}.{format.Extension}";
        response.Headers.ContentDisposition = new ContentDispositionHeaderValue("inline") { FileNameStar = name }.ToString();
        response.ContentType = format.ContentType;
        response.ContentLength = row.ByteSize;
        if (HttpCaching.IsHead(http))
        {
            return TypedResults.Empty;
        }

        await originals.Of(row).CopyToAsync(row, response.Body, cancellationToken);
        return TypedResults.Empty;
    }

    private static async Task<Results<Ok<RenditionLink>, ProblemHttpResult>> SignedRendition(
        [AsParameters] SignedRenditionRequest request, MediaStore store, MediaUrls urls, RenditionSignatures signatures, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(request.MediumId, cancellationToken) is not { } row)
        {
            return NotFound(request.MediumId);
        }

        var spec = request.Spec;
        var path = MediaUrls.Path(row.Id, row.Token, spec, request.Format ?? "webp");
        var url = urls.Listed(spec) ? path : path + "?sig=" + signatures.Sign(path);
        var geometry = RenditionGeometry.For(spec, row.Width, row.Height, row.FocalX, row.FocalY);
        return TypedResults.Ok(new RenditionLink(urls.Absolute(url), geometry.CanvasWidth, geometry.CanvasHeight));
    }

    private static Task<Results<Written<MediumDto>, ValidationProblem, ProblemHttpResult>> Patch(
        [AsParameters] IdRoute route, HttpContext http, MediaWriter writer, IValidator<MediumWriteRequest> validator, CancellationToken cancellationToken) =>
        MergePatch.AnswerAsync(
            http,
            validator,
            (expected, change) => writer.UpdateAsync(route.Value, expected, change, cancellationToken),
            medium => MediaMapping.ETagPrefix(medium.Version),
            cancellationToken);

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Delete(
        [AsParameters] IdRoute route, HttpContext http, MediaWriter writer, CancellationToken cancellationToken)
    {
        if (!Preconditions.TryRead(http.Request, out var expected))
        {
            return Preconditions.Required();
        }

        return (await writer.DeleteAsync(route.Value, expected, cancellationToken)).AnswerDeleted();
    }

    private static ProblemHttpResult NotFound(long id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No medium has the id {id}.");
}

/// <summary>The form of a multipart upload (documentation of <c>POST /v1/media</c>).</summary>
/// <param name="File">The image.</param>
/// <param name="Alt">Alternative text.</param>
/// <param name="Caption">Caption.</param>
/// <param name="Credit">Credit.</param>
/// <param name="Copyright">Copyright notice.</param>
/// <param name="Source">Source.</param>
public sealed record UploadForm(IFormFile File, string? Alt, string? Caption, string? Credit, string? Copyright, string? Source);

/// <summary>Endpoint metadata: the largest body the endpoint takes, instead of <c>Limits:MaxRequestBodyBytes</c>.</summary>
public sealed record UploadBodyLimit(long MaxBytes) : IRequestSizeLimitMetadata
{
    public long? MaxRequestBodySize => MaxBytes;
}
