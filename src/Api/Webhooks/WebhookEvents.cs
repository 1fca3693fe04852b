namespace Api.Webhooks;

/// <summary>The events a webhook can subscribe to, and how changes of the change feed map to them.</summary>
public static class WebhookEvents
{
    public const string ArticlePublished = "article.published";
    public const string ArticleUpdated = "article.updated";
    public const string ArticleUnpublished = "article.unpublished";
    public const string ArticleDeleted = "article.deleted";
    public const string CategoryChanged = "category.changed";

    public static readonly string[] All = [ArticlePublished, ArticleUpdated, ArticleUnpublished, ArticleDeleted, CategoryChanged];

    /// <summary>
    /// The event of a change, or null when the change is nothing the public could see. Changes that
    /// only matter while an article is public (created, updated, slug-changed, restored) are judged by
    /// whether the public could see the article right after the change: creating or editing a draft
    /// (or a scheduled article) sends nothing, creating an article straight into publication is
    /// <c>article.published</c>.
    /// </summary>
    public static string? For(string entity, string kind, bool publiclyVisible) => (entity, kind) switch
    {
        ("category", _) => CategoryChanged,
        ("article", "published") => ArticlePublished,
        ("article", "unpublished" or "archived") => ArticleUnpublished,
        ("article", "deleted") => ArticleDeleted,
        ("article", "created") => publiclyVisible ? ArticlePublished : null,
        ("article", "updated" or "slug-changed" or "restored") => publiclyVisible ? ArticleUpdated : null,
        _ => null,
    };
}
