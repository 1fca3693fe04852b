using Api.Tests.Infrastructure;

namespace Api.Tests.Imports;

/// <summary><c>dotnet Api.dll import wordpress ...</c>: progress, resuming a stopped job, and the importer's own test files.</summary>
public sealed class WordPressCommandTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static string EdgeCase(string name) => WordPressFixture.DataFile($"importer-edge-cases/{name}");

    [Fact]
    public async Task A_job_stopped_half_way_goes_on_where_it_stopped_when_the_command_is_run_again()
    {
        var file = WordPressFixture.DataFile("themeunittestdata.wordpress.xml");
        var (exit, output, errors) = await ApiCommand.RunAsync(api.ConnectionString, "import", "wordpress", file);
        Assert.True(exit == 0, errors + output);
        Assert.Contains("[256/256]", output);
        var job = await api.ScalarAsync<long>("SELECT max(id) FROM import_jobs");
        var articles = await api.ScalarAsync<long>("SELECT count(*) FROM articles");

        // As if the process had been killed after item 200: the job still held, its later items not done.
        await api.ScalarAsync<int>($"""
            UPDATE import_jobs SET status = 'running', finished_at = NULL, lease_until = now() - interval '1 second' WHERE id = {job};
            DELETE FROM import_job_items WHERE job_id = {job} AND position >= 200;
            SELECT 1;
            """);
        (exit, output, errors) = await ApiCommand.RunAsync(api.ConnectionString, "import", "wordpress", file);

        Assert.True(exit == 0, errors + output);
        Assert.Contains($"Going on with import job {job}: 200 of 256 items were done", output);
        Assert.DoesNotContain("[200/256]", output);
        Assert.Contains("[201/256]", output);
        Assert.Equal(56, output.Split('\n').Count(l => l.StartsWith('[')));
        Assert.Equal("succeeded", await api.ScalarAsync<string>($"SELECT status FROM import_jobs WHERE id = {job}"));
        Assert.Equal(256L, await api.ScalarAsync<long>($"SELECT count(*) FROM import_job_items WHERE job_id = {job}"));
        Assert.Equal(articles, await api.ScalarAsync<long>("SELECT count(*) FROM articles"));
    }

    [Theory]
    [InlineData("crazy-cdata.xml", "not well-formed XML (line 18")]
    [InlineData("malformed.xml", "not well-formed XML (line 90")]
    [InlineData("malformed-simple.xml", "not well-formed XML")]
    [InlineData("missing-version-tag.xml", "no WXR version")]
    [InlineData("invalid-version-tag.xml", "is not a version number")]
    public async Task Files_WordPress_refuses_are_refused_with_the_reason_and_nothing_written(string name, string reason)
    {
        var jobs = await api.ScalarAsync<long>("SELECT count(*) FROM import_jobs");

        var (exit, output, errors) = await ApiCommand.RunAsync(api.ConnectionString, "import", "wordpress", EdgeCase(name));

        Assert.Equal(2, exit);
        Assert.Contains(reason, errors);
        Assert.Equal("", output);
        Assert.Equal(jobs, await api.ScalarAsync<long>("SELECT count(*) FROM import_jobs"));
    }

    [Fact]
    public async Task The_importers_edge_cases_import_as_WordPress_reads_them()
    {
        // Logins on several lines are trimmed.
        var (exit, output, errors) = await ApiCommand.RunAsync(api.ConnectionString, "import", "wordpress", EdgeCase("authors-multiline.xml"));
        Assert.True(exit == 0, errors + output);
        Assert.Equal(3L, await api.ScalarAsync<long>("SELECT count(*) FROM authors WHERE slug IN ('alice', 'bob', 'carol')"));

        // Backslashes stay as written.
        (exit, output, errors) = await ApiCommand.RunAsync(api.ConnectionString, "import", "wordpress", EdgeCase("backslashes.xml"));
        Assert.True(exit == 0, errors + output);
        Assert.Equal(@"C:\xampp\htdocs\wp-content", await api.ScalarAsync<string>("SELECT body_text FROM articles WHERE title = 'Paths'"));

        // Only the root's wp namespace counts: an item that redefines the prefix has no post id and fails
        // alone; the rest import, the first of two post ids wins.
        (exit, output, errors) = await ApiCommand.RunAsync(api.ConnectionString, "import", "wordpress", EdgeCase("namespace-edge-cases.xml"));
        Assert.Equal(1, exit);
        Assert.Contains("'Hijacked Namespace': failed: It has no WordPress post id", output);
        Assert.Contains("post 1 'Mixed Namespaces': created", output);
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM authors WHERE slug IN ('fake-ns-user', 'custom-user')"));
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM articles WHERE title = 'Hijacked Namespace'"));

        // Entities inside CDATA are text, never expanded.
        Assert.Contains("&lol1;", await api.ScalarAsync<string>("SELECT body_text FROM articles WHERE title = 'Namespace Bomb'"));
    }

    [Fact]
    public async Task A_dry_run_from_the_command_line_keeps_nothing()
    {
        var articles = await api.ScalarAsync<long>("SELECT count(*) FROM articles");

        var (exit, output, errors) = await ApiCommand.RunAsync(api.ConnectionString, "import", "wordpress", "--dry-run", EdgeCase("wxr-comprehensive.xml"));

        Assert.True(exit == 0, errors + output);
        Assert.Contains("dry run: nothing will be kept", output);
        Assert.Contains("Dry run: would be", output);
        Assert.Equal(articles, await api.ScalarAsync<long>("SELECT count(*) FROM articles"));
    }

    [Fact]
    public async Task Attachments_found_in_the_uploads_folder_go_into_the_media_library_and_lead_their_posts()
    {
        var uploads = Directory.CreateTempSubdirectory("wp-uploads-");
        try
        {
            Directory.CreateDirectory(Path.Combine(uploads.FullName, "2024/05"));
            await File.WriteAllBytesAsync(Path.Combine(uploads.FullName, "2024/05/harbour.jpg"), Media.TestImages.Jpeg(320, 200, seed: 4242));
            var export = Path.Combine(uploads.FullName, "export.xml");
            await File.WriteAllTextAsync(export, """
                <?xml version="1.0" encoding="UTF-8"?>
                <rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
                     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
                <channel>
                  <title>Harbour News</title><link>https://harbour.example</link><wp:wxr_version>1.2</wp:wxr_version>
                  <wp:category><wp:term_id>3</wp:term_id><wp:category_nicename>port</wp:category_nicename><wp:category_parent></wp:category_parent><wp:cat_name><![CDATA[Port & Ships]]></wp:cat_name></wp:category>
                  <item>
                    <title>The harbour at dawn</title>
                    <excerpt:encoded><![CDATA[Boats at first light.]]></excerpt:encoded>
                    <wp:post_id>7</wp:post_id><wp:post_type>attachment</wp:post_type><wp:status>inherit</wp:status>
                    <wp:attachment_url>https://harbour.example/wp-content/uploads/2024/05/harbour.jpg</wp:attachment_url>
                  </item>
                  <item>
                    <title>Dredging starts</title><link>https://harbour.example/2024/05/20/dredging-starts/</link>
                    <content:encoded><![CDATA[Work begins on Monday.

                It will last [gallery ids="7"] two weeks.
                Boats will wait.]]></content:encoded>
                    <category domain="category" nicename="port"><![CDATA[Port & Ships]]></category>
                    <wp:post_id>8</wp:post_id><wp:post_date_gmt>2024-05-20 08:00:00</wp:post_date_gmt><wp:post_name>dredging-starts</wp:post_name>
                    <wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
                    <wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>7</wp:meta_value></wp:postmeta>
                  </item>
                </channel>
                </rss>
                """);

            var (exit, output, errors) = await ApiCommand.RunAsync(api.ConnectionString, "import", "wordpress", "--uploads", uploads.FullName, export);

            Assert.True(exit == 0, errors + output);
            Assert.Contains("medium 7 'The harbour at dawn': created (medium ", output);
            Assert.Equal("The harbour at dawn|Boats at first light.", await api.ScalarAsync<string>("""
                SELECT m.alt || '|' || m.caption FROM articles a JOIN media m ON m.id = a.image_medium_id WHERE a.slug = 'dredging-starts'
                """));
            Assert.Equal("Port & Ships", await api.ScalarAsync<string>("SELECT c.name FROM articles a JOIN categories c ON c.id = a.category_id WHERE a.slug = 'dredging-starts'"));
            // Paragraphs from blank lines, a line break from a single one; the gallery shortcode dropped.
            Assert.Equal("<p>Work begins on Monday.</p>\n<p>It will last  two weeks.<br>\nBoats will wait.</p>",
                await api.ScalarAsync<string>("SELECT body_html FROM articles WHERE slug = 'dredging-starts'"));
            Assert.Contains("Shortcodes that only WordPress can render were dropped: [gallery]", output);
        }
        finally
        {
            uploads.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Private_posts_become_drafts_and_files_the_media_library_does_not_take_are_recorded()
    {
        var uploads = Directory.CreateTempSubdirectory("wp-uploads-");
        try
        {
            Directory.CreateDirectory(Path.Combine(uploads.FullName, "2024/06"));
            await File.WriteAllTextAsync(Path.Combine(uploads.FullName, "2024/06/minutes.pdf"), "%PDF-1.4 not an image");
            var export = Path.Combine(uploads.FullName, "export.xml");
            await File.WriteAllTextAsync(export, """
                <?xml version="1.0" encoding="UTF-8"?>
                <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
                <channel>
                  <title>Council</title><link>https://council.example</link><wp:wxr_version>1.2</wp:wxr_version>
                  <item>
                    <title>Minutes</title><wp:post_id>20</wp:post_id><wp:post_type>attachment</wp:post_type><wp:status>inherit</wp:status>
                    <wp:attachment_url>https://council.example/wp-content/uploads/2024/06/minutes.pdf</wp:attachment_url>
                  </item>
                  <item>
                    <title>Staff only: budget draft</title><content:encoded><![CDATA[Numbers.]]></content:encoded>
                    <wp:post_id>21</wp:post_id><wp:post_name>budget-draft</wp:post_name><wp:post_date_gmt>2024-06-01 10:00:00</wp:post_date_gmt>
                    <wp:status>private</wp:status><wp:post_type>post</wp:post_type>
                  </item>
                  <item>
                    <title>Old post</title><wp:post_id>22</wp:post_id><wp:post_name>old-post</wp:post_name>
                    <wp:status>trash</wp:status><wp:post_type>post</wp:post_type>
                  </item>
                </channel>
                </rss>
                """);

            var (exit, output, errors) = await ApiCommand.RunAsync(api.ConnectionString, "import", "wordpress", "--uploads", uploads.FullName, export);

            Assert.True(exit == 0, errors + output);
            Assert.Contains("medium 20 'Minutes': recorded", output);
            Assert.Contains("is not one the media library takes", output);
            Assert.Contains("post 21 'Staff only: budget draft': created", output);
            Assert.Contains("It is private in WordPress: imported as a draft", output);
            Assert.Contains("post 22 'Old post': skipped: Its status is 'trash'.", output);
            Assert.Equal("draft", await api.ScalarAsync<string>("SELECT status FROM articles WHERE slug = 'budget-draft'"));
            Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM articles WHERE slug = 'old-post'"));
        }
        finally
        {
            uploads.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Wrong_command_lines_are_refused()
    {
        Assert.Equal(2, (await ApiCommand.RunAsync(api.ConnectionString, "import", "wordpress")).Exit);
        Assert.Equal(2, (await ApiCommand.RunAsync(api.ConnectionString, "import", "wordpress", "/no/such/file.xml")).Exit);
        Assert.Equal(2, (await ApiCommand.RunAsync(api.ConnectionString, "import", "wordpress", "--uploads", "/no/such/folder", EdgeCase("wxr-simple.xml"))).Exit);
        Assert.Equal(2, (await ApiCommand.RunAsync(api.ConnectionString, "import", "wordpress", "--bogus", EdgeCase("wxr-simple.xml"))).Exit);
    }
}
