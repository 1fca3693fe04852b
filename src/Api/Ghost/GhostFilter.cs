using System.Globalization;
using System.Text;
using Dapper;

namespace Api.Ghost;

/// <summary>A <c>filter</c> Ghost would refuse (or one this service does not support), and why.</summary>
public sealed class GhostFilterException(string message) : Exception(message);

/// <summary>What a filter field stands for in SQL.</summary>
public abstract record GhostField
{
    /// <summary>A column or expression of the row (text, bigint, timestamptz).</summary>
    public sealed record Column(string Sql, Type ValueType) : GhostField;

    /// <summary>Rows related through a subquery: <c>EXISTS ({Sql} AND {key} ...)</c> with the related key in <paramref name="Key"/>.</summary>
    public sealed record Related(string Sql, string Key) : GhostField;

    /// <summary>A value every row has here (featured is always false, visibility always public).</summary>
    public sealed record Constant(object Value) : GhostField;
}

/// <summary>
/// Ghost's filter language (NQL) turned into a parameterized SQL condition: <c>field:value</c>,
/// <c>field:-value</c> (not), <c>field:&gt;value</c>, <c>&gt;=</c>, <c>&lt;</c>, <c>&lt;=</c>,
/// <c>field:~value</c> (contains), <c>~^</c> (starts with), <c>~$</c> (ends with), <c>field:[a,b]</c> (any
/// of), <c>field:-[a,b]</c>, <c>null</c>, <c>true</c> and <c>false</c>, values bare or in single quotes
/// (<c>\'</c> for a quote), <c>+</c> for and, <c>,</c> for or (and binds tighter), parentheses. Fields
/// are the ones the caller maps (<see cref="GhostField"/>); any other is refused, as Ghost refuses a
/// filter it cannot parse. Values only ever go to the database as parameters.
/// </summary>
public sealed class GhostFilter
{
    public const int MaxLength = 2000;
    private const int MaxDepth = 10;
    private const int MaxComparisons = 50;
    private const int MaxListItems = 100;

    private readonly string text;
    private readonly Func<string, GhostField?> fields;
    private readonly DynamicParameters parameters;
    private int at;
    private int comparisons;

    private GhostFilter(string text, Func<string, GhostField?> fields, DynamicParameters parameters)
    {
        this.text = text;
        this.fields = fields;
        this.parameters = parameters;
    }

    /// <summary>The SQL condition of <paramref name="filter"/>, its values added to <paramref name="parameters"/>.</summary>
    /// <exception cref="GhostFilterException">The filter cannot be parsed, or names a field that is not supported.</exception>
    public static string ToSql(string filter, Func<string, GhostField?> fields, DynamicParameters parameters)
    {
        if (filter.Length > MaxLength)
        {
            throw new GhostFilterException($"The filter is longer than {MaxLength} characters.");
        }

        var parser = new GhostFilter(filter, fields, parameters);
        var sql = parser.Or(0);
        parser.SkipSpace();
        if (parser.at < filter.Length)
        {
            throw parser.Error($"unexpected '{filter[parser.at]}'");
        }

        return sql;
    }

    private string Or(int depth)
    {
        var parts = new List<string> { And(depth) };
        while (Accept(','))
        {
            parts.Add(And(depth));
        }

        return parts.Count == 1 ? parts[0] : "(" + string.Join(" OR ", parts) + ")";
    }

    private string And(int depth)
    {
        var parts = new List<string> { Term(depth) };
        while (Accept('+'))
        {
            parts.Add(Term(depth));
        }

        return parts.Count == 1 ? parts[0] : "(" + string.Join(" AND ", parts) + ")";
    }

    private string Term(int depth)
    {
        if (Accept('('))
        {
            if (depth >= MaxDepth)
            {
                throw Error($"more than {MaxDepth} levels of parentheses");
            }

            var inner = Or(depth + 1);
            if (!Accept(')'))
            {
                throw Error("a parenthesis is not closed");
            }

            return inner;
        }

        return Comparison();
    }

    private string Comparison()
    {
        if (++comparisons > MaxComparisons)
        {
            throw Error($"more than {MaxComparisons} comparisons");
        }

        SkipSpace();
        var start = at;
        while (at < text.Length && (char.IsAsciiLetterOrDigit(text[at]) || text[at] is '_' or '.'))
        {
            at++;
        }

        var name = text[start..at];
        if (name.Length == 0)
        {
            throw Error("a field name is missing");
        }

        if (!Accept(':'))
        {
            throw Error($"'{name}' is not followed by ':'");
        }

        var field = fields(name.ToLowerInvariant()) ?? throw new GhostFilterException($"The filter field '{name}' is not supported.");
        var negated = Accept('-');
        var op = Operator();
        var values = Values(out var isList);
        return Sql(name, field, negated, op, values, isList);
    }

    private string Operator()
    {
        foreach (var op in new[] { ">=", "<=", ">", "<", "~^", "~$", "~" })
        {
            if (string.CompareOrdinal(text, at, op, 0, op.Length) == 0)
            {
                at += op.Length;
                return op;
            }
        }

        return "=";
    }

    private List<Value> Values(out bool isList)
    {
        SkipSpace();
        isList = Accept('[');
        if (!isList)
        {
            return [Literal()];
        }

        var values = new List<Value> { Literal() };
        while (Accept(','))
        {
            values.Add(Literal());
            if (values.Count > MaxListItems)
            {
                throw Error($"a list of more than {MaxListItems} values");
            }
        }

        if (!Accept(']'))
        {
            throw Error("a list is not closed with ']'");
        }

        return values;
    }

    /// <summary>A value: quoted (a string), or bare (null, true, false, a number or a word).</summary>
    private readonly record struct Value(string Text, bool Quoted);

    private Value Literal()
    {
        SkipSpace();
        if (at < text.Length && text[at] == '\'')
        {
            at++;
            var value = new StringBuilder();
            while (at < text.Length && text[at] != '\'')
            {
                if (text[at] == '\\' && at + 1 < text.Length)
                {
                    at++;
                }

                value.Append(text[at++]);
            }

            if (at >= text.Length)
            {
                throw Error("a quoted value is not closed");
            }

            at++;
            return new Value(value.ToString(), true);
        }

        var start = at;
        while (at < text.Length && !char.IsWhiteSpace(text[at]) && text[at] is not ('+' or ',' or '(' or ')' or '[' or ']' or '\'' or '"'))
        {
            at++;
        }

        if (at == start)
        {
            throw Error("a value is missing");
        }

        return new Value(text[start..at], false);
    }

    private string Sql(string name, GhostField field, bool negated, string op, List<Value> values, bool isList)
    {
        if (isList && op != "=")
        {
            throw Error($"'{op}' does not take a list");
        }

        var isNull = values is [{ Quoted: false, Text: "null" }];
        switch (field)
        {
            case GhostField.Constant constant:
            {
                var matches = values.Any(v => ValueEquals(constant.Value, v));
                if (op != "=")
                {
                    throw new GhostFilterException($"The filter field '{name}' only compares for equality.");
                }

                return matches ^ negated ? "TRUE" : "FALSE";
            }

            case GhostField.Column column when isNull:
                if (op != "=")
                {
                    throw Error("null only compares for equality");
                }

                return $"{column.Sql} IS {(negated ? "NOT " : "")}NULL";

            case GhostField.Column column:
            {
                var condition = Condition(column.Sql, column.ValueType, op, values, isList);
                return negated ? $"NOT coalesce({condition}, false)" : condition;
            }

            case GhostField.Related related:
            {
                if (isNull)
                {
                    // tag:null: posts with no tag at all.
                    return $"{(negated ? "" : "NOT ")}EXISTS ({related.Sql})";
                }

                var condition = Condition(related.Key, typeof(string), op, values, isList);
                return $"{(negated ? "NOT " : "")}EXISTS ({related.Sql} AND {condition})";
            }

            default:
                throw new InvalidOperationException(field.GetType().Name);
        }
    }

    private string Condition(string column, Type type, string op, List<Value> values, bool isList)
    {
        if (op is "~" or "~^" or "~$")
        {
            if (type != typeof(string))
            {
                throw Error($"'{op}' compares text only");
            }

            var escaped = values[0].Text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
            var pattern = op switch { "~" => $"%{escaped}%", "~^" => $"{escaped}%", _ => $"%{escaped}" };
            return $"{column} ILIKE {Parameter(pattern)}";
        }

        var typed = values.Select(v => Typed(type, v)).ToList();
        if (isList)
        {
            var array = type == typeof(long) ? (object)typed.OfType<long>().ToArray()
                : type == typeof(DateTime) ? typed.OfType<DateTime>().ToArray()
                : typed.OfType<string>().ToArray();
            return $"{column} = ANY({Parameter(array)})";
        }

        var sqlOp = op == "=" ? "=" : op;
        return typed[0] is null ? "FALSE" : $"{column} {sqlOp} {Parameter(typed[0]!)}";
    }

    /// <summary>The value as the column's type; null when it cannot be one (an id that is not a number matches nothing).</summary>
    private object? Typed(Type type, Value value)
    {
        if (type == typeof(long))
        {
            return long.TryParse(value.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : null;
        }

        if (type == typeof(DateTime))
        {
            return DateTimeOffset.TryParse(value.Text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
                ? date.UtcDateTime
                : throw new GhostFilterException($"'{value.Text}' is not a date (e.g. '2023-01-31' or '2023-01-31 12:00:00').");
        }

        return value.Text;
    }

    private static bool ValueEquals(object constant, Value value) => constant switch
    {
        bool b => !value.Quoted && value.Text == (b ? "true" : "false") || value.Quoted && value.Text == (b ? "true" : "false"),
        string s => string.Equals(s, value.Text, StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    private string Parameter(object value)
    {
        var name = $"gf{parameters.ParameterNames.Count()}";
        parameters.Add(name, value);
        return "@" + name;
    }

    private bool Accept(char c)
    {
        SkipSpace();
        if (at < text.Length && text[at] == c)
        {
            at++;
            return true;
        }

        return false;
    }

    private void SkipSpace()
    {
        while (at < text.Length && char.IsWhiteSpace(text[at]))
        {
            at++;
        }
    }

    private GhostFilterException Error(string what) => new($"The filter cannot be parsed at character {at + 1}: {what}.");
}
