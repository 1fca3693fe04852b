using System.Diagnostics.CodeAnalysis;

namespace Api.Infrastructure;

/// <summary>
/// A point in time given in a query string: an RFC 3339 date-time with an offset
/// (<c>2017-04-12T08:00:00+08:00</c>) or a full date (<c>2017-04-12</c>, midnight UTC).
/// Bound by the framework through <see cref="TryParse(string?, IFormatProvider?, out Timestamp)"/>.
/// </summary>
public readonly record struct Timestamp(DateTime Utc) : IQueryValue<Timestamp>
{
    public static string Expected => "an RFC 3339 timestamp (2017-04-12T08:00:00Z) or a date (2017-04-12)";

    public static Timestamp Parse(string s, IFormatProvider? provider) =>
        TryParse(s, provider, out var result) ? result : throw new FormatException($"Expected {Expected}.");

    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out Timestamp result)
    {
        var parsed = QueryValues.TryParseTimestamp(s, out var utc);
        result = new Timestamp(utc);
        return parsed;
    }

    public override string ToString() => Utc.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// A type a query parameter can have beside the built-in numbers and booleans: parsed by the
/// framework's binding, and described to a client who sends something else.
/// </summary>
public interface IQueryValue<TSelf> : IParsable<TSelf> where TSelf : IQueryValue<TSelf>
{
    /// <summary>What a value must look like, completing "'name' must be …".</summary>
    static abstract string Expected { get; }
}
