using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Ganss.Xss;

namespace Api.Articles;

/// <summary>
/// Article bodies are stored only as sanitized HTML (HtmlSanitizer with an allow-list: paragraphs,
/// headings, lists, links with http(s)/mailto, images with http(s), tables, quotes and inline
/// emphasis; no scripts, styles, event handlers, frames or forms). The plain text used for search and
/// feeds is derived from that HTML: blocks separated by blank lines.
/// </summary>
public static class ArticleHtml
{
    private static readonly HtmlSanitizer Sanitizer = CreateSanitizer();
    private static readonly HtmlParser Parser = new();

    private static readonly HashSet<string> BlockElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "figcaption", "pre", "tr", "table", "ul", "ol", "figure", "div", "hr",
    };

    /// <summary>The attribute that names a medium of the media library on an <c>img</c> of the body.</summary>
    public const string MediumAttribute = "data-medium-id";

    public static string Sanitize(string html) => Sanitizer.Sanitize(html).Trim();

    /// <summary>The media of sanitized HTML's <c>img data-medium-id</c>, in order, each with the alt text it has there.</summary>
    public static IReadOnlyList<(long MediumId, string Alt)> Media(string sanitizedHtml)
    {
        if (!sanitizedHtml.Contains(MediumAttribute, StringComparison.Ordinal))
        {
            return [];
        }

        var document = Parser.ParseDocument("<body>" + sanitizedHtml + "</body>");
        return document.Body!.QuerySelectorAll("img[" + MediumAttribute + "]")
            .Select(img => (MediumIdOf(img), img.GetAttribute("alt")?.Trim() ?? ""))
            .Where(m => m.Item1 is not null)
            .Select(m => (m.Item1!.Value, m.Item2))
            .ToList();
    }

    /// <summary>
    /// Sanitized HTML with each <c>img data-medium-id</c> given its medium's rendition (<c>src</c>), its
    /// <c>srcset</c>, size, alt text (its own, else the medium's) and lazy loading.
    /// </summary>
    public static string WithMedia(string sanitizedHtml, IReadOnlyDictionary<long, ImageDto> media)
    {
        var document = Parser.ParseDocument("<body>" + sanitizedHtml + "</body>");
        foreach (var img in document.Body!.QuerySelectorAll("img[" + MediumAttribute + "]"))
        {
            if (MediumIdOf(img) is not { } id || !media.TryGetValue(id, out var medium) || medium.Renditions is not { } renditions)
            {
                continue;
            }

            img.SetAttribute("src", renditions.Src);
            img.SetAttribute("srcset", string.Join(", ", renditions.Srcset.Select(r => $"{r.Url} {r.Width}w")));
            img.SetAttribute("sizes", "(min-width: 1024px) 1024px, 100vw");
            img.SetAttribute("width", medium.Width?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            img.SetAttribute("height", medium.Height?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (string.IsNullOrWhiteSpace(img.GetAttribute("alt")))
            {
                img.SetAttribute("alt", medium.Alt);
            }

            img.SetAttribute("loading", "lazy");
            img.SetAttribute("decoding", "async");
        }

        return document.Body.InnerHtml;
    }

    private static long? MediumIdOf(IElement img) =>
        img.GetAttribute(MediumAttribute) is { Length: > 0 and <= 19 } value
        && long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) && id > 0
            ? id
            : null;

    /// <summary>The text of sanitized HTML: one paragraph per block, blank lines between, whitespace collapsed.</summary>
    public static string ToText(string sanitizedHtml)
    {
        var document = Parser.ParseDocument("<body>" + sanitizedHtml + "</body>");
        var blocks = new List<string>();
        var current = new StringBuilder();
        Walk(document.Body!, blocks, current);
        Flush(blocks, current);
        return string.Join("\n\n", blocks);
    }

    private static void Walk(INode node, List<string> blocks, StringBuilder current)
    {
        foreach (var child in node.ChildNodes)
        {
            switch (child)
            {
                case IText text:
                    current.Append(text.Data);
                    break;
                case IElement { LocalName: "br" }:
                    current.Append(' ');
                    break;
                case IElement element when BlockElements.Contains(element.LocalName):
                    Flush(blocks, current);
                    Walk(element, blocks, current);
                    Flush(blocks, current);
                    break;
                case IElement { LocalName: "td" or "th" } cell:
                    Walk(cell, blocks, current);
                    current.Append(' ');
                    break;
                case IElement element:
                    Walk(element, blocks, current);
                    break;
            }
        }
    }

    private static void Flush(List<string> blocks, StringBuilder current)
    {
        var text = string.Join(' ', current.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (text.Length > 0)
        {
            blocks.Add(text);
        }

        current.Clear();
    }

    /// <summary>Elements whose content is never text for readers.</summary>
    private static readonly HashSet<string> NotProse = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math", "textarea", "select", "head", "title",
    };

    private static HtmlSanitizer CreateSanitizer()
    {
        var options = new HtmlSanitizerOptions
        {
            AllowedTags = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
            {
                "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "a", "img", "figure", "figcaption",
                "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "blockquote", "q", "cite",
                "strong", "em", "b", "i", "u", "s", "sub", "sup", "small", "mark", "abbr", "code", "pre", "span", "time",
            },
            AllowedAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
            {
                "href", "title", "src", "alt", "width", "height", "colspan", "rowspan", "scope", "cite", "datetime", "lang", "dir",
                MediumAttribute,
            },
            AllowedSchemes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "http", "https", "mailto" },
            UriAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "href", "src", "cite" },
            AllowedCssProperties = new HashSet<string>(),
            AllowedAtRules = new HashSet<AngleSharp.Css.Dom.CssRuleType>(),
        };
        var sanitizer = new HtmlSanitizer(options);
        // The text of a removed wrapper (a <div>, a <section>) stays; what is inside code, styles and
        // embedded documents is not prose, and goes with its element rather than into the article's text.
        sanitizer.KeepChildNodes = true;
        sanitizer.RemovingTag += (_, e) =>
        {
            if (NotProse.Contains(e.Tag.LocalName))
            {
                e.Tag.InnerHtml = "";
            }
        };
        // Images may only come from the web, not from mailto: or relative tricks.
        sanitizer.FilterUrl += (_, e) =>
        {
            if (e.Tag.LocalName == "img" && e.SanitizedUrl is { } url && !url.StartsWith("http", StringComparison.OrdinalIgnoreCase))
            {
                e.SanitizedUrl = null;
            }
        };
        // Links leave the site without handing it the opener or the referrer.
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is IElement { LocalName: "a" } link && link.HasAttribute("href"))
            {
                link.SetAttribute("rel", "noopener noreferrer");
            }

            // An image from the media library is stored as its id (and its alt text): the server fills in
            // its URLs and size when the article is read, so they follow the medium's crop.
            if (e.Node is IElement image && image.HasAttribute(MediumAttribute))
            {
                if (image.LocalName == "img" && MediumIdOf(image) is not null)
                {
                    image.RemoveAttribute("src");
                    image.RemoveAttribute("width");
                    image.RemoveAttribute("height");
                }
                else
                {
                    image.RemoveAttribute(MediumAttribute);
                }
            }
        };
        return sanitizer;
    }
}
