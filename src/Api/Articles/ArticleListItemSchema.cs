using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Api.Articles;

/// <summary>
/// Documents <see cref="ArticleListItem"/> as <see cref="ArticleDto"/>'s properties, each optional
/// (<c>fields</c> chooses them) but <c>id</c>, plus the search <c>snippet</c>.
/// </summary>
internal sealed class ArticleListItemSchema : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (context.Type != typeof(ArticleListItem) || schema is not OpenApiSchema item)
        {
            return;
        }

        context.SchemaGenerator.GenerateSchema(typeof(ArticleDto), context.SchemaRepository);
        var article = (OpenApiSchema)context.SchemaRepository.Schemas[nameof(ArticleDto)];
        item.Type = JsonSchemaType.Object;
        item.Properties = new Dictionary<string, IOpenApiSchema>(article.Properties ?? new Dictionary<string, IOpenApiSchema>())
        {
            [ArticleFields.Snippet] = new OpenApiSchema
            {
                Type = JsonSchemaType.String | JsonSchemaType.Null,
                Description = "Searches only: an HTML-escaped excerpt of the body with the matches in <mark> elements.",
            },
        };
        // Only single reads add jsonLd (include=jsonld); fields= cannot ask for it.
        item.Properties.Remove("jsonLd");
        item.Required = new HashSet<string> { "id" };
        item.AdditionalPropertiesAllowed = false;
    }
}
