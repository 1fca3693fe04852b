using System.Reflection;
using System.Text.Json.Serialization;
using Api.Infrastructure;
using Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Api.Tests.Contract;

/// <summary>
/// Every type an endpoint declares it reads or writes as JSON has source-generated metadata in
/// <see cref="AppJsonContext"/> (or, for the syndication documents, the API's other source-generated
/// context), so no request or response falls back to reflection.
/// </summary>
public sealed class JsonMetadataTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public void Every_json_type_an_endpoint_declares_is_in_the_source_generated_context()
    {
        var endpoints = api.Services.GetRequiredService<EndpointDataSource>().Endpoints;
        var responses = endpoints
            .SelectMany(e => e.Metadata.OfType<IProducesResponseTypeMetadata>())
            .Where(m => m.Type is not null && m.Type != typeof(void) && m.ContentTypes.Any(IsJson))
            .Select(m => m.Type!);
        var requests = endpoints
            .SelectMany(e => e.Metadata.OfType<IAcceptsMetadata>())
            .Where(m => m.RequestType is not null && m.ContentTypes.Any(IsJson))
            .Select(m => m.RequestType!);
        var types = responses.Concat(requests).Distinct().ToList();

        Assert.NotEmpty(types);
        var contexts = typeof(AppJsonContext).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(JsonSerializerContext)))
            .Select(t => (JsonSerializerContext)t.GetProperty("Default", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!)
            .ToList();
        Assert.Contains(AppJsonContext.Default, contexts);
        var missing = types
            .Where(t => contexts.All(c => c.GetTypeInfo(t) is null))
            .Select(t => t.FullName)
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(missing.Count == 0, "Not in a source-generated context: " + string.Join(", ", missing));
    }

    private static bool IsJson(string contentType) =>
        contentType.EndsWith("/json", StringComparison.OrdinalIgnoreCase) || contentType.Contains("+json", StringComparison.OrdinalIgnoreCase);
}
