using System.Text.RegularExpressions;

namespace Api.Content;

/// <summary>BCP 47 language tags, kept in their conventional case: <c>en</c>, <c>zh-Hans</c>, <c>pt-BR</c>.</summary>
public static partial class Languages
{
    public const int MaxLength = 35;

    // language (2-3 letters, optional extlang), optional script (4 letters), optional region (2 letters or 3 digits), variants.
    [GeneratedRegex(@"^[A-Za-z]{2,3}(-[A-Za-z]{3}){0,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|\d{3}))?(-([A-Za-z0-9]{5,8}|\d[A-Za-z0-9]{3}))*\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool IsValid(string? tag) => tag is { Length: <= MaxLength } && Pattern().IsMatch(tag);

    /// <summary>Language lowercase, script title case, region uppercase (RFC 5646 §2.1.1).</summary>
    public static string Normalize(string tag)
    {
        var parts = tag.Split('-');
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = i == 0 ? parts[i].ToLowerInvariant()
                : parts[i].Length == 4 && char.IsAsciiLetter(parts[i][0]) ? char.ToUpperInvariant(parts[i][0]) + parts[i][1..].ToLowerInvariant()
                : parts[i].Length == 2 ? parts[i].ToUpperInvariant()
                : parts[i].ToLowerInvariant();
        }

        return string.Join('-', parts);
    }
}
