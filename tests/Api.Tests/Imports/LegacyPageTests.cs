using System.Text;
using Api.Imports;

namespace Api.Tests.Imports;

public sealed class LegacyPageTests
{
    private const string Title = "Xi Jinping Holds Telephone Talks with President Donald Trump of the US";
    private const string Lede = "On the morning of April 12, 2017, President Xi Jinping held telephone talks with President Donald Trump of the US.";
    private const string Closing = "The two heads of state agreed to maintain close contacts through various channels.";

    // The seed page as exported: its breadcrumb has NO-BREAK SPACEs around the '>'.
    private const string SeedBody = """
        On the morning of April 12, 2017, President Xi Jinping held telephone talks with President Donald Trump of the US.

        Xi Jinping stressed that I was very pleased to hold telephone talks with Mr. President. Not long ago, Mr. President and I held meetings at Mar-a-Lago, and we achieved important outcomes, which is highly acclaimed by the Chinese people as well as the international community. I thank Mr. President for your warm reception and considerate arrangements.

        Xi Jinping pointed out that we conducted in-depth communication on China-US relations in the new era as well as major international and regional issues at Mar-a-Lago, and reached important consensus. Mr. President and I further got to know each other, and we established sound working relationships. For the next step, both sides should advance the implementation of the 100-day plan on economic cooperation through the four high-level dialogue mechanisms including diplomatic and security dialogue, comprehensive economic dialogue, law enforcement and cyber security dialogue, and social and people-to-people and cultural dialogue, expand bilateral exchanges and cooperation in such aspects as militaries, law enforcement, network, people-to-people and cultural engagement, strengthen communication and coordination in major international and regional issues, strive for gaining early harvests as many as possible, inject new impetus into the development of bilateral relations, and make joint efforts to promote world peace and development. The work teams of the two sides should intensify cooperation, and make sure that Mr. President's visit to China within this year will achieve fruitful outcomes.

        Donald Trump expressed that he was very pleased to receive President Xi Jinping and hold the meeting between both heads of state at Mar-a-Lago in Florida. The meeting was fairly successful. It is important for the two heads of state to maintain close contacts. He agreed that the US and China should make joint efforts to expand practical cooperation in extensive fields, and looked forward to paying a state visit to China.

        The two heads of state exchanged views on the Korean Peninsula situation and other issues of common concern. Xi Jinping stressed that China insists on realizing the denuclearization of the Korean Peninsula, sticks to safeguard the peace and stability in the Korean Peninsula, advocates to solve problems through peaceful means, and stands ready to maintain communication and coordination on the Korean Peninsula issue with the US.

        As for the Syrian Issue, Xi Jinping pointed out that any use of chemical weapons is unacceptable. Both sides should adhere to the direction of a political settlement of the Syrian issue. To uphold unity in the UN Security Council is of great importance to settle the Syrian issue. It is hoped that the Security Council could speak with one voice.

        The two heads of state agreed to maintain close contacts through various channels.

        Suggest to a friend:
        """;

    private static readonly string SeedPage = "Home\u00A0>\u00A0China News\n" + Title + "\n\n" + SeedBody;

    private static readonly string[] SeedParagraphs = SeedBody.Split("\n\n")[..^1];

    private static readonly string SeedHtml = $$"""
        <!DOCTYPE html>
        <html>
        <head>
          <title>{{Title}} - Embassy of the People's Republic of China</title>
          <style>body { font-family: serif; } .hidden-style-marker { }</style>
          <script>var hiddenScriptMarker = "April 1, 2000";</script>
        </head>
        <body>
          <div id="top"><a href="/">Embassy</a> | <a href="/eng/">English</a></div>
          <div class="crumb"><a href="/">Home</a>&nbsp;&gt;&nbsp;<a href="/eng/zgyw/">China News</a></div>
          <h1>{{Title}}</h1>
          <div id="content">
        {{string.Concat(SeedParagraphs.Select(p => $"    <p>{p.Replace("'", "&#39;", StringComparison.Ordinal)}</p>\n"))}}
            <p>   </p>
            <script>document.write("hiddenScriptMarker");</script>
            <p>Suggest to a friend:</p>
            <p>[Print] [Close]</p>
          </div>
          <footer><p>Copyright Embassy of the People's Republic of China</p></footer>
        </body>
        </html>
        """;

    [Fact]
    public void Parse_takes_the_seed_page_apart()
    {
        var page = AssertParsed(SeedPage);

        Assert.Equal(["China News"], page.CategoryPath);
        Assert.Equal(Title, page.Title);
        Assert.Equal(new DateTime(2017, 4, 12, 0, 0, 0, DateTimeKind.Utc), page.PublishedAt);
        Assert.Equal(DateTimeKind.Utc, page.PublishedAt.Kind);
        Assert.Equal(Lede, page.Summary);
        Assert.Equal(7, page.Paragraphs.Count);
        Assert.Equal(Lede, page.Paragraphs[0]);
        Assert.Equal(Closing, page.Paragraphs[^1]);
        Assert.Equal(SeedParagraphs, page.Paragraphs);
        Assert.DoesNotContain(page.Paragraphs, p => p.Contains("Suggest to a friend", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Parse_takes_an_html_rendition_of_the_seed_page_apart()
    {
        var page = AssertParsed(SeedHtml);

        Assert.Equal(["China News"], page.CategoryPath);
        Assert.Equal(Title, page.Title);
        Assert.Equal(new DateTime(2017, 4, 12, 0, 0, 0, DateTimeKind.Utc), page.PublishedAt);
        Assert.Equal(Lede, page.Summary);
        Assert.Equal(SeedParagraphs, page.Paragraphs);
    }

    [Fact]
    public void Parse_never_outputs_script_or_style_content_or_site_furniture()
    {
        const string html = """
            <html><head><style>p { color: red } /* styleMarker */</style></head><body>
            <div class="breadcrumb">Home &gt; China News</div>
            <h1>Talks<script>var scriptMarker = 1;</script> held</h1>
            <p>On April 12, 2017, talks were held.<script>document.write("scriptMarker")</script><style>.styleMarker{}</style></p>
            <p>Second<noscript>noscriptMarker</noscript> paragraph.</p>
            <nav><p>navMarker</p></nav>
            <footer><p>footerMarker</p></footer>
            </body></html>
            """;

        var page = AssertParsed(html);

        Assert.Equal("Talks held", page.Title);
        Assert.Equal(["On April 12, 2017, talks were held.", "Second paragraph."], page.Paragraphs);
        var output = string.Join("\n", [.. page.CategoryPath, page.Title, page.Summary, .. page.Paragraphs]);
        foreach (var marker in new[] { "scriptMarker", "styleMarker", "color", "noscriptMarker", "navMarker", "footerMarker" })
        {
            Assert.DoesNotContain(marker, output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public void Parse_accepts_any_line_ending(string newline)
    {
        var page = AssertParsed(SeedPage.Replace("\n", newline, StringComparison.Ordinal));

        Assert.Equal(SeedParagraphs, page.Paragraphs);
        Assert.Equal(Title, page.Title);
    }

    [Fact]
    public void Parse_normalises_unicode_spaces_tabs_and_a_byte_order_mark()
    {
        var text = "\uFEFF\u2003Home \u00A0\t>\u3000 China\u00A0\u00A0News \r\n"
            + "  Xi Jinping\u2009Holds \u00A0 Talks\t\r\n"
            + "\u00A0\r\n"
            + "On\u00A0April 12,\u202F2017,\u00A0 they\u200B talked.  \r\n"
            + "\t\r\n"
            + "Second\u2002paragraph.\r\n";

        var page = AssertParsed(text);

        Assert.Equal(["China News"], page.CategoryPath);
        Assert.Equal("Xi Jinping Holds Talks", page.Title);
        Assert.Equal(["On April 12, 2017, they talked.", "Second paragraph."], page.Paragraphs);
        Assert.Equal(new DateTime(2017, 4, 12, 0, 0, 0, DateTimeKind.Utc), page.PublishedAt);
    }

    [Fact]
    public void Parse_joins_the_lines_of_a_soft_wrapped_paragraph_and_skips_leading_blank_lines()
    {
        var page = AssertParsed("\n\n  \nHome > China News\nTitle\n\nOn April 12, 2017,\nthe talks\nwere held.\n\n\n\nSecond.");

        Assert.Equal(["On April 12, 2017, the talks were held.", "Second."], page.Paragraphs);
    }

    [Theory]
    [InlineData("Home > News > China News")]
    [InlineData("Home » News » China News")]
    [InlineData("Home › News › China News")]
    [InlineData("HOME>News>China News")]
    [InlineData("home \u00A0»\u00A0 News \u00A0›\u00A0  China   News")]
    public void Parse_reads_every_breadcrumb_level_after_home(string breadcrumb)
    {
        var page = AssertParsed(Page(breadcrumb: breadcrumb));

        Assert.Equal(["News", "China News"], page.CategoryPath);
    }

    [Theory]
    [InlineData("China News > Talks")]
    [InlineData("Homepage > China News")]
    [InlineData("Xi Jinping Holds Telephone Talks")]
    [InlineData("Home | China News")]
    [InlineData("> China News")]
    public void Parse_rejects_a_page_without_a_breadcrumb(string firstLine)
    {
        AssertError(Page(breadcrumb: firstLine), "No breadcrumb line (expected 'Home > Category').");
    }

    [Theory]
    [InlineData("Home > > China News")]
    [InlineData("Home > China News >")]
    [InlineData("Home >")]
    [InlineData("Home >\u00A0\u00A0> China News")]
    public void Parse_rejects_a_breadcrumb_with_an_empty_segment(string breadcrumb)
    {
        AssertError(Page(breadcrumb: breadcrumb), "The breadcrumb has an empty segment.");
    }

    [Theory]
    [InlineData("Home")]
    [InlineData("  HOME  ")]
    public void Parse_rejects_a_breadcrumb_with_no_category(string breadcrumb)
    {
        AssertError(Page(breadcrumb: breadcrumb), "The breadcrumb has no category after 'Home'.");
    }

    [Theory]
    [InlineData("Home > China News")]
    [InlineData("Home > China News\n\n  \n")]
    public void Parse_rejects_a_page_without_a_title(string text)
    {
        AssertError(text, "No title after the breadcrumb.");
    }

    [Fact]
    public void Parse_accepts_a_title_of_500_characters_and_rejects_a_longer_one()
    {
        Assert.Equal(new string('T', 500), AssertParsed(Page(title: new string('T', 500))).Title);
        AssertError(Page(title: new string('T', 501)), "The title is longer than 500 characters.");
    }

    [Theory]
    [InlineData("On the morning of April 12, 2017, talks were held.")]
    [InlineData("On 12 April 2017, talks were held.")]
    [InlineData("On Apr. 12, 2017, talks were held.")]
    [InlineData("On Apr 12 2017 talks were held.")]
    [InlineData("On april 12th, 2017, talks were held.")]
    [InlineData("On 12th April, 2017, talks were held.")]
    [InlineData("Talks were held (2017-04-12).")]
    [InlineData("Talks were held on 2017/04/12 in Beijing.")]
    [InlineData("Talks were held on 2017-4-12.")]
    [InlineData("In 2016 there were none; on February 30, 2017 nothing; on April 12, 2017 talks were held.")]
    public void Parse_finds_the_first_valid_date_in_the_lede(string lede)
    {
        var page = AssertParsed(Page(lede: lede));

        Assert.Equal(new DateTime(2017, 4, 12, 0, 0, 0, DateTimeKind.Utc), page.PublishedAt);
        Assert.Equal(DateTimeKind.Utc, page.PublishedAt.Kind);
        Assert.Equal(lede, page.Summary);
    }

    [Theory]
    [InlineData("2017-04-12", 0, 0)]
    [InlineData("(2017-04-12)", 0, 0)]
    [InlineData("[2017/04/12]", 0, 0)]
    [InlineData("April 12, 2017", 0, 0)]
    [InlineData("Updated: 2017-04-12 08:30", 8, 30)]
    [InlineData("Published: April 12, 2017, 23:05", 23, 5)]
    [InlineData("Date: 2017-04-12T08:30", 8, 30)]
    public void Parse_takes_a_date_line_after_the_title_as_the_date_and_not_as_body(string dateLine, int hour, int minute)
    {
        var page = AssertParsed(Page(dateLine: dateLine, lede: "Talks were held in Beijing on Monday, April 10, 2017."));

        Assert.Equal(new DateTime(2017, 4, 12, hour, minute, 0, DateTimeKind.Utc), page.PublishedAt);
        Assert.Equal(DateTimeKind.Utc, page.PublishedAt.Kind);
        Assert.Equal("Talks were held in Beijing on Monday, April 10, 2017.", page.Summary);
        Assert.DoesNotContain(page.Paragraphs, p => p.Contains("2017-04-12", StringComparison.Ordinal) || p.Contains("April 12", StringComparison.Ordinal));
        Assert.Equal(2, page.Paragraphs.Count);
    }

    [Fact]
    public void Parse_takes_a_date_line_directly_under_the_title_without_a_blank_line()
    {
        var page = AssertParsed("Home > China News\nTitle\n2017-04-12\nTalks were held.\n\nSecond.");

        Assert.Equal(new DateTime(2017, 4, 12, 0, 0, 0, DateTimeKind.Utc), page.PublishedAt);
        Assert.Equal(["Talks were held.", "Second."], page.Paragraphs);
    }

    [Fact]
    public void Parse_falls_back_to_the_lede_when_the_date_line_is_invalid()
    {
        var page = AssertParsed(Page(dateLine: "2017-02-30", lede: "On April 12, 2017, talks were held."));

        Assert.Equal(new DateTime(2017, 4, 12, 0, 0, 0, DateTimeKind.Utc), page.PublishedAt);
        Assert.Equal("On April 12, 2017, talks were held.", page.Summary);
    }

    [Theory]
    [InlineData("Talks were held in Beijing.")]
    [InlineData("Talks were held on February 30, 2017.")]
    [InlineData("Talks were held on 2017-13-01 and 2017-02-29.")]
    [InlineData("Talks were held on April 12.")]
    [InlineData("Talks were held in April 2017.")]
    public void Parse_rejects_a_page_without_a_valid_date(string lede)
    {
        AssertError(Page(lede: lede), "No publication date: neither a date line after the title nor a valid date in the first paragraph.");
    }

    [Fact]
    public void Parse_does_not_look_for_the_date_beyond_the_lede()
    {
        AssertError(Page(lede: "Talks were held.", second: "They began on April 12, 2017."), "No publication date: neither a date line after the title nor a valid date in the first paragraph.");
    }

    [Theory]
    [InlineData("Suggest to a friend:")]
    [InlineData("Suggest To A Friend:")]
    [InlineData("Suggest to a friend")]
    [InlineData("Recommend to a friend")]
    [InlineData("Print")]
    [InlineData("Close")]
    [InlineData("Share:")]
    [InlineData("[Print] [Close]")]
    [InlineData("[Print]\n[Close]")]
    [InlineData("Suggest to a friend:\n\n[Print]\n[Close]\n\n")]
    [InlineData("Print | Close | Share")]
    [InlineData("PRINT:")]
    public void Parse_drops_trailing_page_chrome(string chrome)
    {
        var page = AssertParsed(Page() + "\n\n" + chrome);

        Assert.Equal([DefaultLede, DefaultSecond], page.Paragraphs);
    }

    [Fact]
    public void Parse_drops_a_chrome_line_in_the_middle_of_the_body()
    {
        var page = AssertParsed(Page(second: "Second.\n\n[Print]\n\nThird.\nShare:\nFourth."));

        Assert.Equal([DefaultLede, "Second.", "Third.", "Fourth."], page.Paragraphs);
    }

    [Theory]
    [InlineData("He thanked his friend for the reception.")]
    [InlineData("Suggest to a friend: the talks were a success.")]
    [InlineData("Print media covered the talks.")]
    [InlineData("Close cooperation will continue.")]
    [InlineData("Share.")]
    public void Parse_keeps_a_paragraph_that_only_mentions_a_chrome_word(string paragraph)
    {
        var page = AssertParsed(Page(second: paragraph) + "\n\nSuggest to a friend:");

        Assert.Equal([DefaultLede, paragraph], page.Paragraphs);
    }

    [Theory]
    [InlineData("Home > China News\nTitle\n\nSuggest to a friend:\n\n[Print] [Close]")]
    [InlineData("Home > China News\nTitle\n2017-04-12\n\nPrint")]
    [InlineData("Home > China News\nTitle\n(2017-04-12)")]
    [InlineData("<html><body><div class=\"crumb\">Home &gt; China News</div><h1>Title</h1><p>Print</p><p> \u00A0 </p></body></html>")]
    public void Parse_rejects_a_page_with_no_body_left_after_removing_chrome(string text)
    {
        AssertError(text, "No body paragraphs after the title.");
    }

    [Theory]
    [InlineData("Talks with the US - Embassy of China")]
    [InlineData("Talks with the US | Embassy of China")]
    [InlineData("Talks with the US")]
    public void Parse_takes_the_html_title_element_without_its_site_suffix_when_there_is_no_h1(string titleElement)
    {
        var page = AssertParsed($"<html><head><title>{titleElement}</title></head><body><div class=\"crumb\">Home &gt; China News</div><p>On April 12, 2017, talks.</p></body></html>");

        Assert.Equal("Talks with the US", page.Title);
        Assert.Equal(["On April 12, 2017, talks."], page.Paragraphs);
    }

    [Fact]
    public void Parse_finds_an_html_breadcrumb_by_its_text_when_no_element_is_named_crumb()
    {
        const string html = """
            <table><tr><td><a href="/">Home</a> | <a href="/about">About</a></td></tr>
            <tr><td><a href="/">Home</a> » <a href="/news">News</a> » China News</td></tr></table>
            <h1>Title</h1>
            <p>Home &gt; News &gt; China News</p>
            <p>On April 12, 2017, talks.</p>
            """;

        var page = AssertParsed(html);

        Assert.Equal(["News", "China News"], page.CategoryPath);
        Assert.Equal(["On April 12, 2017, talks."], page.Paragraphs);
    }

    [Fact]
    public void Parse_reads_a_breadcrumb_list_whose_separators_are_drawn_by_css()
    {
        const string html = """
            <body class="breadcrumb-layout">
            <ol id="breadcrumbs"><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li>China News</li></ol>
            <h1>Title</h1><p>On 12 April 2017, talks.</p>
            </body>
            """;

        Assert.Equal(["News", "China News"], AssertParsed(html).CategoryPath);
    }

    [Theory]
    [InlineData("<div class=\"crumb\">Home</div>", "The breadcrumb has no category after 'Home'.")]
    [InlineData("<div class=\"crumb\">Home &gt; &gt; China News</div>", "The breadcrumb has an empty segment.")]
    [InlineData("<div>China News</div>", "No breadcrumb line (expected 'Home > Category').")]
    public void Parse_applies_the_breadcrumb_rules_to_html(string crumb, string error)
    {
        AssertError($"<html><body>{crumb}<h1>Title</h1><p>On April 12, 2017, talks.</p></body></html>", error);
    }

    [Fact]
    public void Parse_rejects_html_without_a_title()
    {
        AssertError("<html><body><div class=\"crumb\">Home &gt; China News</div><p>On April 12, 2017, talks.</p></body></html>", "No title after the breadcrumb.");
    }

    [Theory]
    [InlineData("<div class=\"info\">Updated: 2017-04-12 08:30</div>", 8, 30)]
    [InlineData("<p>(2017-04-12)</p>", 0, 0)]
    [InlineData("<span>2017-04-12</span>", 0, 0)]
    public void Parse_takes_an_html_date_line_after_the_heading(string dateLine, int hour, int minute)
    {
        var page = AssertParsed($"<div class=\"crumb\">Home &gt; China News</div><h1>Title</h1>{dateLine}<p>Talks were held.</p><p>Second.</p>");

        Assert.Equal(new DateTime(2017, 4, 12, hour, minute, 0, DateTimeKind.Utc), page.PublishedAt);
        Assert.Equal(["Talks were held.", "Second."], page.Paragraphs);
    }

    [Fact]
    public void Parse_reads_html_paragraph_text_with_entities_markup_and_line_breaks()
    {
        var page = AssertParsed("<p>Home&nbsp;&gt;&nbsp;China News</p><h1>A &amp; B</h1><p>On <b>April&nbsp;12</b>, 2017,<br>the <a href=\"#\">talks</a>\n\t were held.</p>");

        Assert.Equal("A & B", page.Title);
        Assert.Equal(["On April 12, 2017, the talks were held."], page.Paragraphs);
    }

    [Fact]
    public void Parse_detects_html_that_does_not_start_with_a_tag()
    {
        var page = AssertParsed("Saved page\n<div class=\"crumb\">Home &gt; China News</div><h1>Title</h1><p>On April 12, 2017, talks.</p>");

        Assert.Equal("Title", page.Title);
    }

    [Fact]
    public void Parse_reads_html_nested_a_few_thousand_elements_deep()
    {
        var html = "<div class=\"crumb\">Home &gt; China News</div><h1>Title</h1>"
            + string.Concat(Enumerable.Repeat("<div><span>", 2_000)) + "<p>On April 12, 2017, talks.</p>";

        Assert.Equal(["On April 12, 2017, talks."], AssertParsed(html).Paragraphs);
    }

    [Fact]
    public void Parse_rejects_a_page_over_two_million_characters()
    {
        var page = Page() + new string(' ', 2_000_001 - Page().Length);

        var error = Parse(page);

        Assert.NotNull(error);
        Assert.StartsWith("Page too large", error);
        Assert.True(LegacyPageParser.Parse(Page() + new string(' ', 2_000_000 - Page().Length)).Succeeded);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\uFEFF")]
    [InlineData("\u00A0\r\n\t\u3000")]
    [InlineData("<")]
    [InlineData("<html>")]
    [InlineData("<p>")]
    [InlineData("</p></p></body>")]
    [InlineData("<!--")]
    [InlineData("<!-->")]
    [InlineData("<script>")]
    [InlineData("<![CDATA[")]
    [InlineData("Home")]
    [InlineData("Home >")]
    [InlineData(">>>")]
    [InlineData("»")]
    [InlineData("\0\0\0")]
    [InlineData("\uD800")]
    [InlineData("Home > A\nB\n\n2017-99-99 99:99")]
    [InlineData("Home > A\nB\n\nUpdated: 2017-04-12 25:61")]
    public void Parse_gives_a_reason_for_degenerate_input(string content)
    {
        AssertWellFormed(LegacyPageParser.Parse(content));
        Assert.False(LegacyPageParser.Parse(content).Succeeded);
    }

    [Fact]
    public void Parse_never_throws_on_random_text_bytes_or_markup()
    {
        var random = new Random(20170412);
        string[] pieces =
        [
            "Home", " > ", "»", "›", "\u00A0", "\n", "\r\n", "\r", "\n\n", "April 12, 2017", "2017-02-30", "12 Apr. 2017",
            "<p>", "</p>", "<div class=\"crumb\">", "</div>", "<h1>", "</h1>", "<script>", "</script>", "<!--", "-->", "<br>",
            "<title>", "&gt;", "&nbsp;", "Print", "[Close]", "Suggest to a friend:", "Updated: 2017-04-12 08:30", "(", ")", "\uFEFF",
            "\0", "\uD800", "word", " ", "<", ">", "<table><tr><td>", "<ul><li>", "<b>", "<a href=\"x\">",
        ];

        for (var i = 0; i < 400; i++)
        {
            AssertWellFormed(LegacyPageParser.Parse(string.Concat(Enumerable.Range(0, random.Next(1, 80)).Select(_ => pieces[random.Next(pieces.Length)]))));

            var bytes = new byte[random.Next(0, 2_000)];
            random.NextBytes(bytes);
            AssertWellFormed(LegacyPageParser.Parse(Encoding.UTF8.GetString(bytes)));
            AssertWellFormed(LegacyPageParser.Parse(Encoding.Latin1.GetString(bytes)));

            var chars = new char[random.Next(0, 500)];
            for (var c = 0; c < chars.Length; c++)
            {
                chars[c] = (char)random.Next(0, 0x10000);
            }

            AssertWellFormed(LegacyPageParser.Parse(new string(chars)));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("Home > ")]
    [InlineData("Home > China News\nTitle\n\nOn April 12, 2017, ")]
    [InlineData("<p>")]
    [InlineData("Home > China News\nTitle\n\nSuggest to a friend: ")]
    public void Parse_handles_a_huge_single_line(string prefix)
    {
        var result = LegacyPageParser.Parse(prefix + new string('a', 1_999_000));

        AssertWellFormed(result);
    }

    [Theory]
    [InlineData("<div>", "")]
    [InlineData("<b>", "")]
    [InlineData("<span><div></span>", "")]
    [InlineData("<div></x>", "")]
    [InlineData("<div><div-x>", "</div-x>")]
    [InlineData("<table><tr><td>", "")]
    public void Parse_turns_away_absurdly_deep_html_quickly(string open, string close)
    {
        // Stray end tags and an empty comment that the tokenizer closes at once must not hide the depth.
        var html = "<!-->" + "<div class=\"crumb\">Home &gt; China News</div><h1>Title</h1>"
            + string.Concat(Enumerable.Repeat(open + close, 60_000)) + "<p>On April 12, 2017, talks.</p>-->";
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var result = LegacyPageParser.Parse(html);

        Assert.Equal("The HTML is nested more than 5,000 elements deep.", result.Error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Parse_does_not_count_flat_or_commented_markup_as_nesting()
    {
        var html = "<div class=\"crumb\">Home &gt; China News</div><h1>Title</h1><p>On April 12, 2017, talks."
            + string.Concat(Enumerable.Repeat("<!-- <div><div> --><p>x<li>y<br><img src=x><div></div><script>'<div>'</script>", 20_000));

        var page = AssertParsed(html);

        Assert.Equal("On April 12, 2017, talks.", page.Summary);
        Assert.Equal(20_001, page.Paragraphs.Count);
        Assert.All(page.Paragraphs.Skip(1), p => Assert.Equal("x", p));
    }

    private const string DefaultLede = "On April 12, 2017, talks were held.";
    private const string DefaultSecond = "Both sides agreed to stay in touch.";

    private static string Page(string breadcrumb = "Home > China News", string title = "Talks", string? dateLine = null, string lede = DefaultLede, string second = DefaultSecond) =>
        $"{breadcrumb}\n{title}\n{(dateLine is null ? "" : dateLine + "\n")}\n{lede}\n\n{second}";

    private static LegacyPage AssertParsed(string content)
    {
        var result = LegacyPageParser.Parse(content);
        Assert.True(result.Succeeded, result.Error);
        Assert.Null(result.Error);
        return result.Page!;
    }

    private static string? Parse(string content) => LegacyPageParser.Parse(content).Error;

    private static void AssertError(string content, string error)
    {
        var result = LegacyPageParser.Parse(content);
        Assert.False(result.Succeeded);
        Assert.Null(result.Page);
        Assert.Equal(error, result.Error);
    }

    /// <summary>Exactly one of page and error, and a page that keeps the promises of <see cref="LegacyPage"/>.</summary>
    private static void AssertWellFormed(LegacyPageResult result)
    {
        Assert.NotNull(result);
        Assert.True(result.Page is null != (result.Error is null), "exactly one of Page and Error");
        Assert.Equal(result.Page is not null, result.Succeeded);
        if (result.Page is { } page)
        {
            Assert.NotEmpty(page.CategoryPath);
            Assert.All(page.CategoryPath, s => Assert.False(string.IsNullOrWhiteSpace(s)));
            Assert.InRange(page.Title.Length, 1, 500);
            Assert.NotEmpty(page.Paragraphs);
            Assert.Equal(page.Summary, page.Paragraphs[0]);
            Assert.Equal(DateTimeKind.Utc, page.PublishedAt.Kind);
        }
        else
        {
            Assert.False(string.IsNullOrWhiteSpace(result.Error));
        }
    }
}
