using System.Globalization;
using Dapper;
using Npgsql;

namespace Api.Infrastructure;

/// <summary>
/// Waits until every replica has replayed the primary's WAL up to now, so that what is read from any of
/// them afterwards includes every change committed before the call; fails while one cannot be asked.
/// </summary>
public sealed class ReplicaCatchUp : IAsyncDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly DataSources _sources;
    private readonly ILogger<ReplicaCatchUp> _logger;
    private readonly Lazy<NpgsqlDataSource[]> _hosts;

    private readonly ServiceMetrics _metrics;

    public ReplicaCatchUp(DataSources sources, ServiceMetrics metrics, ILogger<ReplicaCatchUp> logger)
    {
        _sources = sources;
        _metrics = metrics;
        _logger = logger;
        _hosts = new Lazy<NpgsqlDataSource[]>(() => EachHost(sources.ConnectionString));
    }

    public async Task WaitForReplicasAsync(CancellationToken cancellationToken)
    {
        if (!_sources.HasReplicas)
        {
            return;
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        string lsn;
        await using (var primary = await _sources.Primary.OpenConnectionAsync(cancellationToken))
        {
            var end = await primary.QuerySingleAsync<WalEnd>(new CommandDefinition(WalEndSql, cancellationToken: cancellationToken));
            lsn = LastRecordEnd(end.InsertPosition, end.SegmentOffset, end.BlockSize);
        }

        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(Patience);
        foreach (var host in _hosts.Value)
        {
            while (true)
            {
                bool behind;
                try
                {
                    await using var connection = await host.OpenConnectionAsync(patience.Token);
                    behind = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                        "SELECT pg_is_in_recovery() AND NOT coalesce(pg_last_wal_replay_lsn() >= @lsn::pg_lsn, false)",
                        new { lsn }, cancellationToken: patience.Token));
                }
                catch (NpgsqlException e)
                {
                    // Not known to have replayed the change: nothing is cached until it answers and has
                    // (the caller retries). Skipping it would let its older copy into the cache once it is back.
                    _logger.LogWarning("Cannot tell whether a replica has replayed the latest change ({Error}); caching waits for it", e.Message);
                    throw;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"A replica has not replayed the primary's WAL up to {lsn} within {Patience.TotalSeconds} s.");
                }

                if (!behind)
                {
                    break;
                }

                await Task.Delay(Poll, patience.Token);
            }
        }

        _metrics.ReplicaCatchUp.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>
    /// Where the primary's WAL ends. Not <c>pg_current_wal_lsn()</c>, how far it has been written:
    /// with <c>synchronous_commit=off</c> a transaction commits before its WAL is written, so a change
    /// that has already shown could still lie beyond it (and the replicas be thought caught up
    /// without it). The insert position covers every record made so far.
    /// </summary>
    private const string WalEndSql = """
        SELECT here::text AS insert_position,
               (pg_walfile_name_offset(here)).file_offset AS segment_offset,
               current_setting('wal_block_size')::integer AS block_size
        FROM pg_current_wal_insert_lsn() AS here
        """;

    private sealed record WalEnd(string InsertPosition, int SegmentOffset, int BlockSize);

    // Sizes of WAL page headers (a segment's first page has the long one) on 8-byte-aligned platforms.
    private const int LongPageHeader = 40;
    private const int ShortPageHeader = 24;

    /// <summary>
    /// The end of the primary's last WAL record, which is what a replica reports once it has replayed
    /// it, from the insert position: they differ only when the last record filled its page, and the
    /// insert position then points past the next page's header while the record ends at the boundary.
    /// </summary>
    /// <param name="insertPosition"><c>pg_current_wal_insert_lsn()</c>, as text.</param>
    /// <param name="segmentOffset">Its offset in its WAL segment (<c>pg_walfile_name_offset</c>).</param>
    /// <param name="blockSize">The server's <c>wal_block_size</c>.</param>
    public static string LastRecordEnd(string insertPosition, int segmentOffset, int blockSize)
    {
        var slash = insertPosition.IndexOf('/', StringComparison.Ordinal);
        var position = (ulong.Parse(insertPosition.AsSpan(0, slash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture) << 32)
            | ulong.Parse(insertPosition.AsSpan(slash + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        if (segmentOffset == LongPageHeader)
        {
            position -= LongPageHeader;
        }
        else if (segmentOffset % blockSize == ShortPageHeader)
        {
            position -= ShortPageHeader;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{position >> 32:X}/{position & 0xFFFFFFFF:X}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_hosts.IsValueCreated)
        {
            foreach (var host in _hosts.Value)
            {
                await host.DisposeAsync();
            }
        }
    }

    /// <summary>One small pool per host of a multi-host connection string.</summary>
    private static NpgsqlDataSource[] EachHost(string connectionString)
    {
        var template = new NpgsqlConnectionStringBuilder(connectionString);
        return template.Host!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(host =>
            {
                var one = new NpgsqlConnectionStringBuilder(connectionString)
                {
                    Host = host,
                    MaxPoolSize = 2,
                    MinPoolSize = 0,
                    ApplicationName = "news-api (replica check)",
                };
                one.Remove("Target Session Attributes");
                one.Remove("Load Balance Hosts");
                return NpgsqlDataSource.Create(one.ConnectionString);
            })
            .ToArray();
    }
}
