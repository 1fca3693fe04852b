using System.ServiceModel.Syndication;
using System.Xml;
using System.Xml.Linq;

namespace Api.Syndication;

/// <summary>
/// RSS 2.0 and Atom 1.0 (RFC 4287) through System.ServiceModel.Syndication's formatters. Every text
/// is passed through <see cref="XmlText.Clean"/>; the XML writer escapes markup characters.
/// </summary>
public static class XmlFeeds
{
    /// <summary>RSS 1.0 content module: <c>content:encoded</c> carries an item's HTML body.</summary>
    public static readonly XNamespace Content = "http://purl.org/rss/1.0/modules/content/";

    /// <summary>Dublin Core: <c>dc:creator</c> carries a byline (RSS's own <c>author</c> must be an e-mail address).</summary>
    public static readonly XNamespace DublinCore = "http://purl.org/dc/elements/1.1/";

    /// <summary>Media RSS: <c>media:content</c> carries an item's lead image (in RSS and Atom alike).</summary>
    public static readonly XNamespace MediaRss = "http://search.yahoo.com/mrss/";

    public const string AtomNamespace = "http://www.w3.org/2005/Atom";

    private static readonly XmlQualifiedName XmlLang = new("lang", "http://www.w3.org/XML/1998/namespace");

    public static byte[] Rss(FeedDocument document)
    {
        // The channel's <link> is its alternate link, which RSS writes without a media type.
        var feed = NewFeed(document, FeedFormat.Rss, alternateMediaType: null);

        feed.Items = document.Entries.Select(entry =>
        {
            var item = Item(entry, FeedFormat.Rss);
            if (entry.Byline is { } byline)
            {
                item.ElementExtensions.Add(Extension(DublinCore, "dc", "creator", byline));
            }

            if (document.Full)
            {
                item.ElementExtensions.Add(Extension(Content, "content", "encoded", entry.BodyHtml));
            }

            return item;
        }).ToList();

        return Serialize(new Rss20FeedFormatter(feed, serializeExtensionsAsAtom: true));
    }

    public static byte[] Atom(FeedDocument document)
    {
        var feed = NewFeed(document, FeedFormat.Atom, alternateMediaType: "text/html");
        feed.Id = document.SelfUrl;
        // RFC 4287 §4.1.1: a feed names an author unless every entry does.
        feed.Authors.Add(new SyndicationPerson { Name = XmlText.Clean(document.Publisher) });

        feed.Items = document.Entries.Select(entry =>
        {
            var item = Item(entry, FeedFormat.Atom);
            item.AttributeExtensions.Add(XmlLang, entry.Language);
            if (entry.Byline is { } byline)
            {
                item.Authors.Add(new SyndicationPerson { Name = XmlText.Clean(byline) });
            }

            if (document.Full)
            {
                item.Content = new TextSyndicationContent(XmlText.Clean(entry.BodyHtml), TextSyndicationContentKind.Html);
            }

            return item;
        }).ToList();

        return Serialize(new Atom10FeedFormatter(feed));
    }

    /// <summary>The feed's title, description, language, last change, and its alternate and self links.</summary>
    private static SyndicationFeed NewFeed(FeedDocument document, FeedFormat format, string? alternateMediaType)
    {
        var feed = new SyndicationFeed
        {
            Title = new TextSyndicationContent(XmlText.Clean(document.Title)),
            Description = new TextSyndicationContent(XmlText.Clean(document.Description)),
            Language = document.Language,
            LastUpdatedTime = Utc(document.Updated),
        };
        feed.Links.Add(new SyndicationLink(new Uri(document.HomeUrl), "alternate", null, alternateMediaType, 0));
        feed.Links.Add(new SyndicationLink(new Uri(document.SelfUrl), "self", null, FeedFormats.MediaType(format), 0));
        return feed;
    }

    /// <summary>
    /// What RSS and Atom items share: id, link, title, summary, dates, and the category and tags
    /// (RSS names them; Atom gives each slug as the term and its name as the label).
    /// </summary>
    private static SyndicationItem Item(FeedEntry entry, FeedFormat format)
    {
        var item = new SyndicationItem
        {
            Id = entry.Id,
            Title = new TextSyndicationContent(XmlText.Clean(entry.Title)),
            PublishDate = Utc(entry.PublishedAt),
            LastUpdatedTime = Utc(entry.UpdatedAt),
        };
        if (entry.Summary.Length > 0)
        {
            item.Summary = new TextSyndicationContent(XmlText.Clean(entry.Summary));
        }

        if (entry.ImageUrl is { } image)
        {
            item.ElementExtensions.Add(new XElement(
                MediaRss + "content",
                new XAttribute(XNamespace.Xmlns + "media", MediaRss.NamespaceName),
                new XAttribute("url", XmlText.Clean(image)),
                new XAttribute("medium", "image")).CreateReader());
        }

        // A canonical URL that is not an absolute URL leaves the item without a link rather than the feed broken.
        if (Uri.TryCreate(entry.Url, UriKind.Absolute, out var url))
        {
            item.Links.Add(new SyndicationLink(url, "alternate", null, "text/html", 0));
        }

        var categories = (entry.Category is { } category ? [(category.Slug, category.Name)] : Array.Empty<(string, string)>())
            .Concat(entry.Tags.Select(tag => (tag.Slug, tag.Name)));
        foreach (var (slug, name) in categories)
        {
            item.Categories.Add(format == FeedFormat.Rss
                ? new SyndicationCategory(XmlText.Clean(name))
                : new SyndicationCategory(slug, null, XmlText.Clean(name)));
        }

        return item;
    }

    /// <summary>An extension element with its namespace's usual prefix (<c>content:encoded</c>, <c>dc:creator</c>).</summary>
    private static XmlReader Extension(XNamespace ns, string prefix, string name, string text) =>
        new XElement(ns + name, new XAttribute(XNamespace.Xmlns + prefix, ns.NamespaceName), XmlText.Clean(text)).CreateReader();

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private static byte[] Serialize(SyndicationFeedFormatter formatter)
    {
        using var stream = new MemoryStream();
        using (var xml = XmlWriter.Create(stream, XmlText.WriterSettings))
        {
            formatter.WriteTo(xml);
        }

        return stream.ToArray();
    }
}
