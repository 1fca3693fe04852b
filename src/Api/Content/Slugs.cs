using System.Text.RegularExpressions;

namespace Api.Content;

/// <summary>Slugs are lowercase ASCII letters and digits in groups joined by single hyphens.</summary>
public static partial class Slugs
{
    public const int MaxArticleLength = 200;
    public const int MaxCategoryLength = 100;
    public const string FormatMessage = "'{PropertyName}' must be lowercase ASCII letters and digits, in groups joined by single hyphens (e.g. 'china-news').";

    [GeneratedRegex("^[a-z0-9]+(?:-[a-z0-9]+)*\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool IsValid(string? value) => value is not null && Pattern().IsMatch(value);

    [GeneratedRegex("[^a-z0-9]+", RegexOptions.CultureInvariant)]
    private static partial Regex NotSlug();

    /// <summary>
    /// A slug from free text: transliterated to ASCII (AnyAscii: 习近平 → xijinping, Ελλάδα → ellada),
    /// lowercased, runs of anything else turned into single hyphens, cut at a word boundary.
    /// Null when nothing usable remains (e.g. only punctuation or emoji).
    /// </summary>
    public static string? FromText(string text, int maxLength = 80)
    {
        // Ideographic scripts have no spaces; transliterating each character on its own keeps the
        // syllables apart (xi-jin-ping rather than xijinping).
        var spaced = new System.Text.StringBuilder(text.Length * 2);
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsIdeographic(rune.Value))
            {
                spaced.Append(' ').Append(AnyAscii.Transliteration.Transliterate(rune.ToString())).Append(' ');
            }
            else
            {
                spaced.Append(rune.ToString());
            }
        }

        var ascii = AnyAscii.Transliteration.Transliterate(spaced.ToString()).ToLowerInvariant();
        var slug = NotSlug().Replace(ascii, "-").Trim('-');
        if (slug.Length > maxLength)
        {
            var cut = slug.LastIndexOf('-', maxLength);
            slug = (cut > maxLength / 2 ? slug[..cut] : slug[..maxLength]).Trim('-');
        }

        return slug.Length == 0 ? null : slug;
    }

    private static bool IsIdeographic(int codePoint) =>
        codePoint is (>= 0x3040 and <= 0x30FF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x4E00 and <= 0x9FFF) or (>= 0xF900 and <= 0xFAFF) or (>= 0x20000 and <= 0x2FA1F);

    /// <summary><paramref name="wanted"/>, or with the first "-2", "-3"… suffix that is not <paramref name="taken"/>.</summary>
    public static string FirstFree(string wanted, IReadOnlySet<string> taken)
    {
        if (!taken.Contains(wanted))
        {
            return wanted;
        }

        for (var n = 2; ; n++)
        {
            var candidate = $"{wanted}-{n.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
            if (!taken.Contains(candidate))
            {
                return candidate;
            }
        }
    }
}
