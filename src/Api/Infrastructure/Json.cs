using System.Text.Json;
using System.Text.Json.Serialization;
using Api.Articles;
using Api.Categories;
using Api.Health;
using Microsoft.AspNetCore.Mvc;

namespace Api.Infrastructure;

/// <summary>Source-generated serialization metadata for everything the API reads and writes.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ArticleDto))]
[JsonSerializable(typeof(ArticleCursor))]
[JsonSerializable(typeof(Api.Changes.ChangeToken))]
[JsonSerializable(typeof(RevisionSnapshot))]
[JsonSerializable(typeof(ArticleWriteRequest))]
[JsonSerializable(typeof(CategoryTree))]
[JsonSerializable(typeof(CategoryDetail))]
[JsonSerializable(typeof(HealthReportDto))]
[JsonSerializable(typeof(ProblemDetails))]
[JsonSerializable(typeof(HttpValidationProblemDetails))]
public sealed partial class AppJsonContext : JsonSerializerContext;

public static class Json
{
    public static WebApplicationBuilder AddJson(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(options => Configure(options.SerializerOptions));
        return builder;
    }

    /// <summary>
    /// camelCase, RFC 3339 dates, and strict input: a member the target type does not declare is an
    /// error rather than silently ignored, so a misspelt field never looks like a successful write.
    /// </summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.TypeInfoResolverChain.Insert(0, AppJsonContext.Default);
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.AllowDuplicateProperties = false;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
    }

    /// <summary>The options the HTTP pipeline uses, for code that serializes by hand (ETags, problem writer).</summary>
    public static JsonSerializerOptions Options(this HttpContext context) =>
        context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
}
