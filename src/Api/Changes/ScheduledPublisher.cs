using Api.Infrastructure;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Api.Changes;

/// <summary>Settings of the <c>Changes</c> section.</summary>
public sealed class ChangeOptions
{
    public const string Section = "Changes";

    /// <summary>
    /// Longest wait between two looks for scheduled articles whose time has come; each instance also
    /// wakes at the next publication time it knows of.
    /// </summary>
    public double ScheduledPollIntervalSeconds { get; set; } = 1;
}

/// <summary>
/// Announces scheduled articles when their time comes, as a <c>published</c> change (and so a
/// webhook event). A trigger keeps <c>scheduled_publications</c> (migration 0011) listing the published
/// articles whose time is still to come, whoever writes them. Each batch is one transaction: it takes
/// the change counter's lock, so that every change numbered before has committed, then the due rows
/// (<c>FOR UPDATE SKIP LOCKED</c>, so instances share them and never take the same one), and records a
/// change for each of those articles that the public can now see and whose last change said it
/// could not (an edit that crossed its time has announced it already). Between rounds the worker
/// sleeps until the next publication time, at most <see cref="ChangeOptions.ScheduledPollIntervalSeconds"/>;
/// the wait is measured by the database's clock, the one that dates publications.
/// </summary>
public sealed class ScheduledPublisher(NpgsqlDataSource dataSource, IOptions<ChangeOptions> options, ILogger<ScheduledPublisher> logger)
    : PollingWorker<ScheduledPublisher>(null, logger)
{
    private const int BatchSize = 100;
    // The shortest sleep: a due row another transaction still holds (a writer's trigger) is skipped,
    // and the next look waits at least this long rather than spinning on the change counter's lock.
    private static readonly TimeSpan Shortest = TimeSpan.FromMilliseconds(100);

    private TimeSpan _untilNext = TimeSpan.MaxValue;

    protected override TimeSpan PollInterval
    {
        get
        {
            var configured = TimeSpan.FromSeconds(options.Value.ScheduledPollIntervalSeconds);
            return _untilNext < configured ? (_untilNext > Shortest ? _untilNext : Shortest) : configured;
        }
    }

    protected override string Work => "Announcing scheduled publications";

    protected override async Task RunRoundAsync(CancellationToken cancellationToken)
    {
        _untilNext = TimeSpan.MaxValue;
        while (await AnnounceBatchAsync(cancellationToken) == BatchSize)
        {
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var seconds = await connection.ExecuteScalarAsync<double?>(new CommandDefinition(
            "SELECT extract(epoch FROM min(due_at) - clock_timestamp())::float8 FROM scheduled_publications", cancellationToken: cancellationToken));
        _untilNext = seconds is { } s ? TimeSpan.FromSeconds(Math.Clamp(s, 0, TimeSpan.FromDays(1).TotalSeconds)) : TimeSpan.MaxValue;
    }

    /// <summary>Takes up to one batch of due publications; returns how many it took.</summary>
    private async Task<int> AnnounceBatchAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM scheduled_publications WHERE due_at <= now())", cancellationToken: cancellationToken)))
        {
            return 0;
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The counter's lock first, held until commit: writers numbered before this have committed, later
        // ones wait. Taken before any row of scheduled_publications, so this worker never holds one of
        // those (which writers' triggers also take) while it waits.
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT last FROM change_sequence WHERE singleton FOR UPDATE", transaction: transaction, cancellationToken: cancellationToken));
        var due = (await connection.QueryAsync<long>(new CommandDefinition("""
            DELETE FROM scheduled_publications
            WHERE article_id IN (
                SELECT article_id FROM scheduled_publications
                WHERE due_at <= now()
                ORDER BY due_at, article_id
                LIMIT @limit
                FOR UPDATE SKIP LOCKED)
            RETURNING article_id
            """, new { limit = BatchSize }, transaction, cancellationToken: cancellationToken))).AsList();
        if (due.Count == 0)
        {
            return 0;
        }

        var announce = (await connection.QueryAsync<long>(new CommandDefinition("""
            SELECT a.id
            FROM articles a
            WHERE a.id = ANY(@due)
              AND a.status = 'published' AND a.deleted_at IS NULL AND a.published_at <= clock_timestamp()
              AND (SELECT c.visible_after FROM changes c
                   WHERE c.entity = 'article' AND c.entity_id = a.id
                   ORDER BY c.seq DESC LIMIT 1) IS NOT TRUE
            ORDER BY a.published_at, a.id
            """, new { due = due.ToArray() }, transaction, cancellationToken: cancellationToken))).AsList();
        foreach (var id in announce)
        {
            await ChangeLog.RecordAsync(connection, ChangeLog.Article, id, ["published"], false, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        if (announce.Count > 0)
        {
            logger.LogInformation("Announced {Count} scheduled publications", announce.Count);
        }

        return due.Count;
    }
}
