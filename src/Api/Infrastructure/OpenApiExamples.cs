using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Api.Infrastructure;

/// <summary>An example body for the contract: of the request (<see cref="Status"/> null) or of one response.</summary>
/// <param name="Status">The response status it illustrates; null for the request body.</param>
/// <param name="Json">The example, as JSON. A test holds every example to its schema.</param>
public sealed record OpenApiExample(int? Status, string Json);

public static class OpenApiExamples
{
    /// <summary>An example request body, shown under every media type the endpoint accepts.</summary>
    public static TBuilder WithRequestExample<TBuilder>(this TBuilder builder, string json) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new OpenApiExample(null, json));

    /// <summary>An example JSON body of the answer with <paramref name="status"/>.</summary>
    public static TBuilder WithResponseExample<TBuilder>(this TBuilder builder, int status, string json) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new OpenApiExample(status, json));

    /// <summary>Puts the endpoints' examples into their operations (Swagger UI shows them; mock servers answer with them).</summary>
    internal sealed class Filter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            foreach (var example in context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<OpenApiExample>())
            {
                var value = JsonNode.Parse(example.Json);
                var content = example.Status is { } status
                    ? operation.Responses?.TryGetValue(status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response) == true ? response.Content : null
                    : operation.RequestBody?.Content;
                foreach (var (mediaType, media) in content ?? new Dictionary<string, IOpenApiMediaType>())
                {
                    if (media is OpenApiMediaType concrete && mediaType.Contains("json", StringComparison.Ordinal))
                    {
                        concrete.Example = value?.DeepClone();
                    }
                }
            }
        }
    }
}
