using Api.Imports.Ghost;
using Api.Imports.WordPress;
using Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace Api.Imports;

/// <summary>Imports: <c>Imports__*</c>.</summary>
public sealed class ImportOptions
{
    /// <summary>Largest file <c>POST /v1/imports/...</c> takes, in bytes (default 64 MiB); a larger archive goes through the command line.</summary>
    public long MaxFileBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>
    /// A copy of the site's uploads on this server (WordPress's <c>wp-content/uploads</c>, Ghost's
    /// <c>content/images</c>), where the API's jobs find images (the command line takes
    /// <c>--uploads DIR</c>). Without it, images are recorded with their addresses.
    /// </summary>
    public string? UploadsPath { get; set; }

    /// <summary>How often an instance looks for a job to run (it is also woken when one is posted to it).</summary>
    public int PollIntervalSeconds { get; set; } = 5;
}

/// <summary>The readers of the formats an import takes.</summary>
public static class ImportFormats
{
    public const string WordPress = "wordpress";
    public const string Ghost = "ghost";

    /// <summary>
    /// The source of a job's file; throws <see cref="WxrFormatException"/> or <see cref="GhostFormatException"/>
    /// when it cannot be read. <paramref name="siteUrl"/> is the address of the site it comes from, when given.
    /// </summary>
    public static IImportSource Open(string format, Func<Stream> open, string? uploads, string? siteUrl, DateTimeOffset now) => format switch
    {
        WordPress => WordPressSource.Open(open, uploads, now),
        Ghost => GhostSource.Open(open, siteUrl, uploads, now),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "No reader for this format."),
    };

    /// <summary>Whether an exception says the file cannot be read (the job fails), rather than something else going wrong.</summary>
    public static bool IsUnreadable(Exception e) => e is WxrFormatException or GhostFormatException;
}

/// <summary>
/// Runs the jobs posted to the API, one at a time per instance, any instance taking any job; a job
/// whose instance died (or was stopped) is taken up by the next that looks, where it stopped.
/// </summary>
public sealed class ImportWorker(
    ImportJobs jobs, ImportRunner runner, IOptions<ImportOptions> options, TimeProvider clock, WakeSignal<ImportWorker> signal, ILogger<ImportWorker> logger)
    : PollingWorker<ImportWorker>(signal, logger)
{
    protected override TimeSpan PollInterval => TimeSpan.FromSeconds(options.Value.PollIntervalSeconds);

    protected override string Work => "Import jobs";

    protected override async Task RunRoundAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested && await jobs.ClaimAsync(cancellationToken) is ({ } job, { } file))
        {
            logger.LogInformation("Import job {Job} ({Format}{DryRun}) started", job.Id, job.Format, job.DryRun ? ", dry run" : "");
            IImportSource source;
            try
            {
                source = ImportFormats.Open(job.Format, () => new MemoryStream(file, writable: false), options.Value.UploadsPath, job.SiteUrl, clock.GetUtcNow());
            }
            catch (Exception e) when (ImportFormats.IsUnreadable(e))
            {
                await jobs.FinishAsync(job.Id, e.Message, CancellationToken.None);
                logger.LogInformation("Import job {Job} failed: {Reason}", job.Id, e.Message);
                continue;
            }

            try
            {
                await runner.RunAsync(job, source, null, cancellationToken);
            }
            catch (Exception e) when (ImportFormats.IsUnreadable(e))
            {
                await jobs.FinishAsync(job.Id, e.Message, CancellationToken.None);
                continue;
            }
            catch (Exception e)
            {
                // Stopped half-way (shutting down, the database away): let another run take it up where it stopped.
                await jobs.ReleaseAsync(job.Id, "Interrupted; it goes on where it stopped.", CancellationToken.None);
                if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                throw;
            }

            await jobs.FinishAsync(job.Id, null, CancellationToken.None);
            logger.LogInformation("Import job {Job} done", job.Id);
        }
    }
}
