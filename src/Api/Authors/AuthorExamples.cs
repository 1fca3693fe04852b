namespace Api.Authors;

/// <summary>Examples of the author endpoints' bodies for the contract.</summary>
internal static class AuthorExamples
{
    public const string Author = """
        {
          "id": 1,
          "slug": "zhang-wei",
          "name": "Zhang Wei",
          "title": "Beijing correspondent",
          "bio": "Covers diplomacy and trade from Beijing.",
          "email": null,
          "photo": null,
          "links": [ { "label": "Website", "url": "https://zhangwei.example.com" } ],
          "version": 2,
          "updatedAt": "2030-05-04T08:00:00Z",
          "articlesUrl": "/v1/authors/zhang-wei/articles"
        }
        """;

    public const string Create = """
        {
          "name": "Zhang Wei",
          "title": "Beijing correspondent",
          "bio": "Covers diplomacy and trade from Beijing.",
          "email": "zhang.wei@example.com",
          "links": [ { "label": "Website", "url": "https://zhangwei.example.com" } ]
        }
        """;

    public const string Patch = """
        { "title": "Asia editor", "photoMediumId": 1 }
        """;
}
