using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;

namespace Api.Imports.WordPress;

/// <summary>
/// Turns a post's <c>content:encoded</c> into the HTML WordPress would have shown, before it is
/// sanitized as every body is. Posts of the block editor are HTML already. Posts of the classic
/// editor are not: WordPress makes their paragraphs at display time from blank lines and line breaks
/// (<c>wpautop</c>), and expands shortcodes. Here, as there: blank lines make paragraphs and single
/// line breaks <c>&lt;br&gt;</c>, except inside blocks such as lists, tables, quotes and
/// <c>&lt;pre&gt;</c>; <c>[caption]</c> becomes a figure with its caption and <c>[embed]</c> a link. The
/// shortcodes of galleries, audio, video and playlists need WordPress to render them and are dropped,
/// which the item's notes say.
/// </summary>
public static partial class WordPressHtml
{
    private static readonly HtmlParser Parser = new();

    [GeneratedRegex(@"<!--\s*wp:", RegexOptions.CultureInvariant)]
    private static partial Regex BlockMarker();

    [GeneratedRegex(@"<pre[\s>].*?</pre>", RegexOptions.CultureInvariant | RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Preformatted();

    [GeneratedRegex(@"\n[ \t]*\n\s*", RegexOptions.CultureInvariant)]
    private static partial Regex BlankLines();

    [GeneratedRegex(@"</?(?:p|div|h[1-6]|ul|ol|li|blockquote|pre|table|thead|tbody|tfoot|tr|td|th|caption|dl|dt|dd|figure|figcaption|hr|address|section|article|aside|header|footer|nav|form|fieldset|legend|details|summary|iframe|object|embed|video|audio|math|svg|style|script|noscript|hgroup|main|map|area|select|option|textarea)[\s>/]", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex BlockTag();

    [GeneratedRegex(@"\[(?:wp_)?caption\b[^\]]*\](.*?)\[/(?:wp_)?caption\]", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex Caption();

    [GeneratedRegex(@"\[embed\b[^\]]*\]\s*(https?://[^\s\[\]<>""]+)\s*\[/embed\]", RegexOptions.CultureInvariant)]
    private static partial Regex Embed();

    [GeneratedRegex(@"\[(gallery|audio|video|playlist|embed)\b[^\]]*\](?:.*?\[/\1\])?", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex MediaShortcode();

    [GeneratedRegex(@"^(\s*(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex ImageThenText();

    [GeneratedRegex(@"<[^>]*>", RegexOptions.CultureInvariant)]
    private static partial Regex Tag();

    /// <summary>The post's body as HTML to sanitize, and notes on what had to be dropped.</summary>
    public static (string Html, IReadOnlyList<string> Notes) Body(string? content)
    {
        var notes = new List<string>();
        if (string.IsNullOrWhiteSpace(content))
        {
            return ("", notes);
        }

        var text = content.Replace("\r\n", "\n").Replace('\r', '\n');
        text = Caption().Replace(text, m =>
        {
            var inner = ImageThenText().Match(m.Groups[1].Value.Trim());
            return inner.Success
                ? $"<figure>{inner.Groups[1].Value.Trim()}<figcaption>{inner.Groups[2].Value.Trim()}</figcaption></figure>"
                : m.Groups[1].Value;
        });
        text = Embed().Replace(text, m => $"<p><a href=\"{WebUtility.HtmlEncode(m.Groups[1].Value)}\">{WebUtility.HtmlEncode(m.Groups[1].Value)}</a></p>");
        var dropped = MediaShortcode().Matches(text).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).ToList();
        if (dropped.Count > 0)
        {
            text = MediaShortcode().Replace(text, "");
            notes.Add($"Shortcodes that only WordPress can render were dropped: {string.Join(", ", dropped.Select(d => $"[{d}]"))}.");
        }

        return (BlockMarker().IsMatch(text) ? text : Paragraphs(text), notes);
    }

    /// <summary>wpautop, in short: blank lines end paragraphs, single line breaks become &lt;br&gt;, blocks stay as they are.</summary>
    private static string Paragraphs(string text)
    {
        // <pre> keeps its blank lines: set aside while the rest is cut into paragraphs.
        var kept = new List<string>();
        text = Preformatted().Replace(text, m =>
        {
            kept.Add(m.Value);
            return $"\n\n\uE000{kept.Count - 1}\uE001\n\n";
        });

        var html = new StringBuilder(text.Length + 64);
        foreach (var chunk in BlankLines().Split(text.Trim()))
        {
            var part = chunk.Trim();
            if (part.Length == 0)
            {
                continue;
            }

            if (part.StartsWith('\uE000') && part.EndsWith('\uE001'))
            {
                html.Append(kept[int.Parse(part[1..^1], System.Globalization.CultureInfo.InvariantCulture)]).Append('\n');
            }
            else if (BlockTag().IsMatch(part))
            {
                html.Append(part).Append('\n');
            }
            else
            {
                html.Append("<p>").Append(part.Replace("\n", "<br>\n")).Append("</p>\n");
            }
        }

        return html.ToString().TrimEnd();
    }

    /// <summary>Plain text of a title or name that may hold markup or entities ("Title &lt;em&gt;With&lt;/em&gt; Markup", "Q&amp;A").</summary>
    public static string PlainText(string? html)
    {
        if (string.IsNullOrEmpty(html))
        {
            return "";
        }

        if (html.IndexOf('<') < 0)
        {
            return Squeeze(WebUtility.HtmlDecode(html));
        }

        using var document = Parser.ParseDocument("<body>" + html);
        return Squeeze(document.Body?.TextContent ?? WebUtility.HtmlDecode(Tag().Replace(html, "")));
    }

    /// <summary>Whether a title or name had markup that <see cref="PlainText"/> removed.</summary>
    public static bool HasMarkup(string? html) => html is not null && Tag().IsMatch(html);

    private static string Squeeze(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }
}
