using System.Globalization;
using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Mvc;

namespace Api.Infrastructure;

/// <summary>
/// Strict query strings: every value must be valid UTF-8 (all endpoints), and endpoints that opt in
/// reject parameters they do not declare (a misspelt filter would otherwise silently return
/// everything) and parameters given more than once.
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

    /// <summary>Rejects query parameters that the given request records do not declare, and repeated ones.</summary>
    public static RouteHandlerBuilder WithStrictQuery(this RouteHandlerBuilder builder, params Type[] requests)
    {
        var allowed = requests.SelectMany(DeclaredNames).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return builder.AddEndpointFilter(async (context, next) =>
        {
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            foreach (var (name, values) in context.HttpContext.Request.Query)
            {
                if (!allowed.Contains(name))
                {
                    errors[name] = [$"Unknown query parameter. This endpoint accepts: {string.Join(", ", allowed.Order(StringComparer.Ordinal))}."];
                }
                else if (values.Count > 1)
                {
                    errors[name] = ["Give this parameter once; separate several values with commas."];
                }
            }

            return errors.Count > 0
                ? TypedResults.ValidationProblem(errors, detail: "The query string has unknown or repeated parameters; see 'errors'.")
                : await next(context);
        }).ProducesValidationProblem();
    }

    private static IEnumerable<string> DeclaredNames(Type request) =>
        request.GetProperties().Select(p => p.Name)
            .Concat(request.GetConstructors().SelectMany(c => c.GetParameters()).Select(p => p.Name!))
            .Distinct(StringComparer.Ordinal)
            .Select(name => BindingAttributes(request, name).OfType<FromQueryAttribute>().FirstOrDefault()?.Name)
            .OfType<string>();

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
