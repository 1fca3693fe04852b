using System.Text;

namespace Api.Shares;

/// <summary>
/// URL building for sharing. Every value is percent-encoded per RFC 3986 (unreserved characters
/// stay, everything else is UTF-8 %XX; a space is %20, never '+').
/// </summary>
public static class ShareUrls
{
    /// <summary>RFC 3986 percent-encoding of a query or path component.</summary>
    public static string Encode(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        var builder = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    /// <summary>The article URL with its UTM tags (existing query and fragment kept).</summary>
    public static string Tagged(string articleUrl, string source, string medium, string campaign)
    {
        var fragmentAt = articleUrl.IndexOf('#');
        var (url, fragment) = fragmentAt < 0 ? (articleUrl, "") : (articleUrl[..fragmentAt], articleUrl[fragmentAt..]);
        var separator = url.Contains('?') ? '&' : '?';
        return $"{url}{separator}utm_source={Encode(source)}&utm_medium={Encode(medium)}&utm_campaign={Encode(campaign)}{fragment}";
    }
}

/// <summary>Settings of the <c>Share</c> section.</summary>
public sealed class ShareOptions
{
    /// <summary>The <c>utm_campaign</c> of shared links.</summary>
    public string UtmCampaign { get; set; } = "share";

    /// <summary>Public base URL of this API, for links it hands out (short links, QR codes, opt-out): e.g. <c>https://api.news.example.com</c>.</summary>
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>
    /// The share targets offered, by network id, in this order. Templates take <c>{url}</c> (the
    /// article URL with its UTM tags), <c>{title}</c>, <c>{summary}</c>, <c>{text}</c> (the title
    /// shortened to the network's limit, with the URL for Bluesky) and <c>{qr}</c> (the QR code image);
    /// each is inserted percent-encoded.
    /// </summary>
    public Dictionary<string, ShareNetwork> Networks { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One share target.</summary>
public sealed class ShareNetwork
{
    public string Label { get; set; } = "";

    public string Template { get; set; } = "";
}
