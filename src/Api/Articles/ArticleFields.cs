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
        ("publishedAt", (w, a, o) => WriteValue(w, "publishedAt", a.PublishedAt, o)),
        ("createdAt", (w, a, o) => WriteValue(w, "createdAt", a.CreatedAt, o)),
        ("updatedAt", (w, a, o) => WriteValue(w, "updatedAt", a.UpdatedAt, o)),
        ("version", (w, a, _) => w.WriteNumber("version", a.Version)),
        ("canonicalUrl", (w, a, _) => w.WriteString("canonicalUrl", a.CanonicalUrl)),
        ("byline", (w, a, _) => w.WriteString("byline", a.Byline)),
        ("source", (w, a, _) => w.WriteString("source", a.Source)),
        ("image", (w, a, o) => WriteValue(w, "image", a.Image, o)),
        ("category", (w, a, o) => WriteValue(w, "category", a.Category, o)),
        ("tags", (w, a, o) => WriteValue(w, "tags", a.Tags, o)),
        ("deletedAt", (w, a, o) => WriteValue(w, "deletedAt", a.DeletedAt, o)),
        ("previousSlugs", (w, a, o) => WriteValue(w, "previousSlugs", a.PreviousSlugs, o)),
        ("legacyIds", (w, a, o) => WriteValue(w, "legacyIds", a.LegacyIds, o)),
        ("translations", (w, a, o) => WriteValue(w, "translations", a.Translations, o)),
    ];

    private static readonly HashSet<string> NotInListsByDefault = ["bodyHtml", "bodyText", "createdAt", "deletedAt", "previousSlugs", "legacyIds"];

    public static IReadOnlyList<string> Names { get; } = [.. Catalog.Select(f => f.Name), Snippet];

    /// <summary>What a list returns when <c>fields</c> is not given.</summary>
    public static IReadOnlySet<string> ListDefaults(bool search) =>
        Catalog.Select(f => f.Name).Where(n => !NotInListsByDefault.Contains(n)).Concat(search ? [Snippet] : []).ToHashSet(StringComparer.Ordinal);

    public static bool IsKnown(string name) => Names.Contains(name, StringComparer.Ordinal);

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

    private static void WriteValue<T>(Utf8JsonWriter json, string name, T value, JsonSerializerOptions options)
    {
        json.WritePropertyName(name);
        JsonSerializer.Serialize(json, value, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)));
    }
}
