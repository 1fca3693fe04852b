using Api.Infrastructure;
using Api.Keys;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Api.Tags;

public static class TagEditing
{
    public static void MapTagEditing(this RouteGroupBuilder tags)
    {
        tags.MapPatch("/{slug}", Patch)
            .WithName("PatchTag")
            .WithSummary("Rename a tag with a JSON merge patch (If-Match required)")
            .WithDescription("""
                Changes `name` and/or `slug`; the previous slug keeps answering with a 301. Every article with
                the tag gets a new version and an `updated` change. A slug another tag uses, or used before, is a 409.
                """)
            .RequireScope(Scopes.ContentWrite)
            .Accepts<TagWriteRequest>(MergePatch.ContentType)
            .WithRequestExample("""{ "name": "China-US Relations", "slug": "china-us-relations" }""")
            .WithResponseExample(StatusCodes.Status200OK, TagExample)
            .WithVersionedWriteResponses()
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        tags.MapPost("/{slug}/merge", Merge)
            .WithName("MergeTag")
            .WithSummary("Merge a tag into another (If-Match required)")
            .WithDescription("""
                Every article with the tag gets the tag `into` in its place (keeping its place among the
                article's tags; an article that had both keeps one, at the earlier place), the tag is deleted
                and its slugs answer 301 to `into`. Answers `into` as it now is. An unknown `into` is a 400;
                merging a tag into itself is a 409.
                """)
            .RequireScope(Scopes.ContentWrite)
            .Accepts<TagMergeRequest>("application/json")
            .WithRequestExample("""{ "into": "china-us-relations" }""")
            .WithResponseExample(StatusCodes.Status200OK, TagExample)
            .WithVersionedWriteResponses();
    }

    /// <summary>A tag as the contract's examples show it.</summary>
    internal const string TagExample = """
        { "id": 3, "slug": "china-us-relations", "name": "China-US Relations", "articleCount": 128, "articlesUrl": "/v1/tags/china-us-relations/articles", "updatedAt": "2030-05-04T08:00:00Z", "version": 2 }
        """;

    private static Task<Results<Written<TagDetail>, ValidationProblem, ProblemHttpResult>> Patch(
        [AsParameters] TagRoute route, HttpContext http, TagWriter writer, IValidator<TagWriteRequest> validator, CancellationToken cancellationToken) =>
        MergePatch.AnswerAsync(
            http,
            validator,
            (expected, change) => writer.UpdateAsync(route.Slug, expected, change, Scopes.KeyId(http.User), cancellationToken),
            tag => TagMapping.ETagPrefix(tag.Version),
            cancellationToken);

    private static async Task<Results<Written<TagDetail>, ValidationProblem, ProblemHttpResult>> Merge(
        [AsParameters] TagRoute route, TagMergeRequest request, HttpContext http, TagWriter writer, CancellationToken cancellationToken)
    {
        if (!Preconditions.TryRead(http.Request, out var expected))
        {
            return Preconditions.Required();
        }

        var outcome = await writer.MergeAsync(route.Slug, expected, request.Into!, Scopes.KeyId(http.User), cancellationToken);
        return outcome.Answer(tag => Written<TagDetail>.Of(tag, http.Options(), TagMapping.ETagPrefix(tag.Version)));
    }
}
