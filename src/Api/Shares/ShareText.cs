using System.Globalization;
using System.Text;

namespace Api.Shares;

/// <summary>Text that must fit a network's length rule, shortened with an ellipsis at a word boundary when it does not.</summary>
public static class ShareText
{
    public const int XMaxWeight = 280;
    public const int XUrlWeight = 23;
    public const int BlueskyMaxGraphemes = 300;
    private const string Ellipsis = "…";

    /// <summary>
    /// X's weighted length (twitter-text configuration v3): code points in the Latin, common
    /// punctuation and similar ranges weigh 1; everything else (CJK, emoji...) weighs 2; an emoji
    /// sequence (one grapheme) weighs 2 as a whole.
    /// </summary>
    public static int XWeight(string text)
    {
        var weight = 0;
        var graphemes = StringInfo.GetTextElementEnumerator(text);
        while (graphemes.MoveNext())
        {
            var element = (string)graphemes.Current;
            var first = Rune.GetRuneAt(element, 0).Value;
            if (IsEmoji(first))
            {
                weight += 2;
                continue;
            }

            foreach (var rune in element.EnumerateRunes())
            {
                weight += IsLight(rune.Value) ? 1 : 2;
            }
        }

        return weight;
    }

    public static int Graphemes(string text) => new StringInfo(text).LengthInTextElements;

    /// <summary>The title for X so that "title URL" fits 280 weighted characters.</summary>
    public static string ForX(string title) => Shorten(title, t => XWeight(t) + 1 + XUrlWeight <= XMaxWeight);

    /// <summary>"title URL" for Bluesky, within 300 graphemes (the URL is never cut).</summary>
    public static string ForBluesky(string title, string url) =>
        Shorten(title, t => Graphemes(t) + 1 + Graphemes(url) <= BlueskyMaxGraphemes) + " " + url;

    /// <summary>The longest prefix of whole graphemes (cut at a space when one is near) plus "…" that fits.</summary>
    public static string Shorten(string text, Func<string, bool> fits)
    {
        if (fits(text))
        {
            return text;
        }

        var elements = new List<string>();
        var enumerator = StringInfo.GetTextElementEnumerator(text);
        while (enumerator.MoveNext())
        {
            elements.Add((string)enumerator.Current);
        }

        for (var count = elements.Count - 1; count >= 0; count--)
        {
            var prefix = string.Concat(elements.Take(count)).TrimEnd();
            var space = prefix.LastIndexOf(' ');
            var atWord = space > prefix.Length * 2 / 3 ? prefix[..space].TrimEnd() : prefix;
            foreach (var candidate in new[] { atWord + Ellipsis, prefix + Ellipsis })
            {
                if (fits(candidate))
                {
                    return candidate;
                }
            }
        }

        return fits(Ellipsis) ? Ellipsis : "";
    }

    private static bool IsLight(int codePoint) =>
        codePoint is (>= 0 and <= 4351) or (>= 8192 and <= 8205) or (>= 8208 and <= 8223) or (>= 8242 and <= 8247);

    private static bool IsEmoji(int codePoint) =>
        codePoint is (>= 0x1F000 and <= 0x1FAFF) or (>= 0x2600 and <= 0x27BF) or (>= 0x1F900 and <= 0x1F9FF) or 0x2B50 or 0x2B55 or 0x203C or 0x2049;
}
