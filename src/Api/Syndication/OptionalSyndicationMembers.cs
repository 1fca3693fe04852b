using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Api.Syndication;

/// <summary>
/// JSON Feed and ninjs leave out members that have no value (their specifications make them
/// optional), where the API's own records write them as null. Their OpenAPI schemas therefore
/// require only the members that always have a value, and say the others are never null.
/// </summary>
internal sealed class OptionalSyndicationMembers : ISchemaFilter
{
    private static readonly NullabilityInfoContext Nullability = new();

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema concrete
            || concrete.Properties is not { Count: > 0 } properties
            || context.Type.Namespace != typeof(OptionalSyndicationMembers).Namespace)
        {
            return;
        }

        var required = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in context.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var name = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            if (!properties.TryGetValue(name, out var member))
            {
                continue;
            }

            var optional = Nullable.GetUnderlyingType(property.PropertyType) is not null
                || Nullability.Create(property).ReadState == NullabilityState.Nullable;
            if (!optional)
            {
                required.Add(name);
            }
            else if (member is OpenApiSchema { Type: { } type } inline && type.HasFlag(JsonSchemaType.Null))
            {
                inline.Type = type & ~JsonSchemaType.Null;
            }
        }

        concrete.Required = required;
    }
}
