using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Api.Keys;

/// <summary>
/// Documents the API key as an HTTP bearer scheme (Swagger UI's Authorize button uses it) and marks
/// each operation that needs a scope with it.
/// </summary>
internal sealed class ApiKeyOpenApi : IOperationFilter
{
    public const string SchemeId = "apiKey";

    public static void Configure(SwaggerGenOptions options)
    {
        options.AddSecurityDefinition(SchemeId, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "nk_…",
            Description = "An API key: `Authorization: Bearer nk_…`. Scopes: `content:write` (editorial writes and unpublished reads), "
                + "`partner` (syndication), `admin` (everything, and key management).",
        });
        options.OperationFilter<ApiKeyOpenApi>();
    }

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var scope = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<RequiredScope>().LastOrDefault();
        if (scope is null)
        {
            return;
        }

        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference(SchemeId, context.Document)] = [scope.Scope],
        });
        operation.Description = (operation.Description is { Length: > 0 } d ? d + "\n\n" : "") + $"Needs an API key with the `{scope.Scope}` scope (or `admin`).";
    }
}
