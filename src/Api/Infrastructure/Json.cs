using System.Text.Json;
using System.Text.Json.Serialization;
using Api.Articles;
using Api.Categories;
using Api.Changes;
using Api.Health;
using Api.Imports;
using Api.Keys;
using Api.Media;
using Api.Shares;
using Api.Shares.Email;
using Api.Tags;
using Api.Webhooks;
using Microsoft.AspNetCore.Mvc;

namespace Api.Infrastructure;

/// <summary>
/// Source-generated serialization metadata for everything the API reads and writes as JSON (the
/// syndication documents, with their own naming rules, have <c>SyndicationJsonContext</c>). A test
/// fails when an endpoint declares a type that is in neither.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ArticleDto))]
[JsonSerializable(typeof(ArticleList))]
[JsonSerializable(typeof(ArticleCursor))]
[JsonSerializable(typeof(LeadMedium))]
[JsonSerializable(typeof(LeadMedium[]))]
[JsonSerializable(typeof(CorrectionDto[]))]
[JsonSerializable(typeof(TagDto[]))]
[JsonSerializable(typeof(CorrectionRequest))]
[JsonSerializable(typeof(ArticlePreview))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(Api.Authors.ArticleAuthor[]))]
[JsonSerializable(typeof(Api.Authors.AuthorLink[]))]
[JsonSerializable(typeof(Api.Authors.AuthorDto))]
[JsonSerializable(typeof(Api.Authors.AuthorList))]
[JsonSerializable(typeof(Api.Authors.AuthorWriteRequest))]
[JsonSerializable(typeof(Api.Authors.AuthorRevisionList))]
[JsonSerializable(typeof(Api.Authors.AuthorCursor))]
[JsonSerializable(typeof(ChangeToken))]
[JsonSerializable(typeof(ChangePage))]
[JsonSerializable(typeof(RevisionSnapshot))]
[JsonSerializable(typeof(ArticleRevision))]
[JsonSerializable(typeof(ArticleRevisionList))]
[JsonSerializable(typeof(ArticleWriteRequest))]
[JsonSerializable(typeof(CategoryTree))]
[JsonSerializable(typeof(CategoryDetail))]
[JsonSerializable(typeof(CategoryWriteRequest))]
[JsonSerializable(typeof(TagList))]
[JsonSerializable(typeof(TagCursor))]
[JsonSerializable(typeof(TagDetail))]
[JsonSerializable(typeof(TagWriteRequest))]
[JsonSerializable(typeof(TagMergeRequest))]
[JsonSerializable(typeof(ImportRequest))]
[JsonSerializable(typeof(ImportReport))]
[JsonSerializable(typeof(ImportJobDto))]
[JsonSerializable(typeof(ImportItemList))]
[JsonSerializable(typeof(ApiKeyDto))]
[JsonSerializable(typeof(ApiKeyList))]
[JsonSerializable(typeof(CreateApiKeyRequest))]
[JsonSerializable(typeof(CreatedApiKey))]
[JsonSerializable(typeof(ShareBlock))]
[JsonSerializable(typeof(ShareEventRequest))]
[JsonSerializable(typeof(ShareStats))]
[JsonSerializable(typeof(MostSharedList))]
[JsonSerializable(typeof(ArticleMeta))]
[JsonSerializable(typeof(OEmbedResponse))]
[JsonSerializable(typeof(ShareEmailRequest))]
[JsonSerializable(typeof(ShareEmailAccepted))]
[JsonSerializable(typeof(ShareEmailStatus))]
[JsonSerializable(typeof(ShareOptOutResult))]
[JsonSerializable(typeof(CreateWebhookRequest))]
[JsonSerializable(typeof(PatchWebhookRequest))]
[JsonSerializable(typeof(WebhookDto))]
[JsonSerializable(typeof(WebhookList))]
[JsonSerializable(typeof(WebhookWithSecret))]
[JsonSerializable(typeof(PatchedWebhook))]
[JsonSerializable(typeof(WebhookDeliveryDto))]
[JsonSerializable(typeof(WebhookDeliveryList))]
[JsonSerializable(typeof(MediumDto))]
[JsonSerializable(typeof(MediaList))]
[JsonSerializable(typeof(MediaCursor))]
[JsonSerializable(typeof(MediumWriteRequest))]
[JsonSerializable(typeof(RenditionLink))]
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
