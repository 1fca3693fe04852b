using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;

namespace Api.Imports.WordPress;

/// <summary>A WXR file that cannot be read: not XML, not a WordPress export, or cut short.</summary>
public sealed class WxrFormatException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>What the channel of a WXR file says of the site, before its items.</summary>
/// <param name="Title">The site's title.</param>
/// <param name="Link">The site's address (<c>&lt;link&gt;</c>), which its permalinks start with.</param>
/// <param name="BaseBlogUrl"><c>wp:base_blog_url</c>, when given.</param>
/// <param name="Version">The WXR version (<c>1.0</c> to <c>1.2</c> are known).</param>
/// <param name="Language">The site's language, when given.</param>
/// <param name="Authors">Its authors (<c>wp:author</c>), by login.</param>
/// <param name="Categories">Its categories (<c>wp:category</c>), in file order.</param>
/// <param name="Tags">Its tags (<c>wp:tag</c>), in file order.</param>
/// <param name="ItemCount">The number of <c>item</c> elements.</param>
public sealed record WxrSite(
    string? Title,
    string? Link,
    string? BaseBlogUrl,
    string Version,
    string? Language,
    IReadOnlyList<WxrAuthor> Authors,
    IReadOnlyList<WxrCategory> Categories,
    IReadOnlyList<WxrTag> Tags,
    int ItemCount)
{
    /// <summary>The address the site's permalinks start with: the blog URL, else the link.</summary>
    public string? SiteUrl => (BaseBlogUrl ?? Link)?.TrimEnd('/');
}

public sealed record WxrAuthor(string Login, string? Email, string? DisplayName, string? FirstName, string? LastName);

public sealed record WxrCategory(string Slug, string Name, string? ParentSlug, string? Description, string? TermId);

public sealed record WxrTag(string Slug, string Name, string? Description);

/// <summary>A term an item is filed under: <c>&lt;category domain="category|post_tag|..." nicename="..."&gt;Name&lt;/category&gt;</c>.</summary>
public sealed record WxrTerm(string Domain, string Slug, string Name);

/// <summary>One <c>item</c> of a WXR file (a post, page, attachment, menu item...), as written.</summary>
public sealed record WxrItem(
    int Index,
    string PostId,
    string PostType,
    string Status,
    string? Title,
    string? Link,
    string? Guid,
    string? Creator,
    string? Content,
    string? Excerpt,
    DateTimeOffset? Date,
    string? PostName,
    string? PostParent,
    string? Password,
    bool Sticky,
    string? AttachmentUrl,
    IReadOnlyList<WxrTerm> Terms,
    IReadOnlyList<KeyValuePair<string, string>> Meta,
    int Comments)
{
    public string? MetaValue(string key) => Meta.FirstOrDefault(m => m.Key == key).Value;
}

/// <summary>
/// Reads WordPress's export format (WXR 1.0 to 1.2, the RSS 2.0 file of Tools → Export) as a stream,
/// so a large archive is never held in memory: <see cref="ReadSite"/> reads the channel and counts the
/// items (and so checks that the whole file is well-formed XML before anything is imported), then
/// <see cref="ReadItems"/> yields the items one at a time. The <c>wp</c> namespace is the one the
/// root element declares (http or https, any 1.x version); elements of other namespaces, comments
/// and DTDs are ignored (no entity is ever resolved). A file WordPress's own importer refuses (no
/// or a non-numeric <c>wp:wxr_version</c>, broken XML such as unescaped nested CDATA) is refused
/// here with the reason and, for XML errors, the line and column.
/// </summary>
public static partial class WxrReader
{
    private const string ContentNamespace = "http://purl.org/rss/1.0/modules/content/";
    private const string DcNamespace = "http://purl.org/dc/elements/1.1/";

    [GeneratedRegex(@"^https?://wordpress\.org/export/1\.\d+/$", RegexOptions.CultureInvariant)]
    private static partial Regex WpNamespace();

    [GeneratedRegex(@"^\d+\.\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionNumber();

    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Ignore,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        // Old exports carry control characters WordPress let through; they are dropped later, per field.
        CheckCharacters = false,
        CloseInput = false,
        Async = false,
    };

    /// <summary>The channel's description of the site, and how many items follow. Reads the whole stream.</summary>
    public static WxrSite ReadSite(Stream stream)
    {
        return Guard(() =>
        {
            using var reader = XmlReader.Create(stream, Settings);
            var (wp, _) = EnterChannel(reader);
            string? title = null, link = null, blogUrl = null, version = null, language = null;
            var authors = new List<WxrAuthor>();
            var categories = new List<WxrCategory>();
            var tags = new List<WxrTag>();
            var items = 0;
            foreach (var _ in Children(reader))
            {
                switch (reader.LocalName, reader.NamespaceURI)
                {
                    case ("item", ""):
                        items++;
                        reader.Skip();
                        break;
                    case ("title", ""):
                        title ??= Text(reader);
                        break;
                    case ("link", ""):
                        link ??= Text(reader);
                        break;
                    case ("language", ""):
                        language = Text(reader);
                        break;
                    case ("wxr_version", var ns) when ns == wp:
                        version = Text(reader);
                        break;
                    case ("base_blog_url", var ns) when ns == wp:
                        blogUrl = Text(reader);
                        break;
                    case ("author", var ns) when ns == wp:
                        var author = Fields(reader, wp);
                        if (author.GetValueOrDefault("author_login") is { Length: > 0 } login)
                        {
                            authors.Add(new WxrAuthor(
                                login, author.GetValueOrDefault("author_email"), author.GetValueOrDefault("author_display_name"),
                                author.GetValueOrDefault("author_first_name"), author.GetValueOrDefault("author_last_name")));
                        }

                        break;
                    case ("category", var ns) when ns == wp:
                        var category = Fields(reader, wp);
                        if (category.GetValueOrDefault("category_nicename") is { Length: > 0 } slug)
                        {
                            categories.Add(new WxrCategory(
                                Uri.UnescapeDataString(slug), category.GetValueOrDefault("cat_name") ?? slug,
                                category.GetValueOrDefault("category_parent") is { Length: > 0 } parent ? Uri.UnescapeDataString(parent) : null,
                                category.GetValueOrDefault("category_description"),
                                category.GetValueOrDefault("term_id")));
                        }

                        break;
                    case ("tag", var ns) when ns == wp:
                        var tag = Fields(reader, wp);
                        if (tag.GetValueOrDefault("tag_slug") is { Length: > 0 } tagSlug)
                        {
                            tags.Add(new WxrTag(Uri.UnescapeDataString(tagSlug), tag.GetValueOrDefault("tag_name") ?? tagSlug, tag.GetValueOrDefault("tag_description")));
                        }

                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            if (version is null)
            {
                throw new WxrFormatException("This is not a WordPress export: it has no WXR version (wp:wxr_version).");
            }

            if (!VersionNumber().IsMatch(version))
            {
                throw new WxrFormatException($"This is not a WordPress export: its WXR version '{Clip(version)}' is not a version number.");
            }

            // The rest of the document must be well-formed too.
            while (reader.Read())
            {
            }

            return new WxrSite(title, link, blogUrl, version, language, authors, categories, tags, items);
        });
    }

    /// <summary>The items of the channel, in file order, read one at a time.</summary>
    public static IEnumerable<WxrItem> ReadItems(Stream stream)
    {
        using var reader = Guard(() => XmlReader.Create(stream, Settings));
        var (wp, excerpt) = Guard(() => EnterChannel(reader));
        var index = 0;
        using var children = Children(reader).GetEnumerator();
        while (Guard(children.MoveNext))
        {
            if (reader.LocalName == "item" && reader.NamespaceURI.Length == 0)
            {
                yield return Guard(() => Item(reader, index, wp, excerpt));
                index++;
            }
            else
            {
                Guard(reader.Skip);
            }
        }
    }

    private static WxrItem Item(XmlReader reader, int index, string wp, string? excerptNamespace)
    {
        string? title = null, link = null, guid = null, creator = null, content = null, excerpt = null, postName = null, parent = null;
        string? password = null, attachmentUrl = null, postId = null, postType = null, status = null, dateGmt = null, dateLocal = null, pubDate = null;
        var sticky = false;
        var terms = new List<WxrTerm>();
        var meta = new List<KeyValuePair<string, string>>();
        var comments = 0;
        foreach (var _ in Children(reader))
        {
            var ns = reader.NamespaceURI;
            switch (reader.LocalName)
            {
                case "title" when ns.Length == 0:
                    title ??= Text(reader);
                    break;
                case "link" when ns.Length == 0:
                    link ??= Text(reader);
                    break;
                case "guid" when ns.Length == 0:
                    guid ??= Text(reader);
                    break;
                case "pubDate" when ns.Length == 0:
                    pubDate ??= Text(reader);
                    break;
                case "category" when ns.Length == 0:
                    var domain = reader.GetAttribute("domain");
                    var nicename = reader.GetAttribute("nicename");
                    var name = Text(reader);
                    if (domain is { Length: > 0 } && (nicename ?? name) is { Length: > 0 } termSlug)
                    {
                        terms.Add(new WxrTerm(domain, Uri.UnescapeDataString(termSlug), name ?? termSlug));
                    }

                    break;
                case "creator" when ns == DcNamespace:
                    creator ??= Text(reader);
                    break;
                case "encoded" when ns == ContentNamespace:
                    content ??= Raw(reader);
                    break;
                case "encoded" when ns == excerptNamespace:
                    excerpt ??= Raw(reader);
                    break;
                case "post_id" when ns == wp:
                    postId ??= Text(reader);
                    break;
                case "post_type" when ns == wp:
                    postType ??= Text(reader);
                    break;
                case "status" when ns == wp:
                    status ??= Text(reader);
                    break;
                case "post_date_gmt" when ns == wp:
                    dateGmt ??= Text(reader);
                    break;
                case "post_date" when ns == wp:
                    dateLocal ??= Text(reader);
                    break;
                case "post_name" when ns == wp:
                    postName ??= Text(reader);
                    break;
                case "post_parent" when ns == wp:
                    parent ??= Text(reader);
                    break;
                case "post_password" when ns == wp:
                    password ??= Text(reader);
                    break;
                case "is_sticky" when ns == wp:
                    sticky = Text(reader) == "1";
                    break;
                case "attachment_url" when ns == wp:
                    attachmentUrl ??= Text(reader);
                    break;
                case "postmeta" when ns == wp:
                    var fields = Fields(reader, wp);
                    if (fields.GetValueOrDefault("meta_key") is { Length: > 0 } key)
                    {
                        meta.Add(new(key, fields.GetValueOrDefault("meta_value") ?? ""));
                    }

                    break;
                case "comment" when ns == wp:
                    comments++;
                    reader.Skip();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return new WxrItem(
            index,
            postId ?? "",
            postType ?? "post",
            // As wp_insert_post does: an item that does not say its status is a draft.
            status ?? "draft",
            title,
            link,
            guid,
            creator,
            content,
            excerpt,
            // The GMT date; a draft has none ("0000-00-00 00:00:00"), and its local date is in the site's
            // time zone, which the file does not give: taken as UTC.
            Date(dateGmt) ?? Date(dateLocal) ?? Rfc822(pubDate),
            postName is { Length: > 0 } ? Uri.UnescapeDataString(postName) : null,
            parent is { Length: > 0 } and not "0" ? parent : null,
            password is { Length: > 0 } ? password : null,
            sticky,
            attachmentUrl,
            terms,
            meta,
            comments);
    }

    /// <summary>Moves to the channel element; returns the wp and excerpt namespaces the root declares.</summary>
    private static (string Wp, string? Excerpt) EnterChannel(XmlReader reader)
    {
        if (reader.MoveToContent() != XmlNodeType.Element || reader.LocalName != "rss")
        {
            throw new WxrFormatException("This is not a WordPress export: its root element is not <rss>.");
        }

        var wp = reader.LookupNamespace("wp");
        if (wp is null || !WpNamespace().IsMatch(wp))
        {
            throw new WxrFormatException("This is not a WordPress export: its root element does not declare the WordPress export namespace (xmlns:wp).");
        }

        var excerpt = reader.LookupNamespace("excerpt");
        if (reader.IsEmptyElement)
        {
            throw new WxrFormatException("This WordPress export has no channel.");
        }

        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.Element)
            {
                if (reader.LocalName == "channel" && reader.NamespaceURI.Length == 0 && !reader.IsEmptyElement)
                {
                    return (wp, excerpt);
                }

                reader.Skip();
                if (reader.NodeType == XmlNodeType.Element)
                {
                    // Skip moved onto the next sibling; look at it in the loop.
                    if (reader.LocalName == "channel" && reader.NamespaceURI.Length == 0 && !reader.IsEmptyElement)
                    {
                        return (wp, excerpt);
                    }
                }
            }
        }

        throw new WxrFormatException("This WordPress export has no channel.");
    }

    /// <summary>
    /// Positions the reader on each child element of the current element in turn; the consumer must
    /// read or skip it entirely before asking for the next.
    /// </summary>
    private static IEnumerable<bool> Children(XmlReader reader)
    {
        if (reader.IsEmptyElement)
        {
            reader.Read();
            yield break;
        }

        var depth = reader.Depth;
        reader.Read();
        while (true)
        {
            if (reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth)
            {
                reader.Read();
                yield break;
            }

            if (reader.EOF)
            {
                throw new WxrFormatException("The file ends before the export does: it was cut short.");
            }

            if (reader.NodeType == XmlNodeType.Element)
            {
                var before = (reader.Depth, reader.LineInfo());
                yield return true;
                // The consumer read past the element; anything else (text, an end tag) comes next.
                if ((reader.Depth, reader.LineInfo()) == before && reader.NodeType == XmlNodeType.Element)
                {
                    reader.Skip();
                }
            }
            else
            {
                reader.Read();
            }
        }
    }

    private static (int, int) LineInfo(this XmlReader reader) =>
        reader is IXmlLineInfo info ? (info.LineNumber, info.LinePosition) : (0, 0);

    /// <summary>The direct children of a wrapper element (wp:author, wp:postmeta...) in namespace WP, by local name, trimmed.</summary>
    private static Dictionary<string, string> Fields(XmlReader reader, string wp)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var _ in Children(reader))
        {
            if (reader.NamespaceURI == wp)
            {
                var name = reader.LocalName;
                var value = name == "meta_value" ? Raw(reader) : Text(reader);
                if (value is not null)
                {
                    fields.TryAdd(name, value);
                }
            }
            else
            {
                reader.Skip();
            }
        }

        return fields;
    }

    /// <summary>An element's text (text and CDATA sections), trimmed; null when empty. Nested elements are skipped.</summary>
    private static string? Text(XmlReader reader) => Raw(reader)?.Trim() is { Length: > 0 } text ? text : null;

    /// <summary>An element's text as written (HTML bodies keep their whitespace); null when empty.</summary>
    private static string? Raw(XmlReader reader)
    {
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return null;
        }

        var text = new System.Text.StringBuilder();
        var depth = reader.Depth;
        while (reader.Read())
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.SignificantWhitespace or XmlNodeType.Whitespace when reader.Depth == depth + 1:
                    text.Append(reader.Value);
                    break;
                case XmlNodeType.EndElement when reader.Depth == depth:
                    reader.Read();
                    return text.Length > 0 ? text.ToString() : null;
            }
        }

        throw new WxrFormatException("The file ends before the export does: it was cut short.");
    }

    private static DateTimeOffset? Date(string? text) =>
        text is { Length: > 0 } && !text.StartsWith("0000", StringComparison.Ordinal)
        && DateTime.TryParseExact(text, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date)
            ? new DateTimeOffset(date, TimeSpan.Zero)
            : null;

    private static DateTimeOffset? Rfc822(string? text) =>
        text is { Length: > 0 } && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) ? date.ToUniversalTime() : null;

    private static string Clip(string text) => text.Length > 40 ? text[..40] + "…" : text;

    private static T Guard<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (XmlException e)
        {
            throw new WxrFormatException($"The file is not well-formed XML (line {e.LineNumber}, column {e.LinePosition}): {e.Message}", e);
        }
    }

    private static void Guard(Action read) => Guard(() =>
    {
        read();
        return true;
    });
}
