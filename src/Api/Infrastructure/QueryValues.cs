using System.Globalization;
using System.Text.RegularExpressions;

namespace Api.Infrastructure;

/// <summary>Parsing of query-string values, shared by validators (which report) and handlers (which use).</summary>
public static partial class QueryValues
{
    /// <summary>Comma-separated values, trimmed, empty entries dropped.</summary>
    public static string[] List(string? value) =>
        value is null ? [] : value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>True for "a,,b" or "a," (a value left out between commas).</summary>
    public static bool HasEmptyEntries(string? value) =>
        value is not null && value.Split(',').Any(string.IsNullOrWhiteSpace);

    /// <summary><c>true</c> or <c>false</c>, nothing else.</summary>
    public static bool TryParseBool(string? value, out bool result)
    {
        result = value == "true";
        return value is "true" or "false";
    }

    public static bool TryParseInt(string? value, out int result) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out result) && value!.Length <= 10;

    public static bool TryParseId(string? value, out long result) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out result) && result > 0;

    /// <summary>An RFC 3339 date-time with an offset (<c>2017-04-12T08:00:00+08:00</c>) or a full date (<c>2017-04-12</c>, midnight UTC).</summary>
    public static bool TryParseTimestamp(string? value, out DateTime result)
    {
        result = default;
        if (value is null || value.Length > 40)
        {
            return false;
        }

        // An unencoded '+' in a query string arrives as a space: "…T08:00:00 08:00".
        if (value.Length > 6 && value[^6] == ' ')
        {
            value = string.Concat(value.AsSpan(0, value.Length - 6), "+", value.AsSpan(value.Length - 5));
        }

        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            result = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            return true;
        }

        if (Rfc3339().IsMatch(value)
            && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var timestamp))
        {
            result = timestamp.UtcDateTime;
            return true;
        }

        return false;
    }

    /// <summary>True when the text has no control characters (tabs and line breaks included).</summary>
    public static bool HasNoControlCharacters(string? value) => value is null || !value.Any(char.IsControl);

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})\z", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();
}
