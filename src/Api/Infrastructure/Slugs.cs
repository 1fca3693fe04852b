using System.Text.RegularExpressions;

namespace Api.Infrastructure;

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
        var ascii = AnyAscii.Transliteration.Transliterate(text).ToLowerInvariant();
        var slug = NotSlug().Replace(ascii, "-").Trim('-');
        if (slug.Length > maxLength)
        {
            var cut = slug.LastIndexOf('-', maxLength);
            slug = (cut > maxLength / 2 ? slug[..cut] : slug[..maxLength]).Trim('-');
        }

        return slug.Length == 0 ? null : slug;
    }
}
