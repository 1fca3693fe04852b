using System.Text.Json;
using Api.Infrastructure;

namespace Api.Articles;

/// <summary>
/// The fields a list can return (<c>fields=</c>), in the order they are written, and how each is
/// written. The names are those of <see cref="ArticleDto"/>'s JSON, plus <c>snippet</c> for searches.
/// </summary>
public static class ArticleFields
{
    public const string Snippet = "snippet";

    private delegate void Writer(Utf8JsonWriter json, ArticleDto article, JsonSerializerOptions options);

    private static readonly (string Name, Writer Write)[] Catalog =
    [
        ("id", (w, a, _) => w.WriteNumber("id", a.Id)),
        ("slug", (w, a, _) => w.WriteString("slug", a.Slug)),
        ("title", (w, a, _) => w.WriteString("title", a.Title)),
        ("summary", (w, a, _) => w.WriteString("summary", a.Summary)),
        ("bodyHtml", (w, a, _) => w.WriteString("bodyHtml", a.BodyHtml)),
        ("bodyText", (w, a, _) => w.WriteString("bodyText", a.BodyText)),
        ("language", (w, a, _) => w.WriteString("language", a.Language)),
        ("status", (w, a, _) => w.WriteString("status", a.Status)),
        ("publishedAt", (w, a, _) => WriteDate(w, "publishedAt", a.PublishedAt)),
        ("createdAt", (w, a, _) => w.WriteString("createdAt", a.CreatedAt)),
        ("updatedAt", (w, a, _) => w.WriteString("updatedAt", a.UpdatedAt)),
        ("version", (w, a, _) => w.WriteNumber("version", a.Version)),
        ("canonicalUrl", (w, a, _) => w.WriteString("canonicalUrl", a.CanonicalUrl)),
        ("byline", (w, a, _) => w.WriteString("byline", a.Byline)),
        ("source", (w, a, _) => w.WriteString("source", a.Source)),
        ("image", (w, a, _) => WriteImage(w, a.Image)),
        ("category", (w, a, _) => WriteCategory(w, a.Category)),
        ("tags", (w, a, _) => WriteTags(w, a.Tags)),
        ("deletedAt", (w, a, _) => WriteDate(w, "deletedAt", a.DeletedAt)),
        ("previousSlugs", (w, a, _) => WriteStrings(w, "previousSlugs", a.PreviousSlugs)),
        ("legacyIds", (w, a, _) => WriteStrings(w, "legacyIds", a.LegacyIds)),
        ("translations", (w, a, _) => WriteTranslations(w, a.Translations)),
    ];

    private static readonly HashSet<string> NotInListsByDefault = ["bodyHtml", "bodyText", "createdAt", "deletedAt", "previousSlugs", "legacyIds"];

    public static IReadOnlyList<string> Names { get; } = [.. Catalog.Select(f => f.Name), Snippet];

    /// <summary>What a list returns when <c>fields</c> is not given.</summary>
    public static IReadOnlySet<string> ListDefaults(bool search) =>
        Catalog.Select(f => f.Name).Where(n => !NotInListsByDefault.Contains(n)).Concat(search ? [Snippet] : []).ToHashSet(StringComparer.Ordinal);

    public static bool IsKnown(string name) => Names.Contains(name, StringComparer.Ordinal);

    /// <summary>
    /// Writes a whole article, byte for byte as the serializer writes <see cref="ArticleDto"/>: the
    /// single-article read, which spares each response the serializer's per-value work.
    /// </summary>
    public static void WriteArticle(Utf8JsonWriter json, ArticleDto article, JsonSerializerOptions options)
    {
        json.WriteStartObject();
        foreach (var (_, write) in Catalog)
        {
            write(json, article, options);
        }

        json.WriteEndObject();
    }

    /// <summary>Writes the selected fields of one list item (<c>id</c> always), in catalog order.</summary>
    public static void Write(Utf8JsonWriter json, ArticleDto article, string? snippet, IReadOnlySet<string> fields, JsonSerializerOptions options)
    {
        json.WriteStartObject();
        foreach (var (name, write) in Catalog)
        {
            if (name == "id" || fields.Contains(name))
            {
                write(json, article, options);
            }
        }

        if (fields.Contains(Snippet))
        {
            json.WriteString(Snippet, snippet);
        }

        json.WriteEndObject();
    }

    // The nested values are written member by member in their records' order, exactly as the
    // serializer writes ArticleDto (dates in the same ISO 8601 form): a list page has hundreds of
    // them, and a serializer call per value cost more than the rest of the page.

    private static void WriteDate(Utf8JsonWriter json, string name, DateTime? value)
    {
        if (value is { } date)
        {
            json.WriteString(name, date);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteImage(Utf8JsonWriter json, ImageDto? image)
    {
        if (image is null)
        {
            json.WriteNull("image");
            return;
        }

        json.WriteStartObject("image");
        json.WriteString("url", image.Url);
        json.WriteString("alt", image.Alt);
        json.WriteEndObject();
    }

    private static void WriteCategory(Utf8JsonWriter json, ArticleCategory category)
    {
        json.WriteStartObject("category");
        json.WriteNumber("id", category.Id);
        json.WriteString("slug", category.Slug);
        json.WriteString("name", category.Name);
        json.WriteStartArray("breadcrumb");
        foreach (var step in category.Breadcrumb)
        {
            json.WriteStartObject();
            if (step.Id is { } id)
            {
                json.WriteNumber("id", id);
            }
            else
            {
                json.WriteNull("id");
            }

            json.WriteString("slug", step.Slug);
            json.WriteString("name", step.Name);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteTags(Utf8JsonWriter json, IReadOnlyList<TagDto> tags)
    {
        json.WriteStartArray("tags");
        foreach (var tag in tags)
        {
            json.WriteStartObject();
            json.WriteString("slug", tag.Slug);
            json.WriteString("name", tag.Name);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static void WriteTranslations(Utf8JsonWriter json, IReadOnlyList<TranslationDto> translations)
    {
        json.WriteStartArray("translations");
        foreach (var translation in translations)
        {
            json.WriteStartObject();
            json.WriteNumber("id", translation.Id);
            json.WriteString("slug", translation.Slug);
            json.WriteString("language", translation.Language);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}
