using System.Text.Json;
using Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Api.Articles;

/// <summary>
/// The fields a list can return (<c>fields=</c>), in the order they are written, and how each is
/// written. The names are those of <see cref="ArticleDto"/>'s JSON, plus <c>snippet</c> for searches.
/// </summary>
public static class ArticleFields
{
    public const string Snippet = "snippet";

    private delegate void Writer(Utf8JsonWriter json, JsonEncodedText name, ArticleDto article);

    /// <summary>
    /// The JSON property names, encoded once: a name passed as a string is searched for characters
    /// to escape and transcoded on every write, which a page of twenty items does hundreds of times.
    /// </summary>
    private static class Property
    {
        public static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
        public static readonly JsonEncodedText Slug = JsonEncodedText.Encode("slug");
        public static readonly JsonEncodedText Title = JsonEncodedText.Encode("title");
        public static readonly JsonEncodedText Summary = JsonEncodedText.Encode("summary");
        public static readonly JsonEncodedText BodyHtml = JsonEncodedText.Encode("bodyHtml");
        public static readonly JsonEncodedText BodyText = JsonEncodedText.Encode("bodyText");
        public static readonly JsonEncodedText Language = JsonEncodedText.Encode("language");
        public static readonly JsonEncodedText Status = JsonEncodedText.Encode("status");
        public static readonly JsonEncodedText PublishedAt = JsonEncodedText.Encode("publishedAt");
        public static readonly JsonEncodedText CreatedAt = JsonEncodedText.Encode("createdAt");
        public static readonly JsonEncodedText UpdatedAt = JsonEncodedText.Encode("updatedAt");
        public static readonly JsonEncodedText Version = JsonEncodedText.Encode("version");
        public static readonly JsonEncodedText CanonicalUrl = JsonEncodedText.Encode("canonicalUrl");
        public static readonly JsonEncodedText Byline = JsonEncodedText.Encode("byline");
        public static readonly JsonEncodedText Source = JsonEncodedText.Encode("source");
        public static readonly JsonEncodedText Image = JsonEncodedText.Encode("image");
        public static readonly JsonEncodedText Url = JsonEncodedText.Encode("url");
        public static readonly JsonEncodedText Alt = JsonEncodedText.Encode("alt");
        public static readonly JsonEncodedText Name = JsonEncodedText.Encode("name");
        public static readonly JsonEncodedText Category = JsonEncodedText.Encode("category");
        public static readonly JsonEncodedText Breadcrumb = JsonEncodedText.Encode("breadcrumb");
        public static readonly JsonEncodedText Tags = JsonEncodedText.Encode("tags");
        public static readonly JsonEncodedText DeletedAt = JsonEncodedText.Encode("deletedAt");
        public static readonly JsonEncodedText PreviousSlugs = JsonEncodedText.Encode("previousSlugs");
        public static readonly JsonEncodedText LegacyIds = JsonEncodedText.Encode("legacyIds");
        public static readonly JsonEncodedText Translations = JsonEncodedText.Encode("translations");
        public static readonly JsonEncodedText Media = JsonEncodedText.Encode("media");
        public static readonly JsonEncodedText Authors = JsonEncodedText.Encode("authors");
        public static readonly JsonEncodedText Dateline = JsonEncodedText.Encode("dateline");
        public static readonly JsonEncodedText Kind = JsonEncodedText.Encode("kind");
        public static readonly JsonEncodedText Corrections = JsonEncodedText.Encode("corrections");
        public static readonly JsonEncodedText ContentModifiedAt = JsonEncodedText.Encode("contentModifiedAt");
        public static readonly JsonEncodedText Embargoed = JsonEncodedText.Encode("embargoed");
        public static readonly JsonEncodedText JsonLd = JsonEncodedText.Encode("jsonLd");
        public static readonly JsonEncodedText Snippet = JsonEncodedText.Encode(ArticleFields.Snippet);
    }

    private static readonly (JsonEncodedText Name, Writer Write)[] Catalog =
    [
        (Property.Id, (w, n, a) => w.WriteNumber(n, a.Id)),
        (Property.Slug, (w, n, a) => w.WriteString(n, a.Slug)),
        (Property.Title, (w, n, a) => w.WriteString(n, a.Title)),
        (Property.Summary, (w, n, a) => w.WriteString(n, a.Summary)),
        (Property.BodyHtml, (w, n, a) => w.WriteString(n, a.BodyHtml)),
        (Property.BodyText, (w, n, a) => w.WriteString(n, a.BodyText)),
        (Property.Language, (w, n, a) => w.WriteString(n, a.Language)),
        (Property.Status, (w, n, a) => w.WriteString(n, a.Status)),
        (Property.PublishedAt, (w, n, a) => WriteDate(w, n, a.PublishedAt)),
        (Property.CreatedAt, (w, n, a) => w.WriteString(n, a.CreatedAt)),
        (Property.UpdatedAt, (w, n, a) => w.WriteString(n, a.UpdatedAt)),
        (Property.Version, (w, n, a) => w.WriteNumber(n, a.Version)),
        (Property.CanonicalUrl, (w, n, a) => w.WriteString(n, a.CanonicalUrl)),
        (Property.Byline, (w, n, a) => w.WriteString(n, a.Byline)),
        (Property.Source, (w, n, a) => w.WriteString(n, a.Source)),
        (Property.Image, (w, n, a) => WriteImage(w, n, a.Image)),
        (Property.Category, (w, n, a) => WriteCategory(w, n, a.Category)),
        (Property.Tags, (w, n, a) => WriteTags(w, n, a.Tags)),
        (Property.DeletedAt, (w, n, a) => WriteDate(w, n, a.DeletedAt)),
        (Property.PreviousSlugs, (w, n, a) => WriteStrings(w, n, a.PreviousSlugs)),
        (Property.LegacyIds, (w, n, a) => WriteStrings(w, n, a.LegacyIds)),
        (Property.Translations, (w, n, a) => WriteTranslations(w, n, a.Translations)),
        (Property.Media, (w, n, a) => WriteMedia(w, n, a.Media)),
        (Property.Authors, (w, n, a) => WriteAuthors(w, n, a.Authors)),
        (Property.Dateline, (w, n, a) => w.WriteString(n, a.Dateline)),
        (Property.Kind, (w, n, a) => w.WriteString(n, a.Kind)),
        (Property.Corrections, (w, n, a) => WriteCorrections(w, n, a.Corrections)),
        (Property.ContentModifiedAt, (w, n, a) => WriteDate(w, n, a.ContentModifiedAt)),
        (Property.Embargoed, (w, n, a) => w.WriteBoolean(n, a.Embargoed)),
    ];

    private static readonly HashSet<string> NotInListsByDefault = ["bodyHtml", "bodyText", "createdAt", "deletedAt", "previousSlugs", "legacyIds", "media", "embargoed"];

    /// <summary>What a single read leaves out for readers unless <c>include</c> names it: a front end renders <c>bodyHtml</c>, and the server redirects earlier slugs itself.</summary>
    public static IReadOnlySet<string> OnRequest { get; } = new HashSet<string>(["bodyText", "previousSlugs", "legacyIds"], StringComparer.Ordinal);

    /// <summary>
    /// Fields only editor keys are sent, or may ask for: the workflow state (<c>status</c>, <c>version</c>
    /// for <c>If-Match</c>, <c>createdAt</c>, <c>deletedAt</c>), which public reads would only ever show as
    /// "published", null or internal counters.
    /// </summary>
    public static IReadOnlySet<string> EditorOnly { get; } = new HashSet<string>(["status", "version", "createdAt", "deletedAt"], StringComparer.Ordinal);

    public static IReadOnlyList<string> Names { get; } = [.. Catalog.Select(f => f.Name.Value), Snippet];

    /// <summary>Everything a list can carry when <c>fields</c> is not given (feeds, sitemaps and other server-side renderings).</summary>
    public static IReadOnlySet<string> ListDefaults(bool search) =>
        Catalog.Select(f => f.Name.Value).Where(n => !NotInListsByDefault.Contains(n)).Concat(search ? [Snippet] : []).ToHashSet(StringComparer.Ordinal);

    private static readonly IReadOnlySet<string>[] PublicListDefaults =
        [Public(ListDefaults(search: false)), Public(ListDefaults(search: true))];

    private static readonly IReadOnlySet<string>[] EditorListDefaults = [ListDefaults(search: false), ListDefaults(search: true)];

    private static readonly IReadOnlySet<string> EditorArticleDefaults =
        Catalog.Select(f => f.Name.Value).ToHashSet(StringComparer.Ordinal);

    private static readonly IReadOnlySet<string> PublicArticleDefaults =
        Public(EditorArticleDefaults.Where(n => !OnRequest.Contains(n)));

    private static IReadOnlySet<string> Public(IEnumerable<string> fields) =>
        fields.Where(n => !EditorOnly.Contains(n)).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// The fields a list sends: those <paramref name="requested"/> (<c>fields=</c>), or else its defaults
    /// for the audience (editors also get <c>status</c> and <c>version</c>).
    /// </summary>
    public static IReadOnlySet<string> ForList(string? requested, bool search, ArticleStore.Audience audience) =>
        requested is not null ? Parse(requested)
        : (audience == ArticleStore.Audience.Editor ? EditorListDefaults : PublicListDefaults)[search ? 1 : 0];

    /// <summary>
    /// The fields a single read sends: everything to editors; to everyone else, everything but
    /// <see cref="EditorOnly"/> and those of <see cref="OnRequest"/> not <paramref name="included"/>.
    /// </summary>
    public static IReadOnlySet<string> ForArticle(IEnumerable<string> included, ArticleStore.Audience audience)
    {
        if (audience == ArticleStore.Audience.Editor)
        {
            return EditorArticleDefaults;
        }

        var extra = included.ToList();
        return extra.Count == 0 ? PublicArticleDefaults : PublicArticleDefaults.Concat(extra).ToHashSet(StringComparer.Ordinal);
    }

    private static HashSet<string> Parse(string requested) => QueryValues.List(requested).ToHashSet(StringComparer.Ordinal);

    /// <summary>The editor-only fields in <paramref name="fields"/> that <paramref name="audience"/> may not have, in catalog order.</summary>
    public static IReadOnlyList<string> Refused(IReadOnlySet<string> fields, ArticleStore.Audience audience) =>
        audience == ArticleStore.Audience.Editor
            ? []
            : Catalog.Select(f => f.Name.Value).Where(n => EditorOnly.Contains(n) && fields.Contains(n)).ToList();

    /// <summary>The answer when a reader without an editor key names editor-only fields (see <see cref="ArticleViews.EditorKeyRequired"/>).</summary>
    public static ProblemHttpResult RefusalFor(IReadOnlyList<string> refused, HttpContext http) =>
        ArticleViews.EditorKeyRequired(http, $"'fields' names {string.Join(", ", refused)}, which only keys with the content:write scope are sent.");

    public static bool IsKnown(string name) => Names.Contains(name, StringComparer.Ordinal);

    /// <summary>
    /// Writes a whole article, byte for byte as the serializer writes <see cref="ArticleDto"/>, which
    /// spares each response the serializer's per-value work.
    /// </summary>
    public static void WriteArticle(Utf8JsonWriter json, ArticleDto article, JsonSerializerOptions options) =>
        WriteArticle(json, article, EditorArticleDefaults, options);

    /// <summary>The single-article read: the <paramref name="fields"/> of the article (<c>id</c> always), in catalog order, then <c>jsonLd</c> if it was asked for.</summary>
    public static void WriteArticle(Utf8JsonWriter json, ArticleDto article, IReadOnlySet<string> fields, JsonSerializerOptions options)
    {
        json.WriteStartObject();
        foreach (var (name, write) in Catalog)
        {
            if (name.Equals(Property.Id) || fields.Contains(name.Value))
            {
                write(json, name, article);
            }
        }

        if (article.JsonLd is { } structured)
        {
            json.WritePropertyName(Property.JsonLd);
            structured.WriteTo(json, options);
        }

        json.WriteEndObject();
    }

    /// <summary>Writes the selected fields of one list item (<c>id</c> always), in catalog order.</summary>
    public static void Write(Utf8JsonWriter json, ArticleDto article, string? snippet, IReadOnlySet<string> fields, JsonSerializerOptions options)
    {
        json.WriteStartObject();
        foreach (var (name, write) in Catalog)
        {
            if (name.Equals(Property.Id) || fields.Contains(name.Value))
            {
                write(json, name, article);
            }
        }

        if (fields.Contains(Snippet))
        {
            json.WriteString(Property.Snippet, snippet);
        }

        json.WriteEndObject();
    }

    // The nested values are written member by member in their records' order, exactly as the
    // serializer writes ArticleDto (dates in the same ISO 8601 form): a list page has hundreds of
    // them, and a serializer call per value cost more than the rest of the page.

    private static void WriteDate(Utf8JsonWriter json, JsonEncodedText name, DateTime? value)
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

    private static void WriteCorrections(Utf8JsonWriter json, JsonEncodedText name, IReadOnlyList<CorrectionDto> corrections)
    {
        json.WritePropertyName(name);
        JsonSerializer.Serialize(json, corrections, AppJsonContext.Default.IReadOnlyListCorrectionDto);
    }

    private static void WriteAuthors(Utf8JsonWriter json, JsonEncodedText name, IReadOnlyList<Api.Authors.ArticleAuthor> authors)
    {
        json.WritePropertyName(name);
        JsonSerializer.Serialize(json, authors, AppJsonContext.Default.IReadOnlyListArticleAuthor);
    }

    private static void WriteMedia(Utf8JsonWriter json, JsonEncodedText name, IReadOnlyList<ImageDto> media)
    {
        json.WritePropertyName(name);
        JsonSerializer.Serialize(json, media, AppJsonContext.Default.IReadOnlyListImageDto);
    }

    private static void WriteImage(Utf8JsonWriter json, JsonEncodedText name, ImageDto? image)
    {
        if (image is null)
        {
            json.WriteNull(name);
            return;
        }

        json.WritePropertyName(name);
        JsonSerializer.Serialize(json, image, AppJsonContext.Default.ImageDto);
    }

    private static void WriteCategory(Utf8JsonWriter json, JsonEncodedText name, ArticleCategory category)
    {
        json.WriteStartObject(name);
        json.WriteNumber(Property.Id, category.Id);
        json.WriteString(Property.Slug, category.Slug);
        json.WriteString(Property.Name, category.Name);
        json.WriteStartArray(Property.Breadcrumb);
        foreach (var step in category.Breadcrumb)
        {
            json.WriteStartObject();
            if (step.Id is { } id)
            {
                json.WriteNumber(Property.Id, id);
            }
            else
            {
                json.WriteNull(Property.Id);
            }

            json.WriteString(Property.Slug, step.Slug);
            json.WriteString(Property.Name, step.Name);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteTags(Utf8JsonWriter json, JsonEncodedText name, IReadOnlyList<TagDto> tags)
    {
        json.WriteStartArray(name);
        foreach (var tag in tags)
        {
            json.WriteStartObject();
            json.WriteString(Property.Slug, tag.Slug);
            json.WriteString(Property.Name, tag.Name);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteStrings(Utf8JsonWriter json, JsonEncodedText name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static void WriteTranslations(Utf8JsonWriter json, JsonEncodedText name, IReadOnlyList<TranslationDto> translations)
    {
        json.WriteStartArray(name);
        foreach (var translation in translations)
        {
            json.WriteStartObject();
            json.WriteNumber(Property.Id, translation.Id);
            json.WriteString(Property.Slug, translation.Slug);
            json.WriteString(Property.Language, translation.Language);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}

public static class ArticleFieldRules
{
    /// <summary><c>fields=</c>: known article field names, comma-separated (<c>snippet</c> only where searches are).</summary>
    public static IRuleBuilderOptions<T, string?> ArticleFieldList<T>(this IRuleBuilderInitial<T, string?> rule, bool snippet)
    {
        var names = ArticleFields.Names.Where(n => snippet || n != ArticleFields.Snippet).ToArray();
        return rule.Cascade(CascadeMode.Stop)
            .Must(f => f is null || (QueryValues.List(f).Length > 0 && !QueryValues.HasEmptyEntries(f)))
            .WithMessage("'fields' must name fields, comma-separated.")
            .Must(f => f is null || QueryValues.List(f).All(names.Contains))
            .WithMessage((_, f) => $"'fields' may only name: {string.Join(", ", names)}. Unknown: {string.Join(", ", QueryValues.List(f).Where(n => !names.Contains(n)).Take(5))}.");
    }
}
