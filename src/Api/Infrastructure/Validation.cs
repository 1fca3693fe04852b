using FluentValidation;
using FluentValidation.Results;

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

    /// <summary>Marks an endpoint whose arguments are validated (<see cref="WithValidation"/>).</summary>
    internal sealed class Validated
    {
        public static readonly Validated Instance = new();
    }

    private static readonly object DeferredKey = new();

    /// <summary>
    /// Errors found before binding (malformed or unknown query parameters), to be answered with the
    /// validators' own errors by the endpoint's validation filter.
    /// </summary>
    internal static void Defer(HttpContext context, Dictionary<string, string[]> errors) => context.Items[DeferredKey] = errors;

    /// <summary>Validates every argument of the handler that has a registered validator.</summary>
    public static RouteHandlerBuilder WithValidation(this RouteHandlerBuilder builder) =>
        builder
            .WithMetadata(Validated.Instance)
            .AddEndpointFilterFactory((factory, next) =>
            {
                var services = factory.ApplicationServices;
                var validators = factory.MethodInfo.GetParameters()
                    .Select((parameter, index) => ValidatorOf(services, parameter.ParameterType, index))
                    .OfType<Func<EndpointFilterInvocationContext, ValidationResult?>>()
                    .ToArray();

                // The validators' rules are all synchronous (none reads the database), so a valid
                // request goes on to the handler without an asynchronous step of its own.
                return context =>
                {
                    var errors = context.HttpContext.Items.TryGetValue(DeferredKey, out var deferred)
                        ? new Dictionary<string, string[]>((Dictionary<string, string[]>)deferred!, StringComparer.Ordinal)
                        : null;
                    foreach (var validate in validators)
                    {
                        if (validate(context) is not { IsValid: false } result)
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

    /// <summary>
    /// Validates the handler's argument at <paramref name="index"/> when a validator of its type is
    /// registered: a typed call, which spares FluentValidation a second, typed context per request.
    /// </summary>
    private static Func<EndpointFilterInvocationContext, ValidationResult?>? ValidatorOf(IServiceProvider services, Type type, int index) =>
        services.GetService(typeof(IValidator<>).MakeGenericType(type)) is { } validator
            ? (Func<EndpointFilterInvocationContext, ValidationResult?>)typeof(Validation)
                .GetMethod(nameof(Typed), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(type)
                .Invoke(null, [validator, index])!
            : null;

    private static Func<EndpointFilterInvocationContext, ValidationResult?> Typed<T>(IValidator<T> validator, int index) =>
        context => context.GetArgument<T>(index) is { } argument ? validator.Validate(argument) : null;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(Type, string), string> WireNames = new();

    /// <summary>The name a client uses: the [FromQuery]/[FromRoute] name of a bound property or parameter, else the camelCase JSON name.</summary>
    private static string WireName(Type type, System.Reflection.MemberInfo member) =>
        WireNames.GetOrAdd((type, member.Name), key =>
        {
            var attributes = QueryStrings.BindingAttributes(key.Item1, key.Item2);
            var bound = attributes.OfType<Microsoft.AspNetCore.Http.Metadata.IFromQueryMetadata>().FirstOrDefault()?.Name
                ?? attributes.OfType<Microsoft.AspNetCore.Http.Metadata.IFromRouteMetadata>().FirstOrDefault()?.Name;
            return bound ?? System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(key.Item2);
        });
}

/// <summary>
/// A value that must be one of a fixed set, spelt exactly. The OpenAPI document lists the set as
/// the parameter's <c>enum</c>, read from this rule, so the values are written once.
/// </summary>
public sealed class OneOfValidator<T>(IReadOnlyList<string> values) : FluentValidation.Validators.PropertyValidator<T, string?>, IOneOfValidator
{
    public override string Name => "OneOfValidator";

    public IReadOnlyList<string> Values => values;

    public override bool IsValid(ValidationContext<T> context, string? value)
    {
        if (value is null || values.Contains(value, StringComparer.Ordinal))
        {
            return true;
        }

        context.MessageFormatter.AppendArgument("Values", string.Join(", ", values));
        return false;
    }

    protected override string GetDefaultMessageTemplate(string errorCode) => "'{PropertyName}' must be one of: {Values}.";
}

/// <summary>The values of a <see cref="OneOfValidator{T}"/>, whatever the validated type.</summary>
public interface IOneOfValidator
{
    IReadOnlyList<string> Values { get; }
}

public static class ValidationRules
{
    /// <summary>The value, when given, must be one of <paramref name="values"/>.</summary>
    public static IRuleBuilderOptions<T, string?> OneOf<T>(this IRuleBuilder<T, string?> rule, IReadOnlyList<string> values) =>
        rule.SetValidator(new OneOfValidator<T>(values));
}
