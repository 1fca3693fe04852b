using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Api.Syndication;

/// <summary>
/// Documents, in the description of an endpoint's 200, that it also comes as ninjs (for
/// <c>Accept: application/vnd.iptc.ninjs+json</c>).
/// </summary>
public static class NinjsNegotiation
{
    public static RouteHandlerBuilder WithNinjsRendition(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(new NinjsRenditionMetadata());

    internal sealed class NinjsRenditionMetadata;

    /// <summary>
    /// The response extension that lists representations a client gets only by asking for them
    /// (<c>Accept</c>), shaped like <c>content</c>.
    /// </summary>
    public const string AlternativeContent = "x-alternative-content";

    internal sealed class OperationFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (!context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<NinjsRenditionMetadata>().Any()
                || operation.Responses?.TryGetValue("200", out var ok) != true
                || ok is not OpenApiResponse response)
            {
                return;
            }

            // Not a second content type of the 200: generated clients would type every read as the union
            // of an article and a ninjs item. The negotiated rendition is described, and listed under an
            // extension that code generators leave alone; it also has a path of its own.
            context.SchemaGenerator.GenerateSchema(typeof(NinjsItem), context.SchemaRepository);
            response.Description = $$"""
                The article. With `Accept: {{NinjsResults.ContentType}}` (preferred over `application/json`),
                the same path answers the article as an IPTC ninjs 2.2 item instead (listed under
                `{{AlternativeContent}}`), as `GET /v1/articles/{idOrSlug}/ninjs` does.
                """;
            response.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            response.Extensions[AlternativeContent] = new JsonNodeExtension(new JsonObject
            {
                [NinjsResults.ContentType] = new JsonObject
                {
                    ["schema"] = new JsonObject { ["$ref"] = $"#/components/schemas/{nameof(NinjsItem)}" },
                },
            });
        }
    }
}
