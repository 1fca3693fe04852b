using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Api.Syndication;

/// <summary>
/// Documents that an endpoint's 200 also comes as ninjs (for <c>Accept: application/vnd.iptc.ninjs+json</c>).
/// A <c>Produces</c> call would replace the endpoint's JSON 200 in OpenAPI; this adds the media type beside it.
/// </summary>
public static class NinjsNegotiation
{
    public static RouteHandlerBuilder WithNinjsRendition(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(new NinjsRenditionMetadata());

    internal sealed class NinjsRenditionMetadata;

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

            response.Content ??= new Dictionary<string, IOpenApiMediaType>();
            response.Content[NinjsResults.ContentType] = new OpenApiMediaType
            {
                Schema = context.SchemaGenerator.GenerateSchema(typeof(NinjsItem), context.SchemaRepository),
            };
        }
    }
}
