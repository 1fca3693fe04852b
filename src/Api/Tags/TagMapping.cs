using System.Globalization;

namespace Api.Tags;

/// <summary>Tags as the API shows them: the one place rows become answers.</summary>
public static class TagMapping
{
    /// <summary>The start of a tag's ETag: its version, so that writers can compare with If-Match.</summary>
    public static string ETagPrefix(int version) => Api.Infrastructure.Preconditions.VersionPrefix(version);

    public static string ArticlesUrl(string slug) => $"/v1/tags/{slug}/articles";

    public static string SurrogateKey(long id) => "tag-" + id.ToString(CultureInfo.InvariantCulture);

    public static TagSummary Summary(TagRow row) => new(row.Id, row.Slug, row.Name, row.ArticleCount, ArticlesUrl(row.Slug));

    public static TagDetail Detail(TagRow row) =>
        new(row.Id, row.Slug, row.Name, row.ArticleCount, ArticlesUrl(row.Slug), row.UpdatedAt, row.Version);
}
