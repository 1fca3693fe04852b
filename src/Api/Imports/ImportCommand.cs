using Api.Articles;
using Api.Content;
using Api.Infrastructure;

namespace Api.Imports;

/// <summary>
/// <c>dotnet Api.dll import [--status draft|published] FILE...</c>: imports legacy pages from files,
/// (and <c>import wordpress ...</c>: see <see cref="FileImportCommand"/>)
/// showing each file's outcome as it goes and a summary at the end. A file named like a legacy id
/// (<c>t1453741.htm</c>) gives its article that legacy id. Exit status 1 when any page failed.
/// </summary>
public static class ImportCommand
{
    public static bool IsCommand(string[] args) => args is ["import", ..];

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        if (args is [_, ImportFormats.WordPress or ImportFormats.Ghost, ..])
        {
            return await FileImportCommand.RunAsync(app, args[1], args[2..]);
        }

        var status = ArticleStatuses.Published;
        var files = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] == "--status" && i + 1 < args.Length && args[i + 1] is ArticleStatuses.Published or ArticleStatuses.Draft)
            {
                status = args[++i];
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                await Console.Error.WriteLineAsync($"unexpected option '{args[i]}'");
                return 2;
            }
            else
            {
                files.Add(args[i]);
            }
        }

        if (files.Count == 0)
        {
            await Console.Error.WriteLineAsync("usage: import [--status draft|published] FILE...\n       import wordpress [--dry-run] [--uploads DIR] FILE\n       import ghost [--dry-run] [--uploads DIR] [--site-url URL] FILE");
            return 2;
        }

        var importer = app.Services.GetRequiredService<Importer>();
        var results = new List<ImportResult>();
        for (var i = 0; i < files.Count; i++)
        {
            var file = files[i];
            var name = Path.GetFileNameWithoutExtension(file).ToLowerInvariant();
            var legacyId = Slugs.IsValid(name) ? name : null;
            ImportResult result;
            try
            {
                var content = await File.ReadAllTextAsync(file);
                result = await importer.ImportAsync(i, content, legacyId, status, null, CancellationToken.None);
            }
            catch (IOException e)
            {
                result = new ImportResult(i, legacyId, "failed", null, null, e.Message);
            }
            catch (UnauthorizedAccessException e)
            {
                result = new ImportResult(i, legacyId, "failed", null, null, e.Message);
            }

            results.Add(result);
            Console.WriteLine(result.Outcome == "failed"
                ? $"[{i + 1}/{files.Count}] {file}: failed: {result.Error}"
                : $"[{i + 1}/{files.Count}] {file}: {result.Outcome} (article {result.ArticleId}, /v1/articles/{result.Slug})");
        }

        var report = ImportReport.From(results);
        Console.WriteLine($"{files.Count} page(s): {report.Created} created, {report.Updated} updated, {report.Unchanged} unchanged, {report.Failed} failed.");
        return report.Failed > 0 ? 1 : 0;
    }
}
