using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Api.Articles;

/// <summary>
/// A search split into its word part (for PostgreSQL's English web-search syntax) and its runs of
/// CJK characters, which have no spaces between words and are matched as phrases of overlapping
/// character pairs (the way the index stores them; see migration 0003).
/// </summary>
public sealed partial record SearchTerms(string? Words, string? Cjk, IReadOnlyList<string> CjkRuns)
{
    // Kana, CJK ideographs (with extension A and compatibility ideographs) and Hangul syllables.
    [GeneratedRegex(@"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+", RegexOptions.CultureInvariant)]
    private static partial Regex CjkRun();

    public static SearchTerms? Parse(string? search)
    {
        if (string.IsNullOrWhiteSpace(search))
        {
            return null;
        }

        var runs = CjkRun().Matches(search).Select(m => m.Value).ToList();
        var words = CjkRun().Replace(search, " ").Trim();
        var cjk = runs.Count == 0 ? null : string.Join(" & ", runs.Select(AsPhrase));
        return new SearchTerms(words.Any(char.IsLetterOrDigit) ? words : null, cjk, runs);
    }

    /// <summary>"经济合作" becomes "经济 &lt;-&gt; 济合 &lt;-&gt; 合作"; one character stays itself.</summary>
    private static string AsPhrase(string run) =>
        run.Length == 1 ? run : string.Join(" <-> ", Enumerable.Range(0, run.Length - 1).Select(i => run.Substring(i, 2)));
}

/// <summary>
/// Search snippets as HTML: PostgreSQL marks matched words with private-use characters, the text is
/// HTML-escaped and the marks become &lt;mark&gt;. CJK matches, which the English headline parser
/// cannot see, are marked here.
/// </summary>
public static class Snippets
{
    private const int Context = 60;

    public static string? ToHtml(string? headline, string bodyText, SearchTerms? terms)
    {
        if (headline is null || terms is null)
        {
            return null;
        }

        if (headline.Contains('\uE000') || terms.CjkRuns.Count == 0)
        {
            return Mark(headline);
        }

        var (index, run) = terms.CjkRuns
            .Select(r => (Index: bodyText.IndexOf(r, StringComparison.Ordinal), Run: r))
            .Where(m => m.Index >= 0)
            .OrderBy(m => m.Index)
            .FirstOrDefault((-1, ""));
        if (index < 0)
        {
            return Mark(headline);
        }

        var start = Math.Max(0, index - Context);
        var end = Math.Min(bodyText.Length, index + run.Length + Context);
        var excerpt = new StringBuilder(bodyText, start, end - start, end - start + 32);
        foreach (var r in terms.CjkRuns.Distinct().OrderByDescending(r => r.Length))
        {
            excerpt.Replace(r, "\uE000" + r + "\uE001");
        }

        return (start > 0 ? "… " : "") + Mark(excerpt.ToString()) + (end < bodyText.Length ? " …" : "");
    }

    private static string Mark(string marked) =>
        WebUtility.HtmlEncode(marked).Replace("\uE000", "<mark>", StringComparison.Ordinal).Replace("\uE001", "</mark>", StringComparison.Ordinal);
}
