using System.Globalization;
using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Mvc;

namespace Api.Infrastructure;

/// <summary>
/// Strict query strings: every value must be valid UTF-8 (all endpoints); typed parameters are
/// written one way and given once (all endpoints); endpoints that opt in reject parameters they do
/// not declare.
/// </summary>
public static class QueryStrings
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static WebApplication UseUtf8QueryStrings(this WebApplication app)
    {
        app.Use((context, next) =>
            FindInvalidUtf8(context.Request.QueryString.Value) is { } parameter ? RefuseAsync(context, parameter) : next(context));
        return app;

        static async Task RefuseAsync(HttpContext context, string parameter)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]>
                {
                    [parameter] = ["The value is not valid percent-encoded UTF-8."],
                })
                {
                    Status = StatusCodes.Status400BadRequest,
                    Detail = "The query string is not valid UTF-8; see 'errors'.",
                },
            });
        }
    }

    /// <summary>
    /// Refuses, before the handler's arguments are bound, a query whose typed parameters (numbers,
    /// booleans, <see cref="IQueryValue{TSelf}"/> types) are not written the one way this API
    /// accepts, or that repeats one; and, on endpoints marked with <see cref="WithStrictQuery"/>,
    /// parameters the endpoint does not declare. One 400 names every such parameter. After
    /// authentication, so that a request without its key hears 401 first.
    /// </summary>
    public static WebApplication UseQueryParameters(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            if (!context.Request.QueryString.HasValue || context.GetEndpoint() is not { } endpoint)
            {
                return next(context);
            }

            var parameters = Declared.GetOrAdd(endpoint, DeclaredQuery.Of);
            if (parameters.Check(context.Request.Query) is not { } errors)
            {
                return next(context);
            }

            if (endpoint.Metadata.GetMetadata<Validation.Validated>() is null)
            {
                return RefuseAsync(context, errors);
            }

            // The endpoint validates its arguments: its validation filter reports these errors with
            // its own, in one answer. The values in error are taken out so that binding succeeds.
            Validation.Defer(context, errors);
            context.Request.Query = new QueryCollection(
                context.Request.Query.Where(p => !errors.ContainsKey(p.Key)).ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase));
            return next(context);
        });
        return app;

        static async Task RefuseAsync(HttpContext context, Dictionary<string, string[]> errors)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new HttpValidationProblemDetails(errors)
                {
                    Status = StatusCodes.Status400BadRequest,
                    Detail = "The query string has unknown, repeated or malformed parameters; see 'errors'.",
                },
            });
        }
    }

    /// <summary>Refuses query parameters that the endpoint's handler does not declare (a misspelt filter would otherwise silently return everything).</summary>
    public static RouteHandlerBuilder WithStrictQuery(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(StrictQuery.Instance).ProducesValidationProblem();

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Endpoint, DeclaredQuery> Declared = new();

    private sealed class StrictQuery
    {
        public static readonly StrictQuery Instance = new();
    }

    /// <summary>The query parameters a handler binds (by their wire names), with the format of the typed ones.</summary>
    private sealed class DeclaredQuery(Dictionary<string, ValueFormat?> parameters, bool strict)
    {
        private static readonly DeclaredQuery None = new([], strict: false);

        public static DeclaredQuery Of(Endpoint endpoint)
        {
            if (endpoint.Metadata.GetMetadata<MethodInfo>() is not { } method)
            {
                return None;
            }

            var parameters = new Dictionary<string, ValueFormat?>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, type) in method.GetParameters().SelectMany(QueryParametersOf))
            {
                parameters[name] = ValueFormat.Of(type);
            }

            var strict = endpoint.Metadata.GetMetadata<StrictQuery>() is not null;
            return parameters.Count == 0 && !strict ? None : new DeclaredQuery(parameters, strict);
        }

        public Dictionary<string, string[]>? Check(IQueryCollection query)
        {
            Dictionary<string, string[]>? errors = null;
            foreach (var (name, values) in query)
            {
                var error = !parameters.TryGetValue(name, out var format)
                    ? strict ? $"Unknown query parameter. This endpoint accepts: {string.Join(", ", parameters.Keys.Order(StringComparer.Ordinal))}." : null
                    : values.Count > 1 && (strict || format is not null) ? "Give this parameter once; separate several values with commas."
                    : format is not null && !format.IsValid(values.ToString()) ? $"'{name}' must be {format.Expected}."
                    : null;
                if (error is not null)
                {
                    errors ??= new Dictionary<string, string[]>(StringComparer.Ordinal);
                    errors[name] = [error];
                }
            }

            return errors;
        }

        private static IEnumerable<(string Name, Type Type)> QueryParametersOf(ParameterInfo parameter)
        {
            if (parameter.GetCustomAttribute<AsParametersAttribute>() is not null)
            {
                var type = parameter.ParameterType;
                return type.GetProperties()
                    .Select(p => (Name: BindingAttributes(type, p.Name).OfType<FromQueryAttribute>().FirstOrDefault()?.Name, p.PropertyType))
                    .Where(p => p.Name is not null)
                    .Select(p => (p.Name!, p.PropertyType));
            }

            return parameter.GetCustomAttribute<FromQueryAttribute>() is { } query
                ? [(query.Name ?? parameter.Name!, parameter.ParameterType)]
                : [];
        }
    }

    /// <summary>How a typed parameter must be written: exactly what the framework's binding of its type accepts, minus the variants (spaces, signs, capitals, empty values) that hide mistakes.</summary>
    private sealed record ValueFormat(string Expected, Func<string, bool> IsValid)
    {
        public static ValueFormat? Of(Type type)
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            if (type == typeof(int))
            {
                return new("an integer", v => IsInteger(v) && int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _));
            }

            if (type == typeof(long))
            {
                return new("an integer", v => IsInteger(v) && long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _));
            }

            if (type == typeof(bool))
            {
                return new("'true' or 'false'", v => v is "true" or "false");
            }

            var queryValue = type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IQueryValue<>));
            return queryValue is null
                ? null
                : (ValueFormat)typeof(ValueFormat).GetMethod(nameof(OfQueryValue), BindingFlags.NonPublic | BindingFlags.Static)!
                    .MakeGenericMethod(type).Invoke(null, null)!;
        }

        private static ValueFormat OfQueryValue<T>() where T : IQueryValue<T> =>
            new(T.Expected, v => T.TryParse(v, CultureInfo.InvariantCulture, out _));

        private static bool IsInteger(string value) =>
            value.Length is > 0 and <= 20 && (value[0] == '-' ? value.Length > 1 && value.AsSpan(1).IndexOfAnyExceptInRange('0', '9') < 0 : value.AsSpan().IndexOfAnyExceptInRange('0', '9') < 0);
    }

    /// <summary>
    /// The attributes of a request record's member <paramref name="name"/>: of its property, and of
    /// the constructor parameter of that name in a positional record.
    /// </summary>
    internal static object[] BindingAttributes(Type type, string name) =>
    [
        .. type.GetProperty(name)?.GetCustomAttributes(true) ?? [],
        .. type.GetConstructors().SelectMany(c => c.GetParameters()).Where(p => p.Name == name).SelectMany(p => p.GetCustomAttributes(true)),
    ];

    /// <summary>The name of the first parameter (or "query") whose name or value is not valid UTF-8 once percent-decoded.</summary>
    internal static string? FindInvalidUtf8(string? queryString)
    {
        if (string.IsNullOrEmpty(queryString))
        {
            return null;
        }

        foreach (var pair in queryString.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=');
            var rawName = equals < 0 ? pair : pair[..equals];
            if (!IsValidUtf8(rawName))
            {
                return "query";
            }

            if (equals >= 0 && !IsValidUtf8(pair[(equals + 1)..]))
            {
                return Uri.UnescapeDataString(rawName.Replace('+', ' '));
            }
        }

        return null;
    }

    private static bool IsValidUtf8(string escaped)
    {
        if (!escaped.Contains('%'))
        {
            return true;
        }

        var bytes = new List<byte>(escaped.Length);
        var literalStart = 0;
        for (var i = 0; i < escaped.Length; i++)
        {
            if (escaped[i] == '%' && i + 2 < escaped.Length
                && byte.TryParse(escaped.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(escaped[literalStart..i]));
                bytes.Add(b);
                i += 2;
                literalStart = i + 1;
            }
        }

        bytes.AddRange(Encoding.UTF8.GetBytes(escaped[literalStart..]));
        try
        {
            StrictUtf8.GetString(bytes.ToArray());
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
