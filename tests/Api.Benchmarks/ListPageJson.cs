using System.Text.Json;
using System.Text.Json.Serialization;
using Api.Articles;
using Api.Categories;

namespace Api.Benchmarks;

/// <summary>
/// The plain way to write a list page with the default fields: a record per item with exactly those
/// fields in the catalog's order, serialized by the source-generated serializer. (It only covers the
/// default field set; <c>fields=</c> needs the API's field-by-field writer or something like it.)
/// </summary>
public sealed record ListItem(
    long Id,
    string Slug,
    string Title,
    string Summary,
    string Language,
    string Status,
    DateTime? PublishedAt,
    DateTime UpdatedAt,
    int Version,
    string CanonicalUrl,
    string? Byline,
    string? Source,
    ImageDto? Image,
    ArticleCategory Category,
    IReadOnlyList<TagDto> Tags,
    IReadOnlyList<TranslationDto> Translations)
{
    public static ListItem From(ArticleDto a) =>
        new(a.Id, a.Slug, a.Title, a.Summary, a.Language, a.Status, a.PublishedAt, a.UpdatedAt, a.Version,
            a.CanonicalUrl, a.Byline, a.Source, a.Image, a.Category, a.Tags, a.Translations);
}

/// <summary>The list envelope, as <c>ArticleList</c> is written.</summary>
public sealed record ListPage(IReadOnlyList<ListItem> Items, string? NextCursor, long? Total);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ListPage))]
public sealed partial class ListPageJsonContext : JsonSerializerContext;

public static class ListPageJson
{
    /// <summary>The API's options with <see cref="ListPageJsonContext"/> first in the chain, as the API would add it to <c>AppJsonContext</c>.</summary>
    public static JsonSerializerOptions ApiOptions { get; } = CreateApiOptions();

    private static JsonSerializerOptions CreateApiOptions()
    {
        var options = new JsonSerializerOptions(Samples.ApiOptions);
        options.TypeInfoResolverChain.Insert(0, ListPageJsonContext.Default);
        options.MakeReadOnly();
        return options;
    }
}
