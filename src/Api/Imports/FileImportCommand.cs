using System.Security.Cryptography;
using Npgsql;

namespace Api.Imports;

/// <summary>
/// <c>dotnet Api.dll import wordpress|ghost [--dry-run] [--uploads DIR] [--site-url URL] FILE</c>: imports an export file as a
/// job of this process, one line per item as it goes and the counts at the end. Stopped half-way
/// (Ctrl+C, the database away, the process killed), the same command goes on where it stopped.
/// Exit status 0 when every item was imported (or skipped as it should be), 1 when some failed,
/// 2 for a wrong command line or a file that cannot be read, 3 when the job was interrupted.
/// </summary>
public static class FileImportCommand
{
    public static async Task<int> RunAsync(WebApplication app, string format, string[] args)
    {
        var dryRun = false;
        string? uploads = null;
        string? siteUrl = null;
        string? file = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--dry-run":
                    dryRun = true;
                    break;
                case "--uploads" when i + 1 < args.Length:
                    uploads = args[++i];
                    break;
                case "--site-url" when i + 1 < args.Length && format == ImportFormats.Ghost:
                    siteUrl = args[++i];
                    break;
                case var option when option.StartsWith("--", StringComparison.Ordinal):
                    await Console.Error.WriteLineAsync($"unexpected option '{option}'");
                    return 2;
                default:
                    if (file is not null)
                    {
                        await Console.Error.WriteLineAsync("give one file");
                        return 2;
                    }

                    file = args[i];
                    break;
            }
        }

        if (file is null)
        {
            await Console.Error.WriteLineAsync($"usage: import {format} [--dry-run] [--uploads DIR]{(format == ImportFormats.Ghost ? " [--site-url URL]" : "")} FILE");
            return 2;
        }

        if (!File.Exists(file))
        {
            await Console.Error.WriteLineAsync($"{file}: no such file");
            return 2;
        }

        if (uploads is not null && !Directory.Exists(uploads))
        {
            await Console.Error.WriteLineAsync($"{uploads}: no such folder");
            return 2;
        }

        var clock = app.Services.GetRequiredService<TimeProvider>();
        IImportSource source;
        byte[] sha256;
        long size;
        try
        {
            source = ImportFormats.Open(format, () => File.OpenRead(file), uploads, siteUrl, clock.GetUtcNow());
            await using var stream = File.OpenRead(file);
            sha256 = await SHA256.HashDataAsync(stream);
            size = stream.Length;
        }
        catch (Exception e) when (ImportFormats.IsUnreadable(e) || e is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"{file}: {e.Message}");
            return 2;
        }

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        var jobs = app.Services.GetRequiredService<ImportJobs>();
        var runner = app.Services.GetRequiredService<ImportRunner>();
        ImportJobRow job;
        try
        {
            if (await jobs.TakeOverAsync(format, dryRun, sha256, stop.Token) is { } earlier)
            {
                job = earlier;
                var counts = await jobs.CountsAsync(job.Id, stop.Token);
                Console.WriteLine($"Going on with import job {job.Id}: {counts.Processed} of {source.Total} items were done before it stopped.");
            }
            else
            {
                job = await jobs.CreateAsync(format, dryRun, Path.GetFileName(file), sha256, size, siteUrl, null, null, running: true, stop.Token);
                Console.WriteLine($"Import job {job.Id}{(dryRun ? " (dry run: nothing will be kept)" : "")}: {source.Total} items from {source.Source}.");
            }
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"The import could not start: {e.Message}");
            return 3;
        }

        try
        {
            await runner.RunAsync(job, source, Print, stop.Token);
        }
        catch (Exception e) when (ImportFormats.IsUnreadable(e))
        {
            await jobs.FinishAsync(job.Id, e.Message, CancellationToken.None);
            await Console.Error.WriteLineAsync($"{file}: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or InvalidOperationException or TimeoutException)
        {
            try
            {
                await jobs.ReleaseAsync(job.Id, "Interrupted; the same command goes on where it stopped.", CancellationToken.None);
            }
            catch (NpgsqlException)
            {
                // The database is away: the job's hold runs out by itself.
            }

            await Console.Error.WriteLineAsync($"Interrupted ({e.Message}). Run the same command again to go on where it stopped.");
            return 3;
        }

        await jobs.FinishAsync(job.Id, null, CancellationToken.None);
        var done = await jobs.CountsAsync(job.Id, CancellationToken.None);
        Console.WriteLine(
            $"{(dryRun ? "Dry run: would be " : "")}{done.Created} created, {done.Updated} updated, {done.Unchanged} unchanged, {done.Matched} matched to existing, " +
            $"{done.Recorded} recorded by address, {done.Skipped} skipped, {done.Failed} failed (job {job.Id}; GET /v1/imports/jobs/{job.Id}/items lists them).");
        return done.Failed > 0 ? 1 : 0;
    }

    private static Task Print(ImportProgress progress)
    {
        var (position, total, unit, result) = (progress.Position, progress.Total, progress.Unit, progress.Result);
        var what = $"{unit.ItemType} {unit.SourceId}{(unit.Title is { Length: > 0 } title ? $" '{(title.Length > 60 ? title[..60] + "…" : title)}'" : "")}";
        var target = result.TargetId is { } id ? $" ({result.Target} {id})" : "";
        var line = $"[{position + 1}/{total}] {what}: {result.Outcome}{target}{(result.Error is { } error ? $": {error}" : "")}";
        Console.WriteLine(line);
        foreach (var note in result.Notes)
        {
            Console.WriteLine($"    note: {note}");
        }

        return Task.CompletedTask;
    }
}
