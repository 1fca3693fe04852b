using System.ComponentModel;
using Api.Articles;
using Api.Content;
using Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;

namespace Api.Authors;

/// <summary>A person articles are by.</summary>
/// <param name="Id">Numeric id.</param>
/// <param name="Slug">Lowercase slug, the author's address in this API and on the site.</param>
/// <param name="Name">Display name.</param>
/// <param name="Title">Role or title ("Beijing correspondent").</param>
/// <param name="Bio">A short biography, plain text.</param>
/// <param name="Email">E-mail address; only editors' keys (content:write) see it, null otherwise.</param>
/// <param name="Photo">Portrait, a medium of the media library with its renditions.</param>
/// <param name="Links">Links to the author elsewhere (site, social networks), in order.</param>
/// <param name="Version">Increments on every change; the ETag starts with it.</param>
/// <param name="UpdatedAt">When the author last changed.</param>
/// <param name="ArticlesUrl">The author's published articles (the article list's parameters apply).</param>
public sealed record AuthorDto(
    long Id,
    string Slug,
    string Name,
    string? Title,
    string? Bio,
    string? Email,
    ImageDto? Photo,
    IReadOnlyList<AuthorLink> Links,
    int Version,
    DateTime UpdatedAt,
    string ArticlesUrl);

/// <summary>A link to an author elsewhere.</summary>
/// <param name="Label">What it is ("Website", "Mastodon").</param>
/// <param name="Url">Absolute http(s) URL.</param>
public sealed record AuthorLink(string Label, string Url);

/// <summary>A page of authors, by name.</summary>
/// <param name="Items">The authors.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> for the next page; null on the last.</param>
public sealed record AuthorList(IReadOnlyList<AuthorDto> Items, string? NextCursor);

/// <summary>An author as an article shows it.</summary>
/// <param name="Id">The author's id.</param>
/// <param name="Slug">The author's slug (<c>GET /v1/authors/{slug}</c>).</param>
/// <param name="Name">Display name.</param>
/// <param name="Title">Role or title.</param>
public sealed record ArticleAuthor(long Id, string Slug, string Name, string? Title);

/// <summary>An author as editors write it (create with POST, change with a JSON merge patch).</summary>
/// <param name="Name">Display name, 1 to 200 characters.</param>
/// <param name="Slug">Lowercase ASCII slug; made from the name when absent on create.</param>
/// <param name="Title">Role or title, up to 200 characters.</param>
/// <param name="Bio">Plain text, up to 5,000 characters.</param>
/// <param name="Email">E-mail address (shown to editors only).</param>
/// <param name="PhotoMediumId">A medium of the media library for the portrait.</param>
/// <param name="Links">Up to 10 links, each with a label and an absolute http(s) URL.</param>
public sealed record AuthorWriteRequest(
    string? Name,
    string? Slug = null,
    string? Title = null,
    string? Bio = null,
    string? Email = null,
    long? PhotoMediumId = null,
    IReadOnlyList<AuthorLink>? Links = null);

public sealed class AuthorWriteRequestValidator : AbstractValidator<AuthorWriteRequest>
{
    public AuthorWriteRequestValidator()
    {
        RuleFor(r => r.Name).Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("'name' is required.")
            .Must(n => n!.Trim().Length > 0).WithMessage("'name' must not be blank.")
            .MaximumLength(200)
            .Must(QueryValues.HasNoControlCharacters).WithMessage("'name' must not contain control characters.");
        RuleFor(r => r.Slug).Cascade(CascadeMode.Stop).MaximumLength(100).Must(Slugs.IsValid!).WithMessage(Slugs.FormatMessage).When(r => r.Slug is not null);
        RuleFor(r => r.Title).MaximumLength(200).Must(QueryValues.HasNoControlCharacters).WithMessage("'title' must not contain control characters.");
        RuleFor(r => r.Bio).MaximumLength(5000).Must(b => b is null || !b.Any(c => char.IsControl(c) && c != '\n')).WithMessage("'bio' must not contain control characters other than line breaks.");
        RuleFor(r => r.Email).MaximumLength(254).EmailAddress().When(r => r.Email is not null);
        RuleFor(r => r.PhotoMediumId).GreaterThan(0).When(r => r.PhotoMediumId is not null);
        RuleFor(r => r.Links).Must(l => l!.Count <= 10).WithMessage("At most 10 links.").When(r => r.Links is not null);
        RuleForEach(r => r.Links).ChildRules(link =>
        {
            link.RuleFor(l => l.Label).NotEmpty().MaximumLength(100).Must(QueryValues.HasNoControlCharacters).WithMessage("A link's 'label' must not contain control characters.");
            link.RuleFor(l => l.Url).Cascade(CascadeMode.Stop).NotEmpty().MaximumLength(2000)
                .Must(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                .WithMessage("A link's 'url' must be an absolute http or https URL.");
        });
    }
}

/// <summary>Query of <c>GET /v1/authors</c>.</summary>
public sealed record AuthorListRequest
{
    /// <summary>Opaque cursor from a previous page's <c>nextCursor</c>.</summary>
    [FromQuery(Name = "cursor")]
    public string? Cursor { get; init; }

    /// <summary>Items per page, 1 to 100 (default 50).</summary>
    [FromQuery(Name = "limit"), DefaultValue(DefaultLimit)]
    public int? Limit { get; init; }

    internal int PageSize => Limit ?? DefaultLimit;

    public const int DefaultLimit = 50;
}

public sealed class AuthorListRequestValidator : AbstractValidator<AuthorListRequest>
{
    public AuthorListRequestValidator()
    {
        RuleFor(r => r.Cursor).MaximumLength(Cursors.MaxLength);
        RuleFor(r => r.Limit).InclusiveBetween(1, 100);
    }
}

/// <summary>Route values of one author.</summary>
/// <param name="Slug">The author's slug.</param>
public sealed record AuthorRoute(string Slug);

public sealed class AuthorRouteValidator : AbstractValidator<AuthorRoute>
{
    public AuthorRouteValidator()
    {
        RuleFor(r => r.Slug).Cascade(CascadeMode.Stop).MaximumLength(100).Must(Slugs.IsValid!).WithMessage(Slugs.FormatMessage);
    }
}

/// <summary>One saved version of an author.</summary>
/// <param name="Version">The author's version this snapshot is of.</param>
/// <param name="Change">What made it: created, updated or revision-restored.</param>
/// <param name="CreatedAt">When.</param>
/// <param name="KeyId">The API key that made the change (null if unknown or since deleted).</param>
/// <param name="Author">The author as an editor wrote it then.</param>
public sealed record AuthorRevision(int Version, string Change, DateTime CreatedAt, long? KeyId, AuthorWriteRequest Author);

/// <summary>Every saved version of an author, newest first.</summary>
/// <param name="Items">The revisions.</param>
public sealed record AuthorRevisionList(IReadOnlyList<AuthorRevision> Items);

/// <summary>Route values of one revision of an author.</summary>
/// <param name="Slug">The author's slug.</param>
/// <param name="Version">The revision's version number.</param>
public sealed record AuthorRevisionRoute(string Slug, string Version)
{
    internal int Number => QueryValues.TryParseInt(Version, out var v) ? v : 0;
}

public sealed class AuthorRevisionRouteValidator : AbstractValidator<AuthorRevisionRoute>
{
    public AuthorRevisionRouteValidator()
    {
        RuleFor(r => r.Slug).Cascade(CascadeMode.Stop).MaximumLength(100).Must(Slugs.IsValid!).WithMessage(Slugs.FormatMessage);
        RuleFor(r => r.Version).Must(v => QueryValues.TryParseInt(v, out var n) && n > 0).WithMessage("'version' must be a positive integer.");
    }
}

/// <summary>Where a page of authors stopped: the last one's sort key.</summary>
public sealed record AuthorCursor(string Name, string Slug);
