using System.Globalization;
using System.Text.Json;
using Api.Articles;
using Api.Authors;
using Api.Content;
using Api.Imports.WordPress;

namespace Api.Imports.Ghost;

/// <summary>A file that is not a Ghost export that can be read.</summary>
public sealed class GhostFormatException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Ghost's JSON export (Settings → Labs → Export your content; Ghost 1 to 5) as items to import, in
/// the order authors, categories, images, posts and pages. How Ghost's things map onto this service's:
/// <list type="bullet">
/// <item>Staff users become authors; a post's authors (<c>posts_authors</c>, in order) its byline.</item>
/// <item>Ghost has tags only. A post's primary tag (its first public tag) is its category here (found
/// or created by slug); its public tags are its tags. Internal tags (<c>#name</c>) are left out.</item>
/// <item>The body is the post's <c>html</c> (Ghost keeps it beside its <c>mobiledoc</c> or
/// <c>lexical</c> source), sanitized as every write; <c>__GHOST_URL__</c> becomes the site's address
/// when it is given, else links and images stay relative to the site.</item>
/// <item>Status: published (scheduled while its date is ahead), scheduled, draft. A post that went only
/// out as a newsletter ("sent"), or whose visibility is not public (members, paid, tiers), becomes a
/// draft: the service has no members, and nothing meant for them becomes public.</item>
/// <item>Pages become articles of kind <c>page</c> in the category "Pages".</item>
/// <item>Feature images come into the media library when their files are in the uploads folder (a
/// copy of Ghost's <c>content/images</c>), else they are recorded with their addresses.</item>
/// </list>
/// </summary>
public sealed class GhostSource : IImportSource
{
    private const string Placeholder = "__GHOST_URL__";

    private readonly JsonElement data;
    private readonly string? siteUrl;
    private readonly string? uploads;
    private readonly DateTimeOffset now;
    private readonly List<JsonElement> posts;
    private readonly List<JsonElement> users;
    private readonly Dictionary<string, JsonElement> tags;
    private readonly Dictionary<string, List<string>> tagsOfPost;
    private readonly Dictionary<string, List<string>> authorsOfPost;
    private readonly Dictionary<string, JsonElement> metaOfPost;
    private readonly List<string> categoryTags;
    private readonly List<string> images;
    private readonly string language;

    private GhostSource(JsonElement data, string? siteUrl, string? uploads, DateTimeOffset now)
    {
        this.data = data;
        this.siteUrl = siteUrl?.TrimEnd('/');
        this.uploads = uploads is null ? null : Path.GetFullPath(uploads);
        this.now = now;
        posts = Rows("posts").ToList();
        users = Rows("users").ToList();
        tags = Rows("tags").Where(t => Text(t, "id") is not null).GroupBy(t => Text(t, "id")!).ToDictionary(g => g.Key, g => g.First());
        tagsOfPost = Links("posts_tags", "tag_id");
        authorsOfPost = Links("posts_authors", "author_id");
        metaOfPost = Rows("posts_meta").Where(m => Text(m, "post_id") is not null).GroupBy(m => Text(m, "post_id")!).ToDictionary(g => g.Key, g => g.First());

        // Ghost before 1.22 had one author per post.
        foreach (var post in posts)
        {
            if (Text(post, "id") is { } id && !authorsOfPost.ContainsKey(id) && Text(post, "author_id") is { } author)
            {
                authorsOfPost[id] = [author];
            }
        }

        categoryTags = posts.Select(p => PrimaryTag(Text(p, "id") ?? "")).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        images = posts.Select(p => Text(p, "feature_image")).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var lang = Setting("lang") ?? Setting("locale");
        language = lang is not null && Languages.IsValid(lang) ? Languages.Normalize(lang) : "en";
    }

    /// <summary>
    /// Reads the export <paramref name="open"/> opens. <paramref name="siteUrl"/> is the Ghost site's
    /// address (what <c>__GHOST_URL__</c> stands for, and the host of its old addresses);
    /// <paramref name="uploads"/> a copy of its <c>content/images</c> folder.
    /// </summary>
    /// <exception cref="GhostFormatException">The file is not a Ghost export that can be read.</exception>
    public static GhostSource Open(Func<Stream> open, string? siteUrl, string? uploads, DateTimeOffset now)
    {
        JsonDocument document;
        try
        {
            using var stream = open();
            document = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw new GhostFormatException($"The file is not JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message}", e);
        }

        var root = document.RootElement;
        JsonElement data = default;
        var found = root.ValueKind == JsonValueKind.Object && (
            root.TryGetProperty("db", out var db) && db.ValueKind == JsonValueKind.Array && db.GetArrayLength() > 0
                && db[0].ValueKind == JsonValueKind.Object && db[0].TryGetProperty("data", out data)
            || root.TryGetProperty("db", out db) && db.ValueKind == JsonValueKind.Object && db.TryGetProperty("data", out data)
            || root.TryGetProperty("data", out data));
        if (!found || data.ValueKind != JsonValueKind.Object)
        {
            throw new GhostFormatException("This is not a Ghost export: it has no db[0].data.");
        }

        if (!data.TryGetProperty("posts", out var posts) || posts.ValueKind != JsonValueKind.Array)
        {
            throw new GhostFormatException("This is not a Ghost export: its data has no posts.");
        }

        if (siteUrl is not null && LegacyUrls.Parse(siteUrl) is null)
        {
            throw new GhostFormatException($"The site's address '{siteUrl}' is not an absolute http or https URL.");
        }

        return new GhostSource(data.Clone(), siteUrl, uploads, now);
    }

    public string Source => "ghost";

    public int Total => users.Count + categoryTags.Count + images.Count + posts.Count;

    public IEnumerable<ImportUnit> Units()
    {
        foreach (var user in users)
        {
            yield return Author(user);
        }

        foreach (var tagId in categoryTags)
        {
            yield return Category(tagId);
        }

        foreach (var image in images)
        {
            yield return Image(image);
        }

        foreach (var post in posts)
        {
            yield return Post(post);
        }
    }

    private ImportUnit Author(JsonElement user)
    {
        var id = Text(user, "id");
        var name = WordPressHtml.PlainText(Text(user, "name"));
        if (id is null || name.Length == 0)
        {
            return new BrokenUnit("author", id ?? "(no id)", name, "The user has no id or no name.");
        }

        var notes = new List<string>();
        var email = Text(user, "email");
        if (email is not null && (email.Length > 254 || !email.Contains('@', StringComparison.Ordinal)))
        {
            notes.Add($"The e-mail address '{email}' is not one and was left out.");
            email = null;
        }

        var links = Text(user, "website") is { } website && Uri.TryCreate(website, UriKind.Absolute, out var site) && site.Scheme is "http" or "https"
            ? new[] { new AuthorLink("Website", site.AbsoluteUri) }
            : null;
        var slug = Text(user, "slug") is { } given && Slugs.IsValid(given) && given.Length <= 100 ? given : Slugs.FromText(name, 100);
        var bio = Text(user, "bio");
        return new AuthorUnit(id, new AuthorWriteRequest(Clip(name, 200), Slug: slug, Bio: bio is null ? null : Clip(bio, 5000), Email: email, Links: links))
        {
            Notes = notes,
        };
    }

    private CategoryUnit Category(string tagId)
    {
        var tag = tags[tagId];
        var name = WordPressHtml.PlainText(Text(tag, "name"));
        var slug = Text(tag, "slug") is { } given && Slugs.IsValid(given) && given.Length <= Slugs.MaxCategoryLength
            ? given
            : Slugs.FromText(name, Slugs.MaxCategoryLength) ?? "category";
        var description = Text(tag, "description");
        return new CategoryUnit(tagId, Clip(name.Length > 0 ? name : slug, 200), slug, null, description is null ? null : Clip(WordPressHtml.PlainText(description), 2000));
    }

    private ImportUnit Image(string raw)
    {
        var url = Absolute(raw);
        if (url is null)
        {
            return new BrokenUnit("medium", raw, null, "The image has no absolute address; give the site's address (siteUrl) so that its relative one can be completed.");
        }

        var meta = posts.Where(p => Text(p, "feature_image") == raw).Select(p => metaOfPost.GetValueOrDefault(Text(p, "id") ?? "")).FirstOrDefault(m => m.ValueKind == JsonValueKind.Object);
        var alt = meta.ValueKind == JsonValueKind.Object ? Text(meta, "feature_image_alt") : null;
        var caption = meta.ValueKind == JsonValueKind.Object && Text(meta, "feature_image_caption") is { } html ? WordPressHtml.PlainText(html) : null;
        return new MediumUnit(raw, null, url, LocalFile(raw), alt, caption is { Length: > 0 } ? caption : null);
    }

    /// <summary>The image's file in the uploads folder (a copy of content/images), by the part of its address after /content/images/.</summary>
    private string? LocalFile(string raw)
    {
        if (uploads is null)
        {
            return null;
        }

        const string marker = "/content/images/";
        var path = Uri.TryCreate(raw.Replace(Placeholder, "http://ghost.invalid", StringComparison.Ordinal), UriKind.Absolute, out var uri)
            ? Uri.UnescapeDataString(uri.AbsolutePath)
            : raw;
        var at = path.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var root = uploads.EndsWith(Path.DirectorySeparatorChar) ? uploads : uploads + Path.DirectorySeparatorChar;
        var full = Path.GetFullPath(Path.Combine(uploads, path[(at + marker.Length)..]));
        return full.StartsWith(root, StringComparison.Ordinal) && File.Exists(full) ? full : null;
    }

    private ImportUnit Post(JsonElement post)
    {
        var id = Text(post, "id");
        var type = Text(post, "type") ?? (post.TryGetProperty("page", out var page) && page.ValueKind == JsonValueKind.True ? "page" : "post");
        var title = WordPressHtml.PlainText(Text(post, "title"));
        var itemType = type == "page" ? "page" : "post";
        if (id is null)
        {
            return new BrokenUnit(itemType, "(no id)", title, "The post has no id, by which a second import would find it.");
        }

        var notes = new List<string>();
        if (title.Length == 0)
        {
            title = "(no title)";
            notes.Add("It has no title; it is called '(no title)'.");
        }

        var html = Text(post, "html");
        if (html is null && (Text(post, "mobiledoc") ?? Text(post, "lexical")) is not null)
        {
            notes.Add("The export has no HTML for it, only its editor's source: its body is its plain text.");
            html = Text(post, "plaintext") is { } plain
                ? string.Concat(plain.Split("\n\n").Select(p => "<p>" + System.Net.WebUtility.HtmlEncode(p.Trim()) + "</p>"))
                : null;
        }

        html = html?.Replace(Placeholder, siteUrl ?? "", StringComparison.Ordinal);
        var (status, publishedAt) = Status(post, notes);
        var postTags = tagsOfPost.GetValueOrDefault(id) ?? [];
        var internalTags = postTags.Where(t => tags.TryGetValue(t, out var tag) && !IsPublic(tag)).ToList();
        if (internalTags.Count > 0)
        {
            notes.Add($"Its internal tags were left out: {string.Join(", ", internalTags.Select(t => Text(tags[t], "name")))}.");
        }

        var tagNames = postTags.Where(t => tags.TryGetValue(t, out var tag) && IsPublic(tag))
            .Select(t => Clip(WordPressHtml.PlainText(Text(tags[t], "name")), 100))
            .Where(n => n.Length > 0)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Take(ArticleWriteRequestValidator.MaxTags)
            .ToArray();
        var slug = Text(post, "slug") is { } given && Slugs.IsValid(given) && given.Length <= Slugs.MaxArticleLength
            ? given
            : Slugs.FromText(Text(post, "slug") ?? title, Slugs.MaxArticleLength) ?? $"post-{Slugs.FromText(id, 40) ?? "untitled"}";
        if (Text(post, "slug") is { } old && old != slug)
        {
            notes.Add($"Its slug '{old}' is not one here: it is '{slug}'.");
        }

        var summary = Text(post, "custom_excerpt") is { } excerpt ? Clip(WordPressHtml.PlainText(excerpt), 2000) : null;
        var request = new ArticleWriteRequest(
            Clip(title, 500),
            Slug: slug,
            Summary: summary,
            BodyHtml: html ?? "",
            Language: language,
            Tags: tagNames.Length > 0 ? tagNames : null,
            Status: status,
            PublishedAt: publishedAt,
            Kind: itemType == "page" ? ArticleKinds.Page : ArticleKinds.News);
        var addresses = new List<string>();
        if (siteUrl is not null)
        {
            addresses.Add($"{siteUrl}/{Text(post, "slug") ?? slug}/");
        }

        return new ArticleUnit(
            itemType,
            id,
            request,
            itemType == "page" ? null : PrimaryTag(id),
            itemType == "page" ? WordPressSource.PagesCategory : WordPressSource.DefaultCategory,
            authorsOfPost.GetValueOrDefault(id) ?? [],
            Text(post, "feature_image"),
            null,
            Text(post, "slug") is { } previous && previous != slug && Slugs.IsValid(previous.ToLowerInvariant()) ? [previous.ToLowerInvariant()] : [],
            addresses)
        {
            Notes = notes,
        };
    }

    private (string Status, DateTimeOffset? PublishedAt) Status(JsonElement post, List<string> notes)
    {
        var date = Date(Text(post, "published_at"));
        var status = Text(post, "status") switch
        {
            "published" or "scheduled" => date > now ? ArticleStatuses.Scheduled : ArticleStatuses.Published,
            "sent" => Note(ArticleStatuses.Draft, "It went out only as a newsletter in Ghost: imported as a draft."),
            "draft" => ArticleStatuses.Draft,
            var other => Note(ArticleStatuses.Draft, $"Its status '{other}' is not Ghost's own: imported as a draft."),
        };
        if (Text(post, "visibility") is { } visibility && visibility != "public" && status != ArticleStatuses.Draft)
        {
            status = ArticleStatuses.Draft;
            notes.Add($"Its visibility in Ghost is '{visibility}': imported as a draft, since this service has no members and nothing meant for them becomes public.");
        }

        if (status == ArticleStatuses.Published && date is null)
        {
            date = now;
        }

        return (status, date);

        string Note(string value, string note)
        {
            notes.Add(note);
            return value;
        }
    }

    /// <summary>The post's first public tag, by the order Ghost keeps them in.</summary>
    private string? PrimaryTag(string postId) =>
        tagsOfPost.GetValueOrDefault(postId)?.FirstOrDefault(t => tags.TryGetValue(t, out var tag) && IsPublic(tag));

    private static bool IsPublic(JsonElement tag) =>
        Text(tag, "visibility") is null or "public" && !(Text(tag, "name") ?? "").StartsWith('#');

    private string? Absolute(string raw)
    {
        var url = raw.Replace(Placeholder, siteUrl ?? Placeholder, StringComparison.Ordinal);
        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri.AbsoluteUri : null;
    }

    private IEnumerable<JsonElement> Rows(string table) =>
        data.TryGetProperty(table, out var rows) && rows.ValueKind == JsonValueKind.Array
            ? rows.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.Object)
            : [];

    /// <summary>A join table's rows by post, in their sort order.</summary>
    private Dictionary<string, List<string>> Links(string table, string column) =>
        Rows(table)
            .Where(r => Text(r, "post_id") is not null && Text(r, column) is not null)
            .GroupBy(r => Text(r, "post_id")!)
            .ToDictionary(
                g => g.Key,
                g => g.OrderBy(r => r.TryGetProperty("sort_order", out var order) && order.ValueKind == JsonValueKind.Number ? order.GetInt32() : 0)
                    .Select(r => Text(r, column)!).Distinct(StringComparer.Ordinal).ToList());

    private string? Setting(string key) =>
        Rows("settings").Where(s => Text(s, "key") == key).Select(s => Text(s, "value")).FirstOrDefault();

    /// <summary>A string (or number) member, trimmed; null when absent, null or empty.</summary>
    private static string? Text(JsonElement row, string name) =>
        row.ValueKind == JsonValueKind.Object && row.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString()!.Trim() is { Length: > 0 } text ? text : null,
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;

    /// <summary>An ISO 8601 date, or milliseconds since 1970 (Ghost before 1.0), to the second; null before 1900.</summary>
    private static DateTimeOffset? Date(string? text)
    {
        DateTimeOffset date;
        if (text is null)
        {
            return null;
        }

        if (text.All(char.IsAsciiDigit) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms < 253402300799999)
        {
            date = DateTimeOffset.FromUnixTimeMilliseconds(ms);
        }
        else if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out date))
        {
            return null;
        }

        var utc = date.ToUniversalTime();
        return utc.Year < 1900 ? null : new DateTimeOffset(utc.Ticks - utc.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..max].TrimEnd();
}
