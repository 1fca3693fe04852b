using System.Diagnostics.Metrics;
using System.Threading.RateLimiting;
using Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace Api.Articles;

/// <summary>How many full-text searches one instance runs against the database at once.</summary>
public sealed class SearchOptions
{
    public const string Section = "Search";

    /// <summary>
    /// Searches (lists with <c>q</c>, their counts included) running at once; the default is half the
    /// default connection pool, so that searches matching much of a large archive, which hold their
    /// connection for as long as PostgreSQL ranks every match, leave connections to every other read.
    /// </summary>
    public int MaxConcurrent { get; set; } = Math.Max(1, Database.DefaultMaxPoolSize / 2);

    /// <summary>Searches that may wait for a turn, oldest first; the next one is answered 503 at once.</summary>
    public int MaxQueued { get; set; } = 64;
}

/// <summary>A search refused because <see cref="SearchOptions.MaxQueued"/> searches already wait.</summary>
public sealed class SearchBusyException() : Exception("Too many searches are waiting on this instance.");

/// <summary>
/// Bounds the searches of this instance (<see cref="SearchOptions"/>): a search's cost grows with its
/// matches, and without a bound a burst of broad searches would take every pooled connection, so that
/// articles and lists, which take milliseconds, would wait behind them or fail.
/// </summary>
public sealed class SearchGate : IDisposable
{
    private readonly ConcurrencyLimiter _limiter;

    public SearchGate(IOptions<SearchOptions> options, IMeterFactory meters)
    {
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = options.Value.MaxConcurrent,
            QueueLimit = options.Value.MaxQueued,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        meters.Create(Telemetry.MeterName).CreateObservableGauge(
            "newsapi.search.queue", () => Waiting, "{search}",
            "Searches waiting for a turn on this instance");
    }

    /// <summary>Searches waiting for a turn now.</summary>
    public long Waiting => _limiter.GetStatistics()?.CurrentQueuedCount ?? 0;

    /// <summary>Waits for a turn; the lease ends it. <see cref="SearchBusyException"/> when the queue is full.</summary>
    public async ValueTask<RateLimitLease> EnterAsync(CancellationToken cancellationToken)
    {
        var lease = await _limiter.AcquireAsync(1, cancellationToken);
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            throw new SearchBusyException();
        }

        return lease;
    }

    public void Dispose() => _limiter.Dispose();
}
