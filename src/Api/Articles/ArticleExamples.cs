namespace Api.Articles;

/// <summary>Examples of the article endpoints' bodies for the contract (the sample article, shortened).</summary>
internal static class ArticleExamples
{
    public const string Article = """
        {
          "id": 1,
          "slug": "xi-jinping-holds-telephone-talks-with-president-donald-trump-of-the-us",
          "title": "Xi Jinping Holds Telephone Talks with President Donald Trump of the US",
          "summary": "On the morning of April 12, 2017, President Xi Jinping held telephone talks with President Donald Trump of the US.",
          "bodyHtml": "<p>On the morning of April 12, 2017, President Xi Jinping held telephone talks with President Donald Trump of the US.</p>\n<p>The two heads of state agreed to maintain close contacts through various channels.</p>",
          "bodyText": "On the morning of April 12, 2017, President Xi Jinping held telephone talks with President Donald Trump of the US.\n\nThe two heads of state agreed to maintain close contacts through various channels.",
          "language": "en",
          "status": "published",
          "publishedAt": "2017-04-12T00:00:00Z",
          "createdAt": "2017-04-12T00:00:00Z",
          "updatedAt": "2017-04-13T08:30:00Z",
          "version": 3,
          "canonicalUrl": "https://news.example.com/articles/xi-jinping-holds-telephone-talks-with-president-donald-trump-of-the-us",
          "byline": null,
          "source": "Xinhua",
          "image": {
            "url": "https://img.example.com/media/1/DaacG29xXu6d/w1024.jpg",
            "alt": "A red banner with gold stars under a blue sky",
            "mediumId": 1,
            "width": 1600,
            "height": 900,
            "caption": "The flag at the embassy.",
            "credit": "Li Wei / Xinhua",
            "copyright": null,
            "dominantColor": "#4676d2",
            "placeholder": "data:image/webp;base64,UklGRmAAAABXRUJQVlA4IFQAAAAwAgCdASoQAAkAA4BaJbAAA186PdPvkngXAAD9UJIKgF4ou3Cegs5wPhERZv85Xf/MNcI/jEuuC8G4wqt4Ox/fya4IZ+x5XsVfz+9v+4u6HPQAAAA=",
            "renditions": {
              "src": "https://img.example.com/media/1/DaacG29xXu6d/w1024.jpg",
              "srcset": [
                { "url": "https://img.example.com/media/1/DaacG29xXu6d/w320.webp", "width": 320, "height": 180 },
                { "url": "https://img.example.com/media/1/DaacG29xXu6d/w800.webp", "width": 800, "height": 450 },
                { "url": "https://img.example.com/media/1/DaacG29xXu6d/w1600.webp", "width": 1600, "height": 900 }
              ],
              "template": "https://img.example.com/media/1/DaacG29xXu6d/{spec}.{format}"
            }
          },
          "category": {
            "id": 1,
            "slug": "china-news",
            "name": "China News",
            "breadcrumb": [
              { "id": null, "slug": null, "name": "Home" },
              { "id": 1, "slug": "china-news", "name": "China News" }
            ]
          },
          "tags": [
            { "slug": "xi-jinping", "name": "Xi Jinping" },
            { "slug": "china-us-relations", "name": "China-US Relations" }
          ],
          "deletedAt": null,
          "previousSlugs": [],
          "legacyIds": ["t1453741"],
          "translations": [],
          "media": [],
          "authors": [
            { "id": 1, "slug": "zhang-wei", "name": "Zhang Wei", "title": "Beijing correspondent" }
          ],
          "dateline": "BEIJING",
          "kind": "news",
          "corrections": [
            { "id": 1, "kind": "correction", "text": "An earlier version misstated the date of the talks.", "createdAt": "2017-04-13T08:30:00Z" }
          ],
          "contentModifiedAt": "2017-04-13T08:30:00Z",
          "embargoed": false
        }
        """;

    /// <summary>The sample article as a reader without an editor key gets it (no <c>fields</c>).</summary>
    public static readonly string PublicArticle = Without(Article, "bodyText", "status", "createdAt", "version", "deletedAt", "previousSlugs", "legacyIds");

    private static string Without(string json, params string[] members)
    {
        var article = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        foreach (var member in members)
        {
            article.Remove(member);
        }

        return article.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public const string Create = """
        {
          "title": "Embassy opens a new visa centre",
          "summary": "Applicants can book appointments online from Monday.",
          "bodyHtml": "<p>The embassy opened a new visa application centre on Monday.</p>",
          "language": "en",
          "categorySlug": "visas",
          "tags": ["Visas", "Consular services"],
          "status": "scheduled",
          "publishedAt": "2030-05-04T08:00:00Z",
          "embargoed": true,
          "authorIds": [1],
          "dateline": "BEIJING",
          "kind": "news",
          "image": { "mediumId": 1, "alt": "The new visa centre's entrance" }
        }
        """;

    public const string Patch = """
        {
          "title": "Xi Jinping and Donald Trump hold telephone talks",
          "tags": ["Xi Jinping", "Donald Trump"],
          "byline": null
        }
        """;

    public const string Correction = """
        { "kind": "correction", "text": "An earlier version misstated the date of the talks." }
        """;

    public const string Preview = """
        {
          "token": "kmiv3Lm8cKKVSdO2W6eth9XFFec9Cq17ZLSZZUDahAM",
          "url": "/v1/previews/kmiv3Lm8cKKVSdO2W6eth9XFFec9Cq17ZLSZZUDahAM",
          "expiresAt": "2030-05-04T08:00:00Z",
          "unsaved": true,
          "baseVersion": 3
        }
        """;
}
