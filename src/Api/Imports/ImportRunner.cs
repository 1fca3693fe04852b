using Api.Infrastructure;
using Dapper;
using Npgsql;

namespace Api.Imports;

/// <summary>One item done: its position (from 0), the job's total, the item and what became of it.</summary>
public sealed record ImportProgress(int Position, int Total, ImportUnit Unit, ImportItemResult Result);

/// <summary>
/// Runs a job over a source's items, in order, skipping those it did before (a resumed job). Each
/// item is written with the record of its outcome in one transaction: committed together, or, when
/// the item fails, neither (its failure is then recorded alone), so an item is never half-written and
/// a job stopped between two items goes on with the next. A dry run writes every item the same way
/// in one transaction (each in a savepoint) that is rolled back at the end: its report is what the
/// import would do, to the validation of each item, and nothing of it stays.
/// The database going away stops the job (it is not an item's fault); it is taken up again later.
/// </summary>
public sealed class ImportRunner(NpgsqlDataSource dataSource, ImportWriter writer, ImportJobs jobs, ContentCache cache, ILogger<ImportRunner> logger)
{
    /// <summary>How often the runner renews its hold on the job: well within <see cref="ImportJobs.Lease"/>, whatever an item takes.</summary>
    private static readonly TimeSpan HoldEvery = ImportJobs.Lease / 4;

    public async Task RunAsync(ImportJobRow job, IImportSource source, Func<ImportProgress, Task>? progress, CancellationToken cancellationToken)
    {
        var total = source.Total;
        if (!await jobs.HoldAsync(job.Id, total, cancellationToken))
        {
            return;
        }

        HashSet<int> done = job.DryRun ? [] : await jobs.DoneAsync(job.Id, cancellationToken);
        if (job.DryRun)
        {
            await DryRunAsync(job, source, total, progress, cancellationToken);
        }
        else
        {
            await ImportAsync(job, source, total, done, progress, cancellationToken);
        }
    }

    private async Task ImportAsync(ImportJobRow job, IImportSource source, int total, HashSet<int> done, Func<ImportProgress, Task>? progress, CancellationToken cancellationToken)
    {
        var position = -1;
        var held = System.Diagnostics.Stopwatch.StartNew();
        foreach (var unit in source.Units())
        {
            position++;
            if (done.Contains(position))
            {
                continue;
            }

            await KeepHoldingAsync(job, held, cancellationToken);

            ImportItemResult result;
            await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                try
                {
                    result = await writer.WriteAsync(connection, source.Source, unit, dryRun: false, job.KeyId, cancellationToken);
                }
                catch (Exception e) when (ItemFault(e))
                {
                    logger.LogWarning(e, "Import job {Job}: item {Position} ({Type} {SourceId}) failed", job.Id, position, unit.ItemType, unit.SourceId);
                    result = new ImportItemResult("failed", null, null, $"It could not be written: {e.Message}", unit.Notes);
                }

                if (result.Failed)
                {
                    await transaction.RollbackAsync(cancellationToken);
                    await using var record = await connection.BeginTransactionAsync(cancellationToken);
                    await ImportJobs.RecordAsync(connection, job.Id, position, unit, result, cancellationToken);
                    await record.CommitAsync(cancellationToken);
                }
                else
                {
                    await ImportJobs.RecordAsync(connection, job.Id, position, unit, result, cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                }
            }

            if (result.Outcome is "created" or "updated" or "matched" && result.Target is "article" or "category" or "author")
            {
                // Articles, categories and authors show in each other's answers.
                cache.EverythingChanged();
            }

            if (progress is not null)
            {
                await progress(new ImportProgress(position, total, unit, result));
            }
        }
    }

    private async Task DryRunAsync(ImportJobRow job, IImportSource source, int total, Func<ImportProgress, Task>? progress, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var position = -1;
        var held = System.Diagnostics.Stopwatch.StartNew();
        foreach (var unit in source.Units())
        {
            position++;
            await KeepHoldingAsync(job, held, cancellationToken);

            await connection.ExecuteAsync(new CommandDefinition("SAVEPOINT item", cancellationToken: cancellationToken));
            ImportItemResult result;
            try
            {
                result = await writer.WriteAsync(connection, source.Source, unit, dryRun: true, job.KeyId, cancellationToken);
            }
            catch (Exception e) when (ItemFault(e))
            {
                result = new ImportItemResult("failed", null, null, $"It could not be written: {e.Message}", unit.Notes);
            }

            await connection.ExecuteAsync(new CommandDefinition(
                result.Failed ? "ROLLBACK TO SAVEPOINT item" : "RELEASE SAVEPOINT item", cancellationToken: cancellationToken));

            // The report outlives the rolled-back writes: it goes through a connection of its own.
            await using (var report = await dataSource.OpenConnectionAsync(cancellationToken))
            {
                await ImportJobs.RecordAsync(report, job.Id, position, unit, result, cancellationToken);
            }

            if (progress is not null)
            {
                await progress(new ImportProgress(position, total, unit, result));
            }
        }

        await transaction.RollbackAsync(cancellationToken);
    }

    /// <summary>Renews the hold on the job when it is due; throws when another process has taken the job meanwhile.</summary>
    private async Task KeepHoldingAsync(ImportJobRow job, System.Diagnostics.Stopwatch held, CancellationToken cancellationToken)
    {
        if (held.Elapsed < HoldEvery)
        {
            return;
        }

        if (!await jobs.HoldAsync(job.Id, null, cancellationToken))
        {
            throw new InvalidOperationException($"Import job {job.Id} is no longer held by this process.");
        }

        held.Restart();
    }

    /// <summary>
    /// Whether an exception is the item's own fault (a constraint it breaks, a value the database
    /// refuses), rather than the database or the process going away, which stops the job instead.
    /// </summary>
    private static bool ItemFault(Exception e) =>
        e is PostgresException { SqlState: var state } && (state.StartsWith("22", StringComparison.Ordinal) || state.StartsWith("23", StringComparison.Ordinal))
        || e is ArgumentException or FormatException or InvalidDataException or UnauthorizedAccessException or FileNotFoundException or DirectoryNotFoundException;
}
