using System.Text.Json;
using Api.Articles;
using Api.Infrastructure;
using Api.Media;

namespace Api.Authors;

/// <summary>Author rows to answers: the one place that happens.</summary>
public sealed class AuthorMapping(MediaUrls media)
{
    public AuthorDto ToDto(AuthorRow row, bool editor) => new(
        row.Id,
        row.Slug,
        row.Name,
        row.Title,
        row.Bio,
        editor ? row.Email : null,
        row.Photo is { } photo ? ArticleMapping.FromMedium(JsonSerializer.Deserialize(photo, AppJsonContext.Default.LeadMedium)!, null, media) : null,
        JsonSerializer.Deserialize(row.Links, AppJsonContext.Default.AuthorLinkArray) ?? [],
        row.Version,
        DateTime.SpecifyKind(row.UpdatedAt, DateTimeKind.Utc),
        $"/v1/authors/{row.Slug}/articles");

    public static AuthorWriteRequest ToRequest(AuthorRow row) => new(
        row.Name, row.Slug, row.Title, row.Bio, row.Email, row.PhotoMediumId,
        JsonSerializer.Deserialize(row.Links, AppJsonContext.Default.AuthorLinkArray) ?? []);

    /// <summary>An author's ETags start with its version (for If-Match).</summary>
    public static string ETagPrefix(int version) => Api.Infrastructure.Preconditions.VersionPrefix(version);
}
