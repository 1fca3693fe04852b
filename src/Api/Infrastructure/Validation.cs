using FluentValidation;

namespace Api.Infrastructure;

/// <summary>
/// Runs the FluentValidation validators of a handler's arguments and answers one 400 problem listing
/// every failure by field (camelCase, as clients spell them).
/// </summary>
public static class Validation
{
    public static WebApplicationBuilder AddRequestValidation(this WebApplicationBuilder builder)
    {
        ValidatorOptions.Global.PropertyNameResolver = (type, member, _) => member is null ? null : WireName(type, member);
        ValidatorOptions.Global.DisplayNameResolver = (type, member, _) => member is null ? null : WireName(type, member);
        builder.Services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton);
        return builder;
    }

    /// <summary>Validates every argument of the handler that has a registered validator.</summary>
    public static RouteHandlerBuilder WithValidation(this RouteHandlerBuilder builder) =>
        builder
            .AddEndpointFilterFactory((factory, next) =>
            {
                var services = factory.ApplicationServices;
                var validated = factory.MethodInfo.GetParameters()
                    .Select((parameter, index) => (index, validator: services.GetService(typeof(IValidator<>).MakeGenericType(parameter.ParameterType)) as IValidator))
                    .Where(p => p.validator is not null)
                    .ToArray();
                if (validated.Length == 0)
                {
                    return next;
                }

                // The validators' rules are all synchronous (none reads the database), so a valid
                // request goes on to the handler without an asynchronous step of its own.
                return context =>
                {
                    Dictionary<string, string[]>? errors = null;
                    foreach (var (index, validator) in validated)
                    {
                        var argument = context.Arguments[index];
                        if (argument is null)
                        {
                            continue;
                        }

                        var result = validator!.Validate(new ValidationContext<object>(argument));
                        if (result.IsValid)
                        {
                            continue;
                        }

                        foreach (var (field, messages) in result.ToDictionary())
                        {
                            errors ??= new Dictionary<string, string[]>(StringComparer.Ordinal);
                            errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, .. messages] : messages;
                        }
                    }

                    return errors is null
                        ? next(context)
                        : ValueTask.FromResult<object?>(TypedResults.ValidationProblem(errors, detail: "One or more values are invalid; see 'errors'."));
                };
            })
            .ProducesValidationProblem();

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(Type, string), string> WireNames = new();

    /// <summary>The name a client uses: the [FromQuery]/[FromRoute] name of a bound parameter, else the camelCase JSON name.</summary>
    private static string WireName(Type type, System.Reflection.MemberInfo member) =>
        WireNames.GetOrAdd((type, member.Name), key =>
        {
            var parameter = key.Item1.GetConstructors()
                .SelectMany(c => c.GetParameters())
                .FirstOrDefault(p => p.Name == key.Item2);
            var bound = parameter?.GetCustomAttributes(true).OfType<Microsoft.AspNetCore.Http.Metadata.IFromQueryMetadata>().FirstOrDefault()?.Name
                ?? parameter?.GetCustomAttributes(true).OfType<Microsoft.AspNetCore.Http.Metadata.IFromRouteMetadata>().FirstOrDefault()?.Name;
            return bound ?? System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(key.Item2);
        });
}
