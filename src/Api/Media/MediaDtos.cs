using System.ComponentModel;
using Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;

namespace Api.Media;

/// <summary>A photo in the media library, as editors see it.</summary>
/// <param name="Id">Numeric id.</param>
/// <param name="Format">The file's format, decided from its bytes: <c>jpeg</c>, <c>png</c>, <c>webp</c>, <c>avif</c>, <c>gif</c> or <c>heif</c>.</param>
/// <param name="ContentType">The original file's media type.</param>
/// <param name="Width">Width in pixels as displayed (EXIF orientation applied).</param>
/// <param name="Height">Height in pixels as displayed.</param>
/// <param name="Bytes">Size of the original file.</param>
/// <param name="Sha256">SHA-256 of the original file, hex; the same file uploaded again is this medium.</param>
/// <param name="DominantColor">The colour most of the picture is close to (<c>#rrggbb</c>), for a background while it loads.</param>
/// <param name="Placeholder">A tiny blurred version (a WebP <c>data:</c> URI of at most 16 pixels a side) to show while it loads.</param>
/// <param name="FileName">The name the file was uploaded with, when it had one.</param>
/// <param name="Alt">Alternative text for readers who cannot see the image; required before a published article may use it.</param>
/// <param name="Caption">Caption; prefilled from the file's IPTC, XMP or EXIF description.</param>
/// <param name="Credit">Who to credit ("Jane Doe / Reuters"); prefilled from the by-line, creator or artist and the credit line.</param>
/// <param name="Copyright">Copyright notice; prefilled from the file. Renditions carry it (and the credit) and no other metadata.</param>
/// <param name="Source">Where the photo came from (agency, archive).</param>
/// <param name="FocalPoint">The point crops keep in frame, as fractions of the width and height from the top left.</param>
/// <param name="TakenAt">When the photo was taken, from the file when it says so.</param>
/// <param name="Version">Increments on every change; the ETag starts with it.</param>
/// <param name="CreatedAt">When it was uploaded.</param>
/// <param name="UpdatedAt">When it last changed.</param>
/// <param name="OriginalUrl">The original file, for keys with <c>content:write</c> (it may hold positions and other metadata that renditions drop).</param>
/// <param name="Renditions">Ready-made rendition URLs for <c>&lt;img src srcset&gt;</c>.</param>
public sealed record MediumDto(
    long Id,
    string Format,
    string ContentType,
    int Width,
    int Height,
    long Bytes,
    string Sha256,
    string DominantColor,
    string Placeholder,
    string? FileName,
    string? Alt,
    string? Caption,
    string? Credit,
    string? Copyright,
    string? Source,
    FocalPoint FocalPoint,
    DateTimeOffset? TakenAt,
    int Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string OriginalUrl,
    ImageRenditions Renditions);

/// <summary>Rendition URLs of a photo, ready for <c>&lt;img src="…" srcset="…"&gt;</c>: no arithmetic needed.</summary>
/// <param name="Src">A JPEG about 1,024 pixels wide (or the original's width when smaller), for <c>src</c>.</param>
/// <param name="Srcset">WebP renditions at each allowed width up to the original's, narrowest first, for <c>srcset</c> (<c>url</c> then <c>width</c> followed by <c>w</c>).</param>
/// <param name="Template">The URL of any rendition: replace <c>{spec}</c> (e.g. <c>w800-h450-cover</c>) and <c>{format}</c> (<c>webp</c>, <c>avif</c>, <c>jpg</c>, <c>png</c>, <c>auto</c>). Sizes off the allow-list need a signature.</param>
public sealed record ImageRenditions(string Src, IReadOnlyList<RenditionLink> Srcset, string Template);

/// <summary>One rendition.</summary>
/// <param name="Url">Its URL.</param>
/// <param name="Width">Its width in pixels.</param>
/// <param name="Height">Its height in pixels.</param>
public sealed record RenditionLink(string Url, int Width, int Height);

/// <summary>A point of an image as fractions of its width and height, from the top left corner.</summary>
/// <param name="X">0 (left edge) to 1 (right edge).</param>
/// <param name="Y">0 (top edge) to 1 (bottom edge).</param>
public sealed record FocalPoint(double X, double Y)
{
    public static readonly FocalPoint Centre = new(0.5, 0.5);
}

/// <summary>What editors write about a medium (a JSON merge patch of it; on upload, form fields of the same names).</summary>
/// <param name="Alt">Alternative text, up to 1,000 characters.</param>
/// <param name="Caption">Caption, up to 5,000 characters.</param>
/// <param name="Credit">Credit, up to 500 characters.</param>
/// <param name="Copyright">Copyright notice, up to 500 characters.</param>
/// <param name="Source">Source, up to 500 characters.</param>
/// <param name="FocalPoint">The point crops keep in frame; both coordinates from 0 to 1.</param>
/// <param name="TakenAt">When the photo was taken.</param>
public sealed record MediumWriteRequest(
    string? Alt = null,
    string? Caption = null,
    string? Credit = null,
    string? Copyright = null,
    string? Source = null,
    FocalPoint? FocalPoint = null,
    DateTimeOffset? TakenAt = null);

public static class MediumLimits
{
    public const int Alt = 1000;
    public const int Caption = 5000;
    public const int Credit = 500;
    public const int Copyright = 500;
    public const int Source = 500;
}

public sealed class MediumWriteRequestValidator : AbstractValidator<MediumWriteRequest>
{
    public MediumWriteRequestValidator()
    {
        RuleFor(r => r.Alt).MaximumLength(MediumLimits.Alt).Must(NoControl).WithMessage("'alt' must not contain control characters.");
        RuleFor(r => r.Caption).MaximumLength(MediumLimits.Caption).Must(NoControlButLines).WithMessage("'caption' must not contain control characters other than line breaks.");
        RuleFor(r => r.Credit).MaximumLength(MediumLimits.Credit).Must(NoControl).WithMessage("'credit' must not contain control characters.");
        RuleFor(r => r.Copyright).MaximumLength(MediumLimits.Copyright).Must(NoControl).WithMessage("'copyright' must not contain control characters.");
        RuleFor(r => r.Source).MaximumLength(MediumLimits.Source).Must(NoControl).WithMessage("'source' must not contain control characters.");
        RuleFor(r => r.FocalPoint!.X).InclusiveBetween(0, 1).OverridePropertyName("focalPoint.x").When(r => r.FocalPoint is not null);
        RuleFor(r => r.FocalPoint!.Y).InclusiveBetween(0, 1).OverridePropertyName("focalPoint.y").When(r => r.FocalPoint is not null);
        RuleFor(r => r.TakenAt).Must(t => t!.Value.Year is >= 1826 and <= 9999).WithMessage("'takenAt' must be a date from 1826 on.").When(r => r.TakenAt is not null);
    }

    private static bool NoControl(string? value) => QueryValues.HasNoControlCharacters(value);

    private static bool NoControlButLines(string? value) => value is null || !value.Any(c => char.IsControl(c) && c != '\n');
}

/// <summary>A page of media, newest first.</summary>
/// <param name="Items">The media.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> to get the next page; null on the last page.</param>
public sealed record MediaList(IReadOnlyList<MediumDto> Items, string? NextCursor);

/// <summary>Query of <c>GET /v1/media</c>.</summary>
public sealed record MediaListRequest
{
    /// <summary>Words to find in the caption, credit, alt text, source, copyright or file name (all of them must match).</summary>
    [FromQuery(Name = "q")]
    public string? Q { get; init; }

    /// <summary>Opaque cursor from a previous page's <c>nextCursor</c>; valid only with the same <c>q</c>.</summary>
    [FromQuery(Name = "cursor")]
    public string? Cursor { get; init; }

    /// <summary>Items per page, 1 to 100 (default 20).</summary>
    [FromQuery(Name = "limit"), DefaultValue(DefaultLimit)]
    public int? Limit { get; init; }

    internal int PageSize => Limit ?? DefaultLimit;

    public const int DefaultLimit = 20;
}

public sealed class MediaListRequestValidator : AbstractValidator<MediaListRequest>
{
    public MediaListRequestValidator()
    {
        RuleFor(r => r.Q).MaximumLength(200).Must(QueryValues.HasNoControlCharacters).WithMessage("'q' must not contain control characters.");
        RuleFor(r => r.Cursor).MaximumLength(Cursors.MaxLength);
        RuleFor(r => r.Limit).InclusiveBetween(1, 100);
    }
}

/// <summary>Where a list of media stopped: the last id given, and the search it was for.</summary>
public sealed record MediaCursor(long Id, string? Q);

/// <summary>Query of <c>GET /v1/media/{id}/renditions</c>: a rendition of any size, signed.</summary>
public sealed record SignedRenditionRequest
{
    /// <summary>The medium's id.</summary>
    [FromRoute(Name = "id")]
    public required string Id { get; init; }

    /// <summary>Width in CSS pixels, 1 to 8192.</summary>
    [FromQuery(Name = "width")]
    public int? Width { get; init; }

    /// <summary>Height in CSS pixels, 1 to 8192; needed by <c>cover</c> and <c>contain</c>.</summary>
    [FromQuery(Name = "height")]
    public int? Height { get; init; }

    /// <summary><c>inside</c> (default), <c>cover</c> (cropped around the focal point) or <c>contain</c> (padded).</summary>
    [FromQuery(Name = "fit"), DefaultValue("inside")]
    public string? Fit { get; init; }

    /// <summary>Encoder quality, 1 to 100 (default: the format's).</summary>
    [FromQuery(Name = "quality")]
    public int? Quality { get; init; }

    /// <summary>Device pixel ratio: 1 (default), 2 or 3.</summary>
    [FromQuery(Name = "dpr"), DefaultValue(1)]
    public int? Dpr { get; init; }

    /// <summary><c>webp</c> (default), <c>avif</c>, <c>jpg</c>, <c>png</c> or <c>auto</c>.</summary>
    [FromQuery(Name = "format"), DefaultValue("webp")]
    public string? Format { get; init; }

    internal long MediumId => QueryValues.TryParseId(Id, out var id) ? id : 0;

    internal RenditionSpec Spec => new(
        Width ?? 0, Height, Fit switch { "cover" => Media.Fit.Cover, "contain" => Media.Fit.Contain, _ => Media.Fit.Inside }, Quality, Dpr ?? 1);
}

public sealed class SignedRenditionRequestValidator : AbstractValidator<SignedRenditionRequest>
{
    public SignedRenditionRequestValidator()
    {
        RuleFor(r => r.Id).Must(id => id.Length <= 19 && QueryValues.TryParseId(id, out _)).WithMessage("'id' must be a positive integer.");
        RuleFor(r => r.Width).NotNull().WithMessage("'width' is required.").InclusiveBetween(1, RenditionSpec.MaxSide);
        RuleFor(r => r.Height).InclusiveBetween(1, RenditionSpec.MaxSide);
        RuleFor(r => r.Fit).OneOf(["inside", "cover", "contain"]);
        RuleFor(r => r.Height).NotNull().When(r => r.Fit is "cover" or "contain").WithMessage("'cover' and 'contain' need a 'height'.");
        RuleFor(r => r.Quality).InclusiveBetween(1, 100);
        RuleFor(r => r.Dpr).InclusiveBetween(1, 3);
        RuleFor(r => r.Format).OneOf(["webp", "avif", "jpg", "png", "auto"]);
        RuleFor(r => r).Must(r => r.Width * (r.Dpr ?? 1) <= RenditionSpec.MaxSide && (r.Height ?? 1) * (r.Dpr ?? 1) <= RenditionSpec.MaxSide)
            .OverridePropertyName("dpr").WithMessage($"A rendition is at most {RenditionSpec.MaxSide} pixels a side, device pixel ratio included.")
            .When(r => r.Width is not null);
    }
}
