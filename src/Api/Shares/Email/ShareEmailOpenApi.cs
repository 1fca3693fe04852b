using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Api.Shares.Email;

/// <summary>Documents the <c>Location</c> of a queued suggestion (202) and of the redirect from a previous slug (308).</summary>
internal sealed class ShareEmailOpenApi : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (operation.OperationId != "SuggestArticleByEmail" || operation.Responses is not { } responses)
        {
            return;
        }

        foreach (var (status, description) in new[]
        {
            ("202", "URL of the suggestion's status (`/v1/share/emails/{id}`)."),
            ("308", "The same endpoint under the article's current slug."),
        })
        {
            if (responses.TryGetValue(status, out var response) && response is OpenApiResponse concrete)
            {
                concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                concrete.Headers["Location"] = new OpenApiHeader
                {
                    Description = description,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                };
            }
        }
    }
}
