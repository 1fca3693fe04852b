using System.Globalization;
using System.Xml;

namespace Api.Syndication;

/// <summary>A URL of a sitemap with its last change, and the page's lead image when it has one.</summary>
public sealed record SitemapEntry(string Location, DateTime LastModified, string? ImageUrl = null);

/// <summary>An article of the Google News sitemap, with its lead image when it has one.</summary>
public sealed record NewsSitemapEntry(string Location, string Title, string Language, DateTime PublishedAt, string? ImageUrl = null);

/// <summary>
/// Sitemaps (https://www.sitemaps.org/protocol.html): a <c>urlset</c>, a <c>sitemapindex</c>, and the
/// Google News extension (https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap)
/// and, for the pages' lead images, the image extension (https://developers.google.com/search/docs/crawling-indexing/sitemaps/image-sitemaps).
/// </summary>
public static class SitemapXml
{
    public const string ContentType = "application/xml; charset=utf-8";
    public const string Namespace = "http://www.sitemaps.org/schemas/sitemap/0.9";
    public const string NewsNamespace = "http://www.google.com/schemas/sitemap-news/0.9";
    public const string ImageNamespace = "http://www.google.com/schemas/sitemap-image/1.1";

    public static byte[] UrlSet(IEnumerable<SitemapEntry> entries) => Write(xml =>
    {
        xml.WriteStartElement("urlset", Namespace);
        xml.WriteAttributeString("xmlns", "image", null, ImageNamespace);
        foreach (var entry in entries)
        {
            xml.WriteStartElement("url", Namespace);
            xml.WriteElementString("loc", Namespace, XmlText.Clean(entry.Location));
            xml.WriteElementString("lastmod", Namespace, W3CDateTime(entry.LastModified));
            WriteImage(xml, entry.ImageUrl);
            xml.WriteEndElement();
        }

        xml.WriteEndElement();
    });

    public static byte[] Index(IEnumerable<SitemapEntry> sitemaps) => Write(xml =>
    {
        xml.WriteStartElement("sitemapindex", Namespace);
        foreach (var sitemap in sitemaps)
        {
            xml.WriteStartElement("sitemap", Namespace);
            xml.WriteElementString("loc", Namespace, XmlText.Clean(sitemap.Location));
            xml.WriteElementString("lastmod", Namespace, W3CDateTime(sitemap.LastModified));
            xml.WriteEndElement();
        }

        xml.WriteEndElement();
    });

    public static byte[] News(string publication, IEnumerable<NewsSitemapEntry> entries) => Write(xml =>
    {
        xml.WriteStartElement("urlset", Namespace);
        xml.WriteAttributeString("xmlns", "news", null, NewsNamespace);
        xml.WriteAttributeString("xmlns", "image", null, ImageNamespace);
        foreach (var entry in entries)
        {
            xml.WriteStartElement("url", Namespace);
            xml.WriteElementString("loc", Namespace, XmlText.Clean(entry.Location));
            xml.WriteStartElement("news", NewsNamespace);
            xml.WriteStartElement("publication", NewsNamespace);
            xml.WriteElementString("name", NewsNamespace, XmlText.Clean(publication));
            xml.WriteElementString("language", NewsNamespace, NewsLanguage(entry.Language));
            xml.WriteEndElement();
            xml.WriteElementString("publication_date", NewsNamespace, W3CDateTime(entry.PublishedAt));
            xml.WriteElementString("title", NewsNamespace, XmlText.Clean(entry.Title));
            xml.WriteEndElement();
            WriteImage(xml, entry.ImageUrl);
            xml.WriteEndElement();
        }

        xml.WriteEndElement();
    });

    private static void WriteImage(XmlWriter xml, string? imageUrl)
    {
        if (imageUrl is null)
        {
            return;
        }

        xml.WriteStartElement("image", ImageNamespace);
        xml.WriteElementString("loc", ImageNamespace, XmlText.Clean(imageUrl));
        xml.WriteEndElement();
    }

    /// <summary>
    /// The language as Google News wants it: an ISO 639 code (the primary subtag), except Chinese,
    /// which is <c>zh-cn</c> in Simplified script and <c>zh-tw</c> in Traditional (<c>zh-Hant</c>, or
    /// Taiwan, Hong Kong and Macao without a script).
    /// </summary>
    public static string NewsLanguage(string languageTag)
    {
        var subtags = languageTag.ToLowerInvariant().Split('-');
        if (subtags[0] != "zh")
        {
            return subtags[0];
        }

        var script = subtags.Skip(1).FirstOrDefault(s => s.Length == 4 && char.IsAsciiLetter(s[0]));
        var traditional = script is not null
            ? script == "hant"
            : subtags.Skip(1).Any(s => s is "tw" or "hk" or "mo");
        return traditional ? "zh-tw" : "zh-cn";
    }

    /// <summary>W3C Datetime to the second, in UTC: <c>2017-04-12T08:30:00Z</c>.</summary>
    public static string W3CDateTime(DateTime value) =>
        DateTime.SpecifyKind(value, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static byte[] Write(Action<XmlWriter> write)
    {
        using var stream = new MemoryStream();
        using (var xml = XmlWriter.Create(stream, XmlText.WriterSettings))
        {
            xml.WriteStartDocument();
            write(xml);
            xml.WriteEndDocument();
        }

        return stream.ToArray();
    }
}
