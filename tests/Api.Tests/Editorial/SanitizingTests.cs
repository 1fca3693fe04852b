using System.Net.Http.Json;
using Api.Tests.Infrastructure;

namespace Api.Tests.Editorial;

/// <summary>An XSS corpus (OWASP filter-evasion cheat sheet and common payloads): nothing executable survives.</summary>
public sealed class SanitizingTests(EditorialFixture api) : IClassFixture<EditorialFixture>
{
    public static readonly string[] Corpus =
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=https://evil.example/xss.js></SCRIPT>",
        "<IMG SRC=\"javascript:alert('XSS');\">",
        "<IMG SRC=javascript:alert('XSS')>",
        "<IMG SRC=JaVaScRiPt:alert('XSS')>",
        "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
        "<a onmouseover=\"alert(document.cookie)\">xxs link</a>",
        "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\"\\>",
        "<IMG SRC=# onmouseover=\"alert('xxs')\">",
        "<IMG SRC=/ onerror=\"alert(String.fromCharCode(88,83,83))\"></img>",
        "<img src=x onerror=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041\">",
        "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
        "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
        "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
        "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
        "<SCRIPT/XSS SRC=\"http://xss.rocks/xss.js\"></SCRIPT>",
        "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(\"XSS\")>",
        "<<SCRIPT>alert(\"XSS\");//\\<</SCRIPT>",
        "<SCRIPT SRC=http://xss.rocks/xss.js?< B >",
        "<iframe src=http://xss.rocks/scriptlet.html <",
        "</TITLE><SCRIPT>alert(\"XSS\");</SCRIPT>",
        "<INPUT TYPE=\"IMAGE\" SRC=\"javascript:alert('XSS');\">",
        "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
        "<svg/onload=alert('XSS')>",
        "<svg><script>alert(1)</script></svg>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<LINK REL=\"stylesheet\" HREF=\"javascript:alert('XSS');\">",
        "<STYLE>@import'http://xss.rocks/xss.css';</STYLE>",
        "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\">",
        "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
        "<FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>",
        "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
        "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
        "<DIV STYLE=\"width: expression(alert('XSS'));\">",
        "<p style=\"color:red\">styled</p>",
        "<OBJECT TYPE=\"text/x-scriptlet\" DATA=\"http://xss.rocks/scriptlet.html\"></OBJECT>",
        "<EMBED SRC=\"data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH A6Ly93d3cudzMub3JnLzIwMDAvc3ZnIiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcv MjAwMC9zdmciIHhtbG5zOnhsaW5rPSJodHRwOi8vd3d3LnczLm9yZy8xOTk5L3hs aW5rIiB2ZXJzaW9uPSIxLjAiIHg9IjAiIHk9IjAiIHdpZHRoPSIxOTQiIGhlaWdodD0iMjAw IiBpZD0ieHNzIj48c2NyaXB0IHR5cGU9InRleHQvZWNtYXNjcmlwdCI+YWxlcnQoIlh TUyIpOzwvc2NyaXB0Pjwvc3ZnPg==\" AllowScriptAccess=\"always\"></EMBED>",
        "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">data</a>",
        "<a href=\"vbscript:msgbox(1)\">vb</a>",
        "<a href=\"  javascript:alert(1)\">spaced</a>",
        "<a href=\"java\u0000script:alert(1)\">null</a>",
        "<form action=\"javascript:alert(1)\"><button>go</button></form>",
        "<details open ontoggle=alert(1)>",
        "<video><source onerror=\"alert(1)\"></video>",
        "<base href=\"javascript:alert(1)//\">",
        "<img src=\"https://example.com/a.png\" srcset=\"javascript:alert(1) 1x\">",
        "<a href=\"https://example.com\" target=\"_blank\" onclick=\"alert(1)\">ok link</a>",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
        "<template><script>alert(1)</script></template>",
        "<img src=\"x\" alt=\"\\\"onerror=alert(1)//\">",
    ];

    private static readonly HashSet<string> DangerousElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "iframe", "frame", "frameset", "object", "embed", "style", "link", "meta", "base", "form", "input", "button",
        "svg", "math", "template", "noscript", "video", "audio", "source", "details", "body", "html", "head", "title",
    };

    /// <summary>What a browser would act on: dangerous elements, event handlers, styles, script URLs. Escaped text is harmless.</summary>
    private static string? FindDanger(string html)
    {
        var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument("<body>" + html + "</body>");
        foreach (var element in document.Body!.QuerySelectorAll("*"))
        {
            if (DangerousElements.Contains(element.LocalName))
            {
                return $"<{element.LocalName}>";
            }

            foreach (var attribute in element.Attributes)
            {
                var value = new string(attribute.Value.Where(c => !char.IsControl(c) && !char.IsWhiteSpace(c)).ToArray()).ToLowerInvariant();
                if (attribute.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase) || attribute.Name is "style" or "srcset" or "formaction"
                    || value.StartsWith("javascript:") || value.StartsWith("vbscript:") || value.StartsWith("data:"))
                {
                    return $"{element.LocalName} {attribute.Name}=\"{attribute.Value}\"";
                }
            }
        }

        return null;
    }

    [Fact]
    public async Task Nothing_executable_survives_in_stored_html()
    {
        var body = string.Join("\n", Corpus.Select(p => "<p>before</p>" + p + "<p>after</p>"));

        var response = await api.Editor.PostAsJsonAsync("/v1/articles", new { title = "XSS corpus", bodyHtml = body, categorySlug = "visas" });
        var article = await response.ReadJsonAsync();

        var html = article.GetProperty("bodyHtml").GetString()!;
        Assert.True(FindDanger(html) is null, $"'{FindDanger(html)}' survived in: {html}");
        Assert.Contains("<p>after</p>", html);
        Assert.DoesNotContain("<script", article.GetProperty("bodyText").GetString());
        Assert.True(Corpus.Length >= 50, $"corpus has {Corpus.Length} payloads");
    }

    [Theory]
    [MemberData(nameof(Payloads))]
    public async Task Each_payload_alone_is_neutralised(string payload)
    {
        var response = await api.Editor.PostAsJsonAsync("/v1/articles", new { title = "Payload", bodyHtml = payload, categorySlug = "visas" });
        var html = (await response.ReadJsonAsync()).GetProperty("bodyHtml").GetString()!;
        Assert.True(FindDanger(html) is null, $"'{FindDanger(html)}' survived in: {html}");
    }

    public static TheoryData<string> Payloads() => new(Corpus);

    [Fact]
    public async Task Safe_markup_is_kept_and_links_get_rel_noopener()
    {
        const string html = """
            <h2>Heading</h2><p>Text with <a href="https://example.com/x">a link</a> and <em>emphasis</em>.</p>
            <ul><li>one</li><li>two</li></ul><blockquote>quoted</blockquote>
            <table><tr><th>A</th><td>1</td></tr></table><img src="https://example.com/a.png" alt="A picture">
            """;
        var response = await api.Editor.PostAsJsonAsync("/v1/articles", new { title = "Safe", bodyHtml = html, categorySlug = "visas" });
        var article = await response.ReadJsonAsync();
        var stored = article.GetProperty("bodyHtml").GetString()!;

        foreach (var kept in new[] { "<h2>Heading</h2>", "<em>emphasis</em>", "<li>one</li>", "<blockquote>quoted</blockquote>", "<th>A</th>", "alt=\"A picture\"" })
        {
            Assert.Contains(kept, stored);
        }

        Assert.Contains("href=\"https://example.com/x\" rel=\"noopener noreferrer\"", stored);
        Assert.Equal("Heading\n\nText with a link and emphasis.\n\none\n\ntwo\n\nquoted\n\nA 1", article.GetProperty("bodyText").GetString());
    }

    [Fact]
    public async Task Wrappers_keep_their_text_but_code_and_styles_leave_none()
    {
        const string html = """
            <div class="wp-block"><section><p>Kept paragraph.</p></section></div>
            <script>alert('left behind')</script><style>p { color: red }</style><noscript>Enable scripts</noscript>
            <template><p>hidden template</p></template><svg><text>drawn text</text></svg><p>End.</p>
            """;
        var response = await api.Editor.PostAsJsonAsync("/v1/articles", new { title = "Wrappers", bodyHtml = html, categorySlug = "visas" });
        var article = await response.ReadJsonAsync();

        Assert.StartsWith("<p>Kept paragraph.</p>", article.GetProperty("bodyHtml").GetString());
        Assert.Equal("Kept paragraph.\n\nEnd.", article.GetProperty("bodyText").GetString());
    }
}
