using System.ServiceModel.Syndication;
using System.Text;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;

namespace Api.Tests.Syndication;

/// <summary>Reads feeds the way a client would: the bytes as sent, through real parsers.</summary>
public static class FeedReading
{
    public static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";
    public static readonly XNamespace Content = "http://purl.org/rss/1.0/modules/content/";
    public static readonly XNamespace DublinCore = "http://purl.org/dc/elements/1.1/";
    public static readonly XNamespace Sitemap = "http://www.sitemaps.org/schemas/sitemap/0.9";
    public static readonly XNamespace News = "http://www.google.com/schemas/sitemap-news/0.9";

    /// <summary>The body of a 200 with the given content type, as bytes; UTF-8 without a byte-order mark.</summary>
    public static async Task<byte[]> ReadBodyAsync(this HttpResponseMessage response, string contentType)
    {
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.IsSuccessStatusCode, $"Expected success, got {(int)response.StatusCode}: {Encoding.UTF8.GetString(body)}");
        Assert.Equal(contentType, response.Content.Headers.ContentType?.ToString());
        Assert.False(body.AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }), "The body starts with a byte-order mark.");
        return body;
    }

    /// <summary>Parses RSS or Atom with System.ServiceModel.Syndication, as feed readers built on it do.</summary>
    public static SyndicationFeed LoadFeed(byte[] body)
    {
        using var reader = XmlReader.Create(new MemoryStream(body), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
        return SyndicationFeed.Load(reader);
    }

    public static XDocument LoadXml(byte[] body)
    {
        var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body);
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>", text);
        return XDocument.Parse(text);
    }

    public static JsonElement LoadJson(byte[] body) =>
        JsonDocument.Parse(new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body)).RootElement.Clone();

    public static string Text(this TextSyndicationContent? content) => content?.Text ?? "";
}
