using System.Text.Json;
using Api.Articles;

namespace Api.Benchmarks;

/// <summary>
/// A copy of <see cref="ArticleFields.WriteArticle"/> with the property names passed as strings, as
/// before <c>44fa926</c>: the same catalog of per-field writers, so the only difference measured is
/// the pre-encoded names (<see cref="JsonEncodedText"/>).
/// </summary>
public static class StringNamesWriter
{
    private delegate void Writer(Utf8JsonWriter json, string name, ArticleDto article);

    private static readonly (string Name, Writer Write)[] Catalog =
    [
        ("id", (w, n, a) => w.WriteNumber(n, a.Id)),
        ("slug", (w, n, a) => w.WriteString(n, a.Slug)),
        ("title", (w, n, a) => w.WriteString(n, a.Title)),
        ("summary", (w, n, a) => w.WriteString(n, a.Summary)),
        ("bodyHtml", (w, n, a) => w.WriteString(n, a.BodyHtml)),
        ("bodyText", (w, n, a) => w.WriteString(n, a.BodyText)),
        ("language", (w, n, a) => w.WriteString(n, a.Language)),
        ("status", (w, n, a) => w.WriteString(n, a.Status)),
        ("publishedAt", (w, n, a) => WriteDate(w, n, a.PublishedAt)),
        ("createdAt", (w, n, a) => w.WriteString(n, a.CreatedAt)),
        ("updatedAt", (w, n, a) => w.WriteString(n, a.UpdatedAt)),
        ("version", (w, n, a) => w.WriteNumber(n, a.Version)),
        ("canonicalUrl", (w, n, a) => w.WriteString(n, a.CanonicalUrl)),
        ("byline", (w, n, a) => w.WriteString(n, a.Byline)),
        ("source", (w, n, a) => w.WriteString(n, a.Source)),
        ("image", (w, n, a) => WriteImage(w, n, a.Image)),
        ("category", (w, n, a) => WriteCategory(w, n, a.Category)),
        ("tags", (w, n, a) => WriteTags(w, n, a.Tags)),
        ("deletedAt", (w, n, a) => WriteDate(w, n, a.DeletedAt)),
        ("previousSlugs", (w, n, a) => WriteStrings(w, n, a.PreviousSlugs)),
        ("legacyIds", (w, n, a) => WriteStrings(w, n, a.LegacyIds)),
        ("translations", (w, n, a) => WriteTranslations(w, n, a.Translations)),
    ];

    public static void WriteArticle(Utf8JsonWriter json, ArticleDto article)
    {
        json.WriteStartObject();
        foreach (var (name, write) in Catalog)
        {
            write(json, name, article);
        }

        json.WriteEndObject();
    }

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

    private static void WriteImage(Utf8JsonWriter json, string name, ImageDto? image)
    {
        if (image is null)
        {
            json.WriteNull(name);
            return;
        }

        json.WriteStartObject(name);
        json.WriteString("url", image.Url);
        json.WriteString("alt", image.Alt);
        json.WriteEndObject();
    }

    private static void WriteCategory(Utf8JsonWriter json, string name, ArticleCategory category)
    {
        json.WriteStartObject(name);
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

    private static void WriteTags(Utf8JsonWriter json, string name, IReadOnlyList<TagDto> tags)
    {
        json.WriteStartArray(name);
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

    private static void WriteTranslations(Utf8JsonWriter json, string name, IReadOnlyList<TranslationDto> translations)
    {
        json.WriteStartArray(name);
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
