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
}
