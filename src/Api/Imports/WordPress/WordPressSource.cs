using System.Globalization;
using Api.Articles;
using Api.Authors;
using Api.Content;

namespace Api.Imports.WordPress;

/// <summary>
/// A WXR file as items to import, in an order where each refers only to items before it: the
/// authors, the categories (parents first), the attachments, then the posts and pages in file order.
/// How WordPress's things map onto this service's:
/// <list type="bullet">
/// <item>A post becomes an article of kind <c>news</c>, a page one of kind <c>page</c> (listed only
/// when asked for by kind), filed under the top-level category "Pages".</item>
/// <item>Status: publish is published (scheduled when its date is still ahead), future is scheduled
/// (published when its date has passed), draft and pending are drafts. Private and
/// password-protected posts become drafts, since this service has neither, and say so in their
/// notes. Trash, auto-drafts and revisions are skipped.</item>
/// <item>An article has one category: Yoast's primary category when the post names one, else the
/// first; the others are named in the item's notes. A post with none goes to "Uncategorized", as in
/// WordPress.</item>
/// <item>Tags by name; the featured image (<c>_thumbnail_id</c>) as the lead image; the author
/// (<c>dc:creator</c>) as the byline author.</item>
/// <item>The slug is the post's own when it is one here (lowercase ASCII); a non-ASCII slug
/// (<c>%ce%b5...</c>) is transliterated and the permalink kept, so the old address still leads to the
/// article. The permalink and the short link (<c>/?p=ID</c>) are kept as legacy addresses.</item>
/// <item>Comments, menus, custom post types, post formats and the site's settings are left out.</item>
/// </list>
/// </summary>
public sealed class WordPressSource : IImportSource
{
    public const string PagesCategory = "Pages";
    public const string DefaultCategory = "Uncategorized";

    private readonly Func<Stream> open;
    private readonly WxrSite site;
    private readonly string? uploads;
    private readonly DateTimeOffset now;
    private readonly Dictionary<string, string> categoryTermIds;

    private WordPressSource(Func<Stream> open, WxrSite site, string? uploads, DateTimeOffset now, Dictionary<string, string> categoryTermIds)
    {
        this.open = open;
        this.site = site;
        this.uploads = uploads;
        this.now = now;
        this.categoryTermIds = categoryTermIds;
    }

    /// <summary>
    /// Reads the channel of the file <paramref name="open"/> opens (each call a new stream from its
    /// start). <paramref name="uploads"/> is a copy of the site's <c>wp-content/uploads</c> folder,
    /// where attachments are looked for; without it they are recorded with their addresses.
    /// </summary>
    /// <exception cref="WxrFormatException">The file is not a WordPress export that can be read.</exception>
    public static WordPressSource Open(Func<Stream> open, string? uploads, DateTimeOffset now)
    {
        WxrSite site;
        using (var stream = open())
        {
            site = WxrReader.ReadSite(stream);
        }

        var termIds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var category in site.Categories)
        {
            if (category.TermId is { } termId)
            {
                termIds.TryAdd(termId, category.Slug);
            }
        }

        return new WordPressSource(open, site, uploads is null ? null : Path.GetFullPath(uploads), now, termIds);
    }

    public WxrSite Site => site;

    public string Source => "wordpress:" + SiteKey(site.SiteUrl ?? site.Title ?? "unnamed site");

    // A category is one item however many times the file defines its slug.
    public int Total => site.Authors.Count + site.Categories.Select(c => c.Slug).Distinct(StringComparer.Ordinal).Count() + site.ItemCount;

    public IEnumerable<ImportUnit> Units()
    {
        foreach (var author in site.Authors)
        {
            yield return Author(author);
        }

        foreach (var category in ParentsFirst(site.Categories))
        {
            yield return category;
        }

        // Attachments first, so that posts find the images they show whatever the file's order.
        using (var stream = open())
        {
            foreach (var item in WxrReader.ReadItems(stream).Where(i => i.PostType == "attachment"))
            {
                yield return Attachment(item);
            }
        }

        using (var stream = open())
        {
            foreach (var item in WxrReader.ReadItems(stream).Where(i => i.PostType != "attachment"))
            {
                yield return Item(item);
            }
        }
    }

    /// <summary>'example.org/blog' from 'https://www.Example.org/blog/': the same site whatever its scheme.</summary>
    private static string SiteKey(string url)
    {
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            var host = uri.Host.ToLowerInvariant();
            host = host.StartsWith("www.", StringComparison.Ordinal) ? host[4..] : host;
            return (host + uri.AbsolutePath.TrimEnd('/')).ToLowerInvariant();
        }

        return url.Trim().ToLowerInvariant();
    }

    private static ImportUnit Author(WxrAuthor author)
    {
        var fullName = string.Join(' ', new[] { author.FirstName, author.LastName }.Where(n => !string.IsNullOrWhiteSpace(n)));
        var name = WordPressHtml.PlainText(author.DisplayName) is { Length: > 0 } display ? display
            : fullName.Length > 0 ? fullName
            : author.Login;
        var notes = new List<string>();
        var email = author.Email?.Trim();
        if (email is not null && (email.Length > 254 || !email.Contains('@', StringComparison.Ordinal)))
        {
            notes.Add($"The e-mail address '{email}' is not one and was left out.");
            email = null;
        }

        var slug = Slugs.FromText(author.Login, 100) ?? Slugs.FromText(name, 100);
        return new AuthorUnit(author.Login, new AuthorWriteRequest(Clip(name, 200), Slug: slug, Email: email)) { Notes = notes };
    }

    /// <summary>Categories with each parent before its children; a parent that is missing (or a loop) leaves the category at the top.</summary>
    private IEnumerable<CategoryUnit> ParentsFirst(IReadOnlyList<WxrCategory> categories)
    {
        var bySlug = new Dictionary<string, WxrCategory>(StringComparer.Ordinal);
        foreach (var category in categories)
        {
            bySlug.TryAdd(category.Slug, category);
        }

        var done = new HashSet<string>(StringComparer.Ordinal);
        var units = new List<CategoryUnit>();
        foreach (var category in bySlug.Values)
        {
            var chain = new List<WxrCategory>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var c = category; c is not null && !done.Contains(c.Slug) && seen.Add(c.Slug); c = c.ParentSlug is { } p ? bySlug.GetValueOrDefault(p) : null)
            {
                chain.Add(c);
            }

            chain.Reverse();
            foreach (var c in chain)
            {
                if (!done.Add(c.Slug))
                {
                    continue;
                }

                var notes = new List<string>();
                var parent = c.ParentSlug;
                if (parent is not null && (!bySlug.ContainsKey(parent) || !done.Contains(parent)))
                {
                    notes.Add($"Its parent '{parent}' is not in the file (or is its own descendant): imported at the top.");
                    parent = null;
                }

                var name = WordPressHtml.PlainText(c.Name) is { Length: > 0 } n ? n : c.Slug;
                var slug = Slugs.IsValid(c.Slug) && c.Slug.Length <= Slugs.MaxCategoryLength
                    ? c.Slug
                    : Slugs.FromText(c.Slug, Slugs.MaxCategoryLength) ?? Slugs.FromText(name, Slugs.MaxCategoryLength) ?? "category";
                units.Add(new CategoryUnit(c.Slug, Clip(name, 200), slug, parent, WordPressHtml.PlainText(c.Description) is { Length: > 0 } d ? Clip(d, 2000) : null)
                {
                    Notes = notes,
                });
            }
        }

        return units;
    }

    private ImportUnit Attachment(WxrItem item)
    {
        if (item.PostId.Length == 0)
        {
            return new BrokenUnit("medium", $"item {item.Index + 1}", item.Title, "It has no WordPress post id (wp:post_id), by which a second import would find it.");
        }

        var url = item.AttachmentUrl ?? item.Guid;
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
        {
            return new BrokenUnit("medium", item.PostId, item.Title, "The attachment has no address (wp:attachment_url).");
        }

        var alt = item.MetaValue("_wp_attachment_image_alt") is { Length: > 0 } given ? WordPressHtml.PlainText(given) : null;
        var caption = WordPressHtml.PlainText(item.Excerpt) is { Length: > 0 } excerpt ? excerpt : null;
        return new MediumUnit(item.PostId, WordPressHtml.PlainText(item.Title) is { Length: > 0 } t ? t : null, address.AbsoluteUri, LocalFile(address, item.MetaValue("_wp_attached_file")), alt, caption);
    }

    /// <summary>
    /// Where the attachment's file is in the uploads folder: by <c>_wp_attached_file</c> (its path
    /// under uploads), else by the part of its address after <c>/wp-content/uploads/</c> (or
    /// WordPress.com's <c>/files/</c>). Never outside the folder.
    /// </summary>
    private string? LocalFile(Uri address, string? attachedFile)
    {
        if (uploads is null)
        {
            return null;
        }

        var candidates = new List<string>();
        if (attachedFile is { Length: > 0 })
        {
            candidates.Add(attachedFile);
        }

        var path = Uri.UnescapeDataString(address.AbsolutePath);
        foreach (var marker in new[] { "/wp-content/uploads/", "/files/" })
        {
            var at = path.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
            if (at >= 0)
            {
                candidates.Add(path[(at + marker.Length)..]);
            }
        }

        candidates.Add(Path.GetFileName(path));
        var root = uploads.EndsWith(Path.DirectorySeparatorChar) ? uploads : uploads + Path.DirectorySeparatorChar;
        foreach (var candidate in candidates)
        {
            var full = Path.GetFullPath(Path.Combine(uploads, candidate.TrimStart('/', '\\')));
            if (full.StartsWith(root, StringComparison.Ordinal) && File.Exists(full))
            {
                return full;
            }
        }

        return null;
    }

    private ImportUnit Item(WxrItem item)
    {
        var type = item.PostType;
        var title = item.Title;
        if (item.PostId.Length == 0)
        {
            return new BrokenUnit(type, $"item {item.Index + 1}", title, "It has no WordPress post id (wp:post_id), by which a second import would find it.");
        }

        if (type is not ("post" or "page"))
        {
            return new SkippedUnit(type, item.PostId, title, type switch
            {
                "nav_menu_item" => "A menu entry: menus belong to the front end.",
                "revision" => "A revision: the import takes each post as it stands.",
                _ => $"Items of type '{type}' are not imported (only posts, pages and attachments are).",
            });
        }

        if (item.Status is "trash" or "auto-draft" or "inherit")
        {
            return new SkippedUnit(type, item.PostId, title, $"Its status is '{item.Status}'.");
        }

        var notes = new List<string>();
        var plainTitle = WordPressHtml.PlainText(title);
        if (plainTitle.Length == 0)
        {
            plainTitle = "(no title)";
            notes.Add("It has no title; it is called '(no title)', as WordPress lists it.");
        }
        else if (WordPressHtml.HasMarkup(title))
        {
            notes.Add("The markup of its title was removed: titles here are plain text.");
        }

        var (body, bodyNotes) = WordPressHtml.Body(item.Content);
        notes.AddRange(bodyNotes);

        var (status, publishedAt) = Status(item, notes);
        var categories = item.Terms.Where(t => t.Domain == "category").ToList();
        string? categoryId = null;
        if (type == "post" && categories.Count > 0)
        {
            var primary = item.MetaValue("_yoast_wpseo_primary_category") is { Length: > 0 } termId
                && categoryTermIds.GetValueOrDefault(termId) is { } primarySlug
                && categories.FirstOrDefault(c => c.Slug == primarySlug) is { } chosen
                    ? chosen
                    : categories[0];
            categoryId = primary.Slug;
            var others = categories.Where(c => c.Slug != primary.Slug).Select(c => c.Name).Distinct(StringComparer.Ordinal).ToList();
            if (others.Count > 0)
            {
                notes.Add($"An article has one category; it is in '{WordPressHtml.PlainText(primary.Name)}'. Also filed in WordPress under: {string.Join(", ", others.Select(WordPressHtml.PlainText))}.");
            }
        }

        var tags = item.Terms.Where(t => t.Domain == "post_tag")
            .Select(t => WordPressHtml.PlainText(t.Name))
            .Where(t => t.Length > 0)
            .Select(t => Clip(t, 100))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        if (tags.Count > ArticleWriteRequestValidator.MaxTags)
        {
            notes.Add($"It has {tags.Count} tags; the first {ArticleWriteRequestValidator.MaxTags} were kept.");
            tags = tags.Take(ArticleWriteRequestValidator.MaxTags).ToList();
        }

        if (item.Comments > 0)
        {
            notes.Add($"Its {item.Comments} comment(s) were left out: comments are not part of this service.");
        }

        if (item.Terms.Any(t => t.Domain == "post_format"))
        {
            notes.Add("Its post format was left out.");
        }

        var (slug, oldSlugs) = Slug(item, plainTitle, notes);
        var summary = WordPressHtml.PlainText(item.Excerpt) is { Length: > 0 } excerpt ? Clip(excerpt, 2000) : null;
        var language = site.Language is { } l && Languages.IsValid(l) ? Languages.Normalize(l) : "en";
        var request = new ArticleWriteRequest(
            Clip(plainTitle, 500),
            Slug: slug,
            Summary: summary,
            BodyHtml: body,
            Language: language,
            Tags: tags.Count > 0 ? [.. tags] : null,
            Status: status,
            PublishedAt: publishedAt,
            Kind: type == "page" ? ArticleKinds.Page : ArticleKinds.News);
        var thumbnail = item.MetaValue("_thumbnail_id");
        return new ArticleUnit(
            type,
            item.PostId,
            request,
            categoryId,
            type == "page" ? PagesCategory : DefaultCategory,
            item.Creator is { Length: > 0 } creator && site.Authors.Any(a => a.Login == creator) ? [creator] : [],
            thumbnail is { Length: > 0 } and not "0" ? thumbnail : null,
            null,
            oldSlugs,
            LegacyAddresses(item))
        {
            Notes = notes,
        };
    }

    private (string Status, DateTimeOffset? PublishedAt) Status(WxrItem item, List<string> notes)
    {
        var date = item.Date;
        // The service keeps publication times to the second and no further back than 1900.
        if (date is { } d && d.Year < 1900)
        {
            date = null;
        }

        string status;
        switch (item.Status)
        {
            case "publish" or "future":
                status = date > now ? ArticleStatuses.Scheduled : ArticleStatuses.Published;
                break;
            case "private":
                status = ArticleStatuses.Draft;
                notes.Add("It is private in WordPress: imported as a draft, since this service has no private articles.");
                break;
            default:
                status = ArticleStatuses.Draft;
                if (item.Status is not ("draft" or "pending"))
                {
                    notes.Add($"Its status '{item.Status}' is not WordPress's own: imported as a draft.");
                }

                break;
        }

        if (item.Password is not null && status != ArticleStatuses.Draft)
        {
            status = ArticleStatuses.Draft;
            notes.Add("It is password-protected in WordPress: imported as a draft, since this service has no passwords.");
        }

        if (status == ArticleStatuses.Published && date is null)
        {
            date = now;
        }

        return (status, date);
    }

    private static (string Slug, IReadOnlyList<string> OldSlugs) Slug(WxrItem item, string title, List<string> notes)
    {
        var name = item.PostName;
        if (name is { Length: > 0 } && Slugs.IsValid(name) && name.Length <= Slugs.MaxArticleLength)
        {
            return (name, []);
        }

        var slug = (name is { Length: > 0 } ? Slugs.FromText(name, Slugs.MaxArticleLength) : null)
            ?? Slugs.FromText(title, Slugs.MaxArticleLength)
            ?? $"{item.PostType}-{Slugs.FromText(item.PostId, 40) ?? "untitled"}";
        if (name is { Length: > 0 })
        {
            notes.Add($"Its slug '{name}' is not one here (lowercase ASCII letters, digits and hyphens): it is '{slug}', and its old address leads to it.");
        }

        // A slug that only needs lowercasing is still a valid alias.
        var lowered = name?.ToLowerInvariant();
        return (slug, lowered is not null && lowered != slug && Slugs.IsValid(lowered) ? [lowered] : []);
    }

    /// <summary>The post's old addresses on its site: its permalink, its guid when that is one of the site's, and its short link (<c>/?p=ID</c>).</summary>
    private IReadOnlyList<string> LegacyAddresses(WxrItem item)
    {
        var addresses = new List<string>();
        var host = LegacyUrls.Parse(site.SiteUrl)?.Host;
        foreach (var url in new[] { item.Link, item.Guid })
        {
            if (LegacyUrls.Parse(url) is { } parsed && (host is null || parsed.Host == host) && !addresses.Contains(url!))
            {
                addresses.Add(url!);
            }
        }

        if (site.SiteUrl is { } siteUrl && long.TryParse(item.PostId, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            var shortLink = siteUrl + (item.PostType == "page" ? $"/?page_id={item.PostId}" : $"/?p={item.PostId}");
            if (!addresses.Contains(shortLink))
            {
                addresses.Add(shortLink);
            }
        }

        return addresses;
    }

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..max].TrimEnd();
}
