namespace Api.Webhooks;

/// <summary>The events a webhook can subscribe to, and how changes of the change feed map to them.</summary>
public static class WebhookEvents
{
    public const string ArticlePublished = "article.published";
    public const string ArticleUpdated = "article.updated";
    public const string ArticleUnpublished = "article.unpublished";
    public const string ArticleDeleted = "article.deleted";
    public const string ArticleCorrected = "article.corrected";
    public const string CategoryChanged = "category.changed";

    public static readonly string[] All = [ArticlePublished, ArticleUpdated, ArticleUnpublished, ArticleDeleted, ArticleCorrected, CategoryChanged];

    /// <summary>
    /// The event of a change, or null when the change is nothing the public could see.
    /// <paramref name="visibleBefore"/> and <paramref name="visibleAfter"/> say whether the public could
    /// see the article just before and right after the change (as the writer recorded it). An article
    /// that becomes visible is <c>article.published</c> (created, published, restored, an edit of its
    /// status, its scheduled time come), one that stays visible <c>article.updated</c>, one that stops
    /// being visible <c>article.unpublished</c>; a draft or a scheduled article sends nothing, except
    /// that a deletion is always <c>article.deleted</c>, so partners learn that the id is gone.
    /// </summary>
    public static string? For(string entity, string kind, bool visibleBefore, bool visibleAfter) => (entity, kind) switch
    {
        ("category", _) => CategoryChanged,
        ("article", "deleted") => ArticleDeleted,
        ("article", "unpublished" or "archived") => visibleBefore ? ArticleUnpublished : null,
        // Recorded with the write's main change, which tells of the transition; alone it is an update.
        ("article", "slug-changed") => visibleBefore && visibleAfter ? ArticleUpdated : null,
        ("article", "corrected") => visibleBefore && visibleAfter ? ArticleCorrected : null,
        ("article", "created" or "updated" or "restored" or "published") => (visibleBefore, visibleAfter) switch
        {
            (false, true) => ArticlePublished,
            (true, true) => ArticleUpdated,
            (true, false) => ArticleUnpublished,
            _ => null,
        },
        _ => null,
    };
}
