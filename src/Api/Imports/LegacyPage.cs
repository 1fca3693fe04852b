using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Api.Imports;

/// <summary>A page of the legacy news site taken apart.</summary>
/// <param name="CategoryPath">The breadcrumb after "Home", outermost first, e.g. <c>["China News"]</c>; never empty.</param>
/// <param name="Title">The page title, whitespace normalised, at most 500 characters.</param>
/// <param name="PublishedAt">
/// UTC. The date of a date line right after the title (with its time, read as UTC, when it has one),
/// otherwise the first valid date of the lede at midnight UTC.
/// </param>
/// <param name="Summary">The lede: the first body paragraph.</param>
/// <param name="Paragraphs">Every body paragraph, the lede first, without page chrome such as "Print" or "Suggest to a friend:".</param>
public sealed record LegacyPage(
    IReadOnlyList<string> CategoryPath,
    string Title,
    DateTime PublishedAt,
    string Summary,
    IReadOnlyList<string> Paragraphs);

/// <summary>What <see cref="LegacyPageParser.Parse"/> made of a page: the page, or a one-sentence reason why not.</summary>
public sealed record LegacyPageResult(LegacyPage? Page, string? Error)
{
    public bool Succeeded => Page is not null;
}

/// <summary>
/// Reads pages of the legacy embassy news site, as a plain-text export or as HTML, into <see cref="LegacyPage"/>.
/// A text page is a breadcrumb line (<c>Home &gt; Category</c>), a title line, an optional date line and
/// paragraphs separated by blank lines. An HTML page has its breadcrumb in an element whose class or id
/// contains "crumb" (or in the first text line shaped like one), its title in the first <c>&lt;h1&gt;</c>
/// (or <c>&lt;title&gt;</c> without the site suffix) and its body in <c>&lt;p&gt;</c> elements.
/// </summary>
public static partial class LegacyPageParser
{
    private const int MaxContentLength = 2_000_000;
    private const int MaxTitleLength = 500;

    // AngleSharp's tree builder is quadratic in nesting depth (100,000 nested divs take most of a minute);
    // real pages nest a few dozen levels.
    private const int MaxHtmlDepth = 5_000;

    // Chrome is a short line of links; longer lines are body text and skip the regex.
    private const int MaxChromeLength = 200;

    private const string NoBreadcrumb = "No breadcrumb line (expected 'Home > Category').";

    private const string MonthName =
        "(?<month>january|february|march|april|may|june|july|august|september|october|november|december" +
        "|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)";

    // "April 12, 2017", "Apr. 12 2017", "12 April 2017", "2017-04-12", "2017/04/12". [0-9] rather than \d,
    // which also matches non-ASCII digits that int.Parse rejects.
    private const string DatePattern =
        "(?<![\\p{L}\\p{N}])(?:" +
        MonthName + "\\.?\\s+(?<day>[0-9]{1,2})(?:st|nd|rd|th)?(?:,\\s*|\\s+)(?<year>[0-9]{4})" +
        "|(?<day>[0-9]{1,2})(?:st|nd|rd|th)?\\s+" + MonthName + "\\.?,?\\s+(?<year>[0-9]{4})" +
        "|(?<year>[0-9]{4})(?<sep>[-/])(?<mnum>[0-9]{1,2})\\k<sep>(?<day>[0-9]{1,2})" +
        ")(?![0-9])";

    // A line that is only a date: "2017-04-12", "(2017-04-12)", "Updated: 2017-04-12 08:30".
    private const string DateLinePattern =
        "^[(\\[]?\\s*(?:(?:last\\s+)?(?:updated|modified|published|posted|released?|release\\s+time|date|time)(?:\\s+on)?\\s*[:：]?\\s*)?" +
        DatePattern +
        "(?:(?:\\s+|\\s*,\\s*|T)(?<hour>[0-9]{1,2}):(?<minute>[0-9]{2})(?::(?<second>[0-9]{2}))?)?\\s*[)\\]]?\\z";

    [GeneratedRegex(DatePattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Date();

    [GeneratedRegex(DateLinePattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DateLine();

    // Separators may only lead the line and follow a phrase, so there is one way to match and no backtracking blow-up.
    [GeneratedRegex(
        @"^[\s\[\]()|/:·•\-–—]*(?:(?:(?:(?:suggest|recommend|send|forward|e-?mail)(?:\s+(?:this|it))?(?:\s+(?:article|page|story))?\s+to\s+(?:a\s+)?friends?)" +
        @"|printer[\s-]friendly(?:\s+version)?|print(?:\s+this)?(?:\s+(?:page|article))?|close(?:\s+(?:this\s+)?window)?|share(?:\s+(?:this|to))?|back\s+to\s+top)" +
        @"[\s\[\]()|/:·•\-–—]*)+\z",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Chrome();

    [GeneratedRegex("[>»›]", RegexOptions.CultureInvariant)]
    private static partial Regex BreadcrumbSeparator();

    [GeneratedRegex(@"<(?:html|body|p)[\s>/]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HtmlMarker();

    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    // Never rendered: their text is code, markup or fallback content, not the page.
    private static readonly HashSet<string> Hidden = new(StringComparer.Ordinal)
    {
        "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "head", "title",
    };

    // Paragraphs inside these are site furniture, not the article.
    private static readonly HashSet<string> Furniture = new(StringComparer.Ordinal) { "header", "footer", "nav", "aside" };

    private static readonly HashSet<string> Blocks = new(StringComparer.Ordinal)
    {
        "address", "article", "blockquote", "caption", "center", "dd", "div", "dl", "dt", "fieldset", "figcaption",
        "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol",
        "p", "pre", "section", "table", "td", "th", "tr", "ul", "aside",
    };

    // Elements that do not deepen the tree: void ones, and those whose end tag is optional because the
    // next sibling closes them.
    private static readonly HashSet<string> Flat = new(StringComparer.OrdinalIgnoreCase)
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
        "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody", "tfoot", "colgroup", "caption",
        "rb", "rt", "rtc", "rp", "html", "head", "body",
    };

    private static readonly HashSet<string> RawText = new(StringComparer.OrdinalIgnoreCase) { "script", "style", "textarea", "title", "xmp" };

    /// <summary>
    /// Parses a page, as HTML when it starts with '&lt;' or contains an <c>&lt;html</c>, <c>&lt;body</c> or
    /// <c>&lt;p</c> tag, otherwise as plain text. Never throws: a page that cannot be read gives an error.
    /// </summary>
    public static LegacyPageResult Parse(string content)
    {
        if (content is null)
        {
            return Fail("The page is empty.");
        }

        if (content.Length > MaxContentLength)
        {
            return Fail(string.Create(CultureInfo.InvariantCulture, $"Page too large: {content.Length:N0} characters, the limit is {MaxContentLength:N0}."));
        }

        content = content.TrimStart('\uFEFF');
        if (string.IsNullOrWhiteSpace(content))
        {
            return Fail("The page is empty.");
        }

        try
        {
            var trimmed = content.AsSpan().TrimStart();
            var raw = trimmed.StartsWith('<') || HtmlMarker().IsMatch(content) ? ReadHtml(content) : ReadText(content);
            return raw.Error is null ? Assemble(raw) : Fail(raw.Error);
        }
        catch (Exception e)
        {
            // The readers are written not to throw; this keeps the promise if a library does.
            return Fail($"The page could not be read ({e.GetType().Name}).");
        }
    }

    private static LegacyPageResult Fail(string error) => new(null, error);

    /// <summary>The parts of a page before they are checked; <see cref="Assemble"/> applies the rules.</summary>
    private sealed record RawPage(string? Breadcrumb, string? Title, string? DateLine, IReadOnlyList<string> Blocks, string? Error = null);

    private static LegacyPageResult Assemble(RawPage raw)
    {
        if (raw.Breadcrumb is null)
        {
            return Fail(NoBreadcrumb);
        }

        var segments = BreadcrumbSeparator().Split(raw.Breadcrumb).Select(Normalise).ToList();
        if (!segments[0].Equals("Home", StringComparison.OrdinalIgnoreCase))
        {
            return Fail(NoBreadcrumb);
        }

        if (segments.Count == 1)
        {
            return Fail("The breadcrumb has no category after 'Home'.");
        }

        if (segments.Any(s => s.Length == 0))
        {
            return Fail("The breadcrumb has an empty segment.");
        }

        var title = Normalise(raw.Title ?? "");
        if (title.Length == 0)
        {
            return Fail("No title after the breadcrumb.");
        }

        if (title.Length > MaxTitleLength)
        {
            return Fail($"The title is longer than {MaxTitleLength} characters.");
        }

        var paragraphs = raw.Blocks.Select(Normalise).Where(b => b.Length > 0 && !IsChrome(b)).ToList();
        var dateLine = raw.DateLine;
        if (paragraphs.Count > 0 && DateLine().IsMatch(paragraphs[0]))
        {
            dateLine ??= paragraphs[0];
            paragraphs.RemoveAt(0);
        }

        if (paragraphs.Count == 0)
        {
            return Fail("No body paragraphs after the title.");
        }

        // The date line is the page's own publication stamp; the lede's date is the event's, usually the same day.
        var publishedAt = (dateLine is null ? null : DateFromLine(dateLine)) ?? FirstDate(paragraphs[0]);
        if (publishedAt is null)
        {
            return Fail("No publication date: neither a date line after the title nor a valid date in the first paragraph.");
        }

        return new LegacyPageResult(new LegacyPage(segments.Skip(1).ToList(), title, publishedAt.Value, paragraphs[0], paragraphs), null);
    }

    private static RawPage ReadText(string content)
    {
        var lines = content.Replace("\r\n", "\n", StringComparison.Ordinal)
            .Split(['\n', '\r', '\u0085', '\u2028', '\u2029'])
            .Select(Normalise)
            .ToList();

        var i = NextNonEmpty(lines, 0);
        if (i == lines.Count)
        {
            return new RawPage(null, null, null, [], "The page is empty.");
        }

        var breadcrumb = lines[i];
        i = NextNonEmpty(lines, i + 1);
        if (i == lines.Count)
        {
            return new RawPage(breadcrumb, null, null, []);
        }

        var title = lines[i];
        string? dateLine = null;
        i = NextNonEmpty(lines, i + 1);
        if (i < lines.Count && DateLine().IsMatch(lines[i]))
        {
            dateLine = lines[i++];
        }

        // Lines of one paragraph (a soft-wrapped export) are joined; a blank or chrome line ends a paragraph.
        var blocks = new List<string>();
        var current = new List<string>();
        foreach (var line in lines.Skip(i))
        {
            if (line.Length == 0 || IsChrome(line))
            {
                Flush();
            }
            else
            {
                current.Add(line);
            }
        }

        Flush();
        return new RawPage(breadcrumb, title, dateLine, blocks);

        void Flush()
        {
            if (current.Count > 0)
            {
                blocks.Add(string.Join(' ', current));
                current.Clear();
            }
        }
    }

    private static int NextNonEmpty(List<string> lines, int from)
    {
        while (from < lines.Count && lines[from].Length == 0)
        {
            from++;
        }

        return from;
    }

    private static RawPage ReadHtml(string html)
    {
        if (NestingDepth(html) > MaxHtmlDepth)
        {
            return new RawPage(null, null, null, [], string.Create(CultureInfo.InvariantCulture, $"The HTML is nested more than {MaxHtmlDepth:N0} elements deep."));
        }

        using var document = new HtmlParser().ParseDocument(html);
        var root = (INode?)document.Body ?? document.DocumentElement;
        if (root is null)
        {
            return new RawPage(null, null, null, [], NoBreadcrumb);
        }

        // A few elements named like a breadcrumb, the first one reading like one wins; <body class="...crumb...">
        // and other wrappers of the whole page do not.
        var crumb = document.All
            .Where(e => e.LocalName is not ("html" or "body") && !Hidden.Contains(e.LocalName) &&
                ((e.ClassName?.Contains("crumb", StringComparison.OrdinalIgnoreCase) ?? false) ||
                 (e.Id?.Contains("crumb", StringComparison.OrdinalIgnoreCase) ?? false)))
            .Take(10)
            .Select(e => (Element: e, Text: CrumbText(e)))
            .Where(c => IsBreadcrumbShaped(c.Text) || c.Text.Equals("Home", StringComparison.OrdinalIgnoreCase))
            .Select(c => ((IElement Element, string Text)?)c)
            .FirstOrDefault();

        var (lines, paragraphs) = Render(root, crumb?.Element);

        var heading = document.QuerySelectorAll("h1").Select(h => TextOf(h)).FirstOrDefault(t => t.Length > 0);
        var title = heading ?? WithoutSiteSuffix(Normalise(document.Title ?? ""));
        var breadcrumb = crumb?.Text ?? lines.FirstOrDefault(IsBreadcrumbShaped);

        // A date line is the rendered line right after the heading, e.g. <div class="date">2017-04-12</div>.
        string? dateLine = null;
        if (heading is not null)
        {
            var at = lines.IndexOf(heading);
            if (at >= 0 && at + 1 < lines.Count && DateLine().IsMatch(lines[at + 1]))
            {
                dateLine = lines[at + 1];
            }
        }

        var body = paragraphs.Where(p => !IsBreadcrumbShaped(p) && !p.Equals(title, StringComparison.Ordinal)).ToList();
        return new RawPage(breadcrumb, title, dateLine, body);
    }

    /// <summary>
    /// Walks the tree without recursion, giving its text as lines (a block element or <c>&lt;br&gt;</c> starts
    /// a new one) and the text of its paragraphs in document order, outside <paramref name="skipParagraphsIn"/>
    /// and site furniture.
    /// </summary>
    private static (List<string> Lines, List<string> Paragraphs) Render(INode root, IElement? skipParagraphsIn)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        var paragraphs = new List<string>();
        var open = new Stack<(int Slot, StringBuilder Text)>();
        var furniture = 0;
        var stack = new Stack<(INode Node, bool Leaving)>();
        stack.Push((root, false));

        while (stack.Count > 0)
        {
            var (node, leaving) = stack.Pop();
            if (node is IText text)
            {
                line.Append(text.Data);
                if (open.Count > 0)
                {
                    open.Peek().Text.Append(text.Data);
                }

                continue;
            }

            if (node is not IElement element || Hidden.Contains(element.LocalName))
            {
                continue;
            }

            var name = element.LocalName;
            var excludes = Furniture.Contains(name) || element == skipParagraphsIn;
            if (leaving)
            {
                if (name == "p" && open.Count > 0 && open.Pop() is { Slot: >= 0 } done)
                {
                    paragraphs[done.Slot] = Normalise(done.Text.ToString());
                }

                furniture -= excludes ? 1 : 0;
                EndLine(Blocks.Contains(name));
                continue;
            }

            if (name == "br")
            {
                EndLine(true);
                if (open.Count > 0)
                {
                    open.Peek().Text.Append(' ');
                }

                continue;
            }

            EndLine(Blocks.Contains(name));
            furniture += excludes ? 1 : 0;
            if (name == "p")
            {
                // A slot taken on entry keeps paragraphs in start order when a quirks-mode page nests one p in
                // another; a paragraph in furniture gets no slot and its text is dropped.
                var slot = furniture == 0 ? paragraphs.Count : -1;
                if (slot >= 0)
                {
                    paragraphs.Add("");
                }

                open.Push((slot, new StringBuilder()));
            }

            stack.Push((element, true));
            for (var child = element.LastChild; child is not null; child = child.PreviousSibling)
            {
                stack.Push((child, false));
            }
        }

        EndLine(true);
        return (lines, paragraphs);

        void EndLine(bool block)
        {
            if (!block || line.Length == 0)
            {
                return;
            }

            var text = Normalise(line.ToString());
            if (text.Length > 0)
            {
                lines.Add(text);
            }

            line.Clear();
        }
    }

    /// <summary>
    /// The breadcrumb element's text; when the site draws its separators with CSS the text has none, and the
    /// element's list items (or links) are the segments.
    /// </summary>
    private static string CrumbText(IElement crumb)
    {
        var text = TextOf(crumb);
        if (BreadcrumbSeparator().IsMatch(text))
        {
            return text;
        }

        var items = crumb.QuerySelectorAll("li").ToList();
        if (items.Count == 0)
        {
            items = crumb.QuerySelectorAll("a").ToList();
        }

        return items.Count == 0 ? text : string.Join(" > ", items.Select(TextOf));
    }

    private static string TextOf(IElement element) => string.Join(' ', Render(element, null).Lines);

    private static bool IsBreadcrumbShaped(string line)
    {
        var first = BreadcrumbSeparator().Match(line);
        return first.Success && line.AsSpan(0, first.Index).Trim().Equals("Home", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>"Talks with the US - Embassy of China" becomes "Talks with the US".</summary>
    private static string WithoutSiteSuffix(string title)
    {
        var cut = Math.Max(title.LastIndexOf(" - ", StringComparison.Ordinal), title.LastIndexOf(" | ", StringComparison.Ordinal));
        return cut > 0 ? title[..cut].Trim() : title;
    }

    /// <summary>
    /// How deep the tags of <paramref name="html"/> nest, estimated without parsing: elements that close
    /// themselves or whose next sibling closes them do not count, and an end tag counts only when an element
    /// of its name is open, so stray end tags cannot hide depth.
    /// </summary>
    private static int NestingDepth(string html)
    {
        var open = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        int depth = 0, deepest = 0, i = 0;
        while (deepest <= MaxHtmlDepth && (i = html.IndexOf('<', i)) >= 0)
        {
            if (html.AsSpan(i).StartsWith("<!--"))
            {
                // As the tokenizer reads them: "<!-->" is a whole comment, and "--!>" ends one too.
                var endOfComment = MinIndex(html.IndexOf("-->", i + 2, StringComparison.Ordinal), html.IndexOf("--!>", i + 2, StringComparison.Ordinal));
                if (endOfComment < 0)
                {
                    break;
                }

                i = endOfComment + 3;
                continue;
            }

            var closing = i + 1 < html.Length && html[i + 1] == '/';
            var start = closing ? i + 2 : i + 1;
            if (start >= html.Length || !char.IsAsciiLetter(html[start]))
            {
                i++;
                continue;
            }

            // A tag name runs to whitespace, '/' or '>', as in the tokenizer, so "<div-x>" is not a div.
            var end = start;
            while (end < html.Length && !char.IsWhiteSpace(html[end]) && html[end] is not ('/' or '>'))
            {
                end++;
            }

            var name = html[start..end];
            i = end;
            if (Flat.Contains(name))
            {
                continue;
            }

            if (closing)
            {
                if (open.TryGetValue(name, out var count) && count > 0)
                {
                    open[name] = count - 1;
                    depth--;
                }

                continue;
            }

            if (RawText.Contains(name))
            {
                // Script and the like hold text, not tags, up to their end tag.
                var endTag = html.IndexOf("</" + name, i, StringComparison.OrdinalIgnoreCase);
                if (endTag < 0)
                {
                    break;
                }

                i = endTag + 2 + name.Length;
                continue;
            }

            open[name] = open.GetValueOrDefault(name) + 1;
            deepest = Math.Max(deepest, ++depth);
        }

        return deepest;
    }

    private static int MinIndex(int a, int b) => a < 0 ? b : b < 0 ? a : Math.Min(a, b);

    private static bool IsChrome(string line) => line.Length <= MaxChromeLength && Chrome().IsMatch(line);

    /// <summary>The first valid date in the text, at midnight UTC; "February 30, 2017" is passed over.</summary>
    private static DateTime? FirstDate(string text)
    {
        for (var match = Date().Match(text); match.Success; match = match.NextMatch())
        {
            if (ToDate(match) is { } date)
            {
                return date;
            }
        }

        return null;
    }

    /// <summary>The date of a date line, with its time of day (read as UTC) when it has one.</summary>
    private static DateTime? DateFromLine(string line)
    {
        var match = DateLine().Match(line);
        if (!match.Success || ToDate(match) is not { } date)
        {
            return null;
        }

        if (!match.Groups["hour"].Success)
        {
            return date;
        }

        var hour = int.Parse(match.Groups["hour"].ValueSpan, CultureInfo.InvariantCulture);
        var minute = int.Parse(match.Groups["minute"].ValueSpan, CultureInfo.InvariantCulture);
        var second = match.Groups["second"].Success ? int.Parse(match.Groups["second"].ValueSpan, CultureInfo.InvariantCulture) : 0;
        return hour < 24 && minute < 60 && second < 60 ? date.Add(new TimeSpan(hour, minute, second)) : null;
    }

    private static DateTime? ToDate(Match match)
    {
        var year = int.Parse(match.Groups["year"].ValueSpan, CultureInfo.InvariantCulture);
        var day = int.Parse(match.Groups["day"].ValueSpan, CultureInfo.InvariantCulture);
        var month = match.Groups["mnum"].Success
            ? int.Parse(match.Groups["mnum"].ValueSpan, CultureInfo.InvariantCulture)
            : Array.IndexOf(Months, match.Groups["month"].Value[..3].ToLowerInvariant()) + 1;

        // The site dates from the 1990s; other four-digit numbers next to a month are not publication years.
        if (year is < 1900 or > 2100 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return null;
        }

        return new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Utc);
    }

    /// <summary>
    /// Unicode spaces (U+00A0 and the like), tabs and control characters become one space, zero-width and
    /// soft-hyphen characters go, and the ends are trimmed.
    /// </summary>
    private static string Normalise(string text)
    {
        var result = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (c is '\u200B' or '\u2060' or '\uFEFF' or '\u00AD')
            {
                continue;
            }

            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                space = result.Length > 0;
                continue;
            }

            if (space)
            {
                result.Append(' ');
                space = false;
            }

            result.Append(c);
        }

        return result.ToString();
    }
}
