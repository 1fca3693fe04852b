using FluentValidation;

namespace Api.Infrastructure;

/// <summary>Runs the FluentValidation validator of a request argument and answers 400 with every failure by field.</summary>
public static class Validation
{
    public static WebApplicationBuilder AddRequestValidation(this WebApplicationBuilder builder)
    {
        // Errors are keyed and worded by the names clients use on the wire (camelCase), not C# names.
        ValidatorOptions.Global.PropertyNameResolver = (_, member, _) => member is null ? null : JsonName(member.Name);
        ValidatorOptions.Global.DisplayNameResolver = (_, member, _) => member is null ? null : JsonName(member.Name);
        builder.Services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton);
        return builder;
    }

    private static string JsonName(string name) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(name);

    public static RouteHandlerBuilder WithValidation<T>(this RouteHandlerBuilder builder) =>
        builder
            .AddEndpointFilter<ValidationFilter<T>>()
            .ProducesValidationProblem();

    private sealed class ValidationFilter<T>(IValidator<T> validator) : IEndpointFilter
    {
        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            foreach (var argument in context.Arguments)
            {
                if (argument is not T request)
                {
                    continue;
                }

                var result = await validator.ValidateAsync(request, context.HttpContext.RequestAborted);
                if (!result.IsValid)
                {
                    return TypedResults.ValidationProblem(
                        result.ToDictionary(),
                        detail: "One or more values are invalid; see 'errors'.");
                }
            }

            return await next(context);
        }
    }
}
