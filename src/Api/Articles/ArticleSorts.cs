namespace Api.Articles;

public enum ArticleSort
{
    PublishedDescending,
    PublishedAscending,
    UpdatedDescending,
    Title,
    Relevance,
}

public static class ArticleSorts
{
    public static readonly string[] Names = ["-publishedAt", "publishedAt", "-updatedAt", "title", "relevance"];

    public static bool TryParse(string? value, out ArticleSort sort)
    {
        sort = value switch
        {
            "-publishedAt" => ArticleSort.PublishedDescending,
            "publishedAt" => ArticleSort.PublishedAscending,
            "-updatedAt" => ArticleSort.UpdatedDescending,
            "title" => ArticleSort.Title,
            "relevance" => ArticleSort.Relevance,
            _ => (ArticleSort)(-1),
        };
        return Enum.IsDefined(sort);
    }

    public static string Name(ArticleSort sort) => Names[(int)sort];
}
