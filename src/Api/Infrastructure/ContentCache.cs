using System.Diagnostics.Metrics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Api.Infrastructure;

/// <summary>
/// Keeps what this instance holds in memory (cached answers, the category tree) in step with the
/// database.
/// </summary>
/// <remarks>
/// <para>
/// Triggers on the content tables (migration 0010) notify PostgreSQL channel <see cref="Channel"/> of
/// every change, whoever makes it; the notice goes out when the change commits, and
/// <see cref="ChangeListener"/> hears it on every instance. The writing instance also applies its own change at once, before it
/// answers, so its next read never sees the old version.
/// </para>
/// <para>
/// A change moves the <em>generation</em> on and drops what it affects: the changed articles'
/// own answers and the answers that show them, and the answers about collections (lists, feeds,
/// sitemaps, categories). Plain lists (newest or oldest first, filtered by what the article is filed
/// under, not searched) stay when only the content of articles they do not show changed (see
/// <see cref="ArticlesEdited"/>). Only reads
/// that began at the current generation may store what they read, so an answer read before a change
/// can never be stored after it. After each change nothing is stored until the next scheduled
/// publication time has been read again (cached answers expire at that time, when a scheduled
/// article appears) and, with read replicas, until each replica has replayed the change.
/// </para>
/// <para>
/// While the listening connection is down nothing is served from memory or stored: this instance
/// could miss another's writes. When it is back everything held before is dropped.
/// </para>
/// </remarks>
public sealed class ContentCache
{
    public const string Channel = "news_api_content";

    private readonly ReadCacheStore _store;
    private readonly NpgsqlDataSource _dataSource;
    private readonly ReplicaCatchUp _replicas;
    private readonly ILogger<ContentCache> _logger;
    private readonly TimeProvider _clock;
    private readonly CancellationToken _stopping;
    private readonly bool _enabled;
    private readonly TimeSpan _maxLifetime;
    private readonly SemaphoreSlim _refreshGate = new(1, 1);
    private readonly Counter<long> _invalidations;

    private long _generation;
    private long _readyGeneration = -1;
    private long _nextTransitionTicks = long.MinValue;
    private int _refreshPending;
    private volatile bool _listening;

    public ContentCache(
        ReadCacheStore store,
        NpgsqlDataSource dataSource,
        ReplicaCatchUp replicas,
        IOptions<ResponseCacheOptions> options,
        ILogger<ContentCache> logger,
        TimeProvider clock,
        IHostApplicationLifetime lifetime,
        IMeterFactory meters)
    {
        var meter = meters.Create(Telemetry.MeterName);
        meter.CreateObservableGauge("newsapi.change_listener.connected", () => _listening ? 1 : 0, "{connection}",
            "1 while this instance's connection that hears of content changes (LISTEN) is up; 0 while it is down and nothing is served from memory");
        _invalidations = meter.CreateCounter<long>(
            InvalidationsInstrument, "{invalidation}",
            "Changes that dropped cached answers, by cause (write: this instance wrote; notification: PostgreSQL told of one; connection: the listening connection came or went) and scope (article-moved, article-edited, everything)");
        _store = store;
        _dataSource = dataSource;
        _replicas = replicas;
        _logger = logger;
        _clock = clock;
        _stopping = lifetime.ApplicationStopping;
        _enabled = options.Value.Enabled;
        _maxLifetime = TimeSpan.FromSeconds(Math.Max(1, options.Value.MaxLifetimeSeconds));
        _store.IsCurrent = generation => _listening && Volatile.Read(ref _generation) == generation;
    }

    /// <summary>Whether answers may be served from memory: the cache is on and this instance hears every write.</summary>
    public bool Serving => _enabled && _listening;

    /// <summary>Whether the listening connection is up.</summary>
    public bool Listening => _listening;

    /// <summary>The generation of the content held in memory; moves on with every change heard of.</summary>
    public long Generation => Volatile.Read(ref _generation);

    /// <summary>A read that may store its answer: its generation and how long the answer may be kept.</summary>
    public readonly record struct Fill(long Generation, TimeSpan Lifetime);

    /// <summary>Whether a response read now may be stored, and for how long; null when not.</summary>
    public Fill? BeginFill()
    {
        if (!Serving || SnapshotGeneration() is not { } generation)
        {
            return null;
        }

        var now = _clock.GetUtcNow().UtcTicks;
        var next = Volatile.Read(ref _nextTransitionTicks);
        if (next <= now)
        {
            // A scheduled article's time has come: answers read from now on may differ from those
            // read before, so find the next time before storing again.
            RequestRefresh();
            return null;
        }

        var lifetime = TimeSpan.FromTicks(Math.Min(_maxLifetime.Ticks, next - now));
        return new Fill(generation, lifetime);
    }

    /// <summary>
    /// The generation under which a snapshot of content read now (such as the category tree) may be
    /// kept, or null when it must not be kept; check <see cref="IsCurrent"/> before each use.
    /// </summary>
    public long? SnapshotGeneration()
    {
        if (!_listening)
        {
            return null;
        }

        var generation = Volatile.Read(ref _generation);
        return Volatile.Read(ref _readyGeneration) == generation ? generation : null;
    }

    /// <summary>Whether something kept at <paramref name="generation"/> is still valid.</summary>
    public bool IsCurrent(long generation) => _listening && Volatile.Read(ref _generation) == generation;

    /// <summary>
    /// Articles changed in a way that may move them into, out of or around lists (a write here,
    /// committed): drop their answers and every collection.
    /// </summary>
    public void ArticlesChanged(IEnumerable<long> ids) => ArticlesChanged(ids, listsMoved: true, Cause.Write);

    /// <summary>
    /// Only what the articles themselves show changed (title, summary, body, images...): drop their
    /// answers, the answers that show them (their article tags), and the collections whose membership
    /// or order depends on content; plain lists that do not show them stay.
    /// </summary>
    public void ArticlesEdited(IEnumerable<long> ids) => ArticlesChanged(ids, listsMoved: false, Cause.Write);

    /// <summary>The name of the counter of invalidations (tags: cause, scope).</summary>
    public const string InvalidationsInstrument = "newsapi.cache.invalidations";

    private static class Cause
    {
        public const string Write = "write";
        public const string Notification = "notification";
        public const string Connection = "connection";
    }

    private void ArticlesChanged(IEnumerable<long> ids, bool listsMoved, string cause)
    {
        var tags = ids.Select(ReadCaching.ArticleTag).ToArray();
        Count(cause, listsMoved ? "article-moved" : "article-edited");
        Change(() =>
        {
            foreach (var tag in tags)
            {
                _store.Evict(tag);
            }

            _store.Evict(ReadCaching.CollectionTag);
            if (listsMoved)
            {
                _store.Evict(ReadCaching.ListingTag);
            }
        });
    }

    /// <summary>Something changed that may show anywhere (a category, an import): drop everything.</summary>
    public void EverythingChanged() => EverythingChanged(Cause.Write);

    private void EverythingChanged(string cause)
    {
        Count(cause, "everything");
        Change(_store.Clear);
    }

    private void Count(string cause, string scope) =>
        _invalidations.Add(1, new KeyValuePair<string, object?>("cause", cause), new KeyValuePair<string, object?>("scope", scope));

    /// <summary>
    /// The payload of a notification on <see cref="Channel"/> (migrations 0010 and 0026):
    /// "article:ID[,ID…]" (articles that may have moved in lists), "edit:ID[,ID…]" (only their content
    /// changed), or anything else for "everything".
    /// </summary>
    public void Notified(string payload)
    {
        var listsMoved = payload.StartsWith(ArticlePayloadPrefix, StringComparison.Ordinal);
        if (!listsMoved && !payload.StartsWith(EditPayloadPrefix, StringComparison.Ordinal))
        {
            EverythingChanged(Cause.Notification);
            return;
        }

        var ids = new List<long>();
        foreach (var part in payload[(listsMoved ? ArticlePayloadPrefix : EditPayloadPrefix).Length..].Split(','))
        {
            if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                EverythingChanged(Cause.Notification);
                return;
            }

            ids.Add(id);
        }

        ArticlesChanged(ids, listsMoved, Cause.Notification);
    }

    public const string ArticlePayloadPrefix = "article:";

    public const string EditPayloadPrefix = "edit:";

    /// <summary>The listening connection is up (again): drop whatever was held before, then fill afresh.</summary>
    internal void Connected()
    {
        Count(Cause.Connection, "everything");
        _store.Exclusive(() =>
        {
            Interlocked.Increment(ref _generation);
            _store.Clear();
            _listening = true;
        });
        RequestRefresh();
    }

    /// <summary>The listening connection is down: stop serving and storing, and drop everything.</summary>
    internal void Disconnected()
    {
        Count(Cause.Connection, "everything");
        _store.Exclusive(() =>
        {
            _listening = false;
            Interlocked.Increment(ref _generation);
            _store.Clear();
        });
    }

    private void Change(Action evict)
    {
        _store.Exclusive(() =>
        {
            Interlocked.Increment(ref _generation);
            evict();
        });
        RequestRefresh();
    }

    private void RequestRefresh()
    {
        if (Interlocked.Exchange(ref _refreshPending, 1) == 0)
        {
            // Not part of the request that noticed the need (its trace, its replica routing).
            using (ExecutionContext.SuppressFlow())
            {
                _ = Task.Run(RefreshAsync);
            }
        }
    }

    /// <summary>Reads the next scheduled publication time and waits for the replicas, then lets the current generation fill.</summary>
    private async Task RefreshAsync()
    {
        try
        {
            await _refreshGate.WaitAsync(_stopping);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            while (!_stopping.IsCancellationRequested && Interlocked.Exchange(ref _refreshPending, 0) == 1)
            {
                var generation = Volatile.Read(ref _generation);
                try
                {
                    var next = await NextScheduledPublicationAsync(_stopping);
                    await _replicas.WaitForReplicasAsync(_stopping);
                    Volatile.Write(ref _nextTransitionTicks, next);
                    Volatile.Write(ref _readyGeneration, generation);
                }
                catch (Exception e) when (!_stopping.IsCancellationRequested)
                {
                    _logger.LogWarning("Cannot prepare the response cache after a change ({Error}); retrying in a second", e.Message);
                    Volatile.Write(ref _refreshPending, 1);
                    await Task.Delay(TimeSpan.FromSeconds(1), _clock, _stopping);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        finally
        {
            _refreshGate.Release();
        }
    }

    /// <summary>
    /// When, by this instance's clock, the next scheduled article appears. Publication times are the
    /// database's, so the time left is measured there and counted from before the question was asked:
    /// a clock that differs between the two machines cannot keep an answer past the article's time.
    /// </summary>
    private async Task<long> NextScheduledPublicationAsync(CancellationToken cancellationToken)
    {
        var asked = _clock.GetUtcNow().UtcTicks;
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var seconds = await connection.ExecuteScalarAsync<double?>(new CommandDefinition("""
            SELECT extract(epoch FROM min(published_at) - clock_timestamp())::float8 FROM articles
            WHERE status = 'published' AND deleted_at IS NULL AND published_at > now()
            """, cancellationToken: cancellationToken));
        return seconds is { } s
            ? asked + TimeSpan.FromSeconds(Math.Clamp(s, 0, TimeSpan.FromDays(3650).TotalSeconds)).Ticks
            : long.MaxValue;
    }
}

/// <summary>Listens on <see cref="ContentCache.Channel"/> and tells <see cref="ContentCache"/> what it hears, reconnecting after failures.</summary>
public sealed class ChangeListener(IConfiguration configuration, ContentCache cache, ILogger<ChangeListener> logger) : BackgroundService
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var connectionString = ListenerConnectionString(configuration.GetConnectionString(Database.ConnectionStringName)!);
        var delay = TimeSpan.FromMilliseconds(200);
        var wasDown = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                connection.Notification += (_, e) => cache.Notified(e.Payload);
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {ContentCache.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                cache.Connected();
                if (wasDown)
                {
                    logger.LogInformation("Listening for content changes again; the in-memory caches start afresh");
                }

                wasDown = false;
                delay = TimeSpan.FromMilliseconds(200);
                while (!stoppingToken.IsCancellationRequested)
                {
                    if (!await connection.WaitAsync(Heartbeat, stoppingToken))
                    {
                        // Nothing heard for a while: make sure the connection is still there.
                        await using var ping = new NpgsqlCommand("SELECT 1", connection);
                        await ping.ExecuteScalarAsync(stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                cache.Disconnected();
                if (!wasDown)
                {
                    logger.LogWarning("Lost the connection that hears of content changes ({Error}); serving without the in-memory caches until it is back", e.Message);
                }

                wasDown = true;
                try
                {
                    await Task.Delay(delay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }

        cache.Disconnected();
    }

    /// <summary>Its own connection (outside the pool), to the primary: notifications are not sent to replicas.</summary>
    internal static string ListenerConnectionString(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            CommandTimeout = 10,
            Timeout = 10,
            KeepAlive = 10,
            ApplicationName = "news-api (change listener)",
        };
        if (builder.Host?.Contains(',', StringComparison.Ordinal) == true)
        {
            builder.TargetSessionAttributes = "primary";
        }

        return builder.ConnectionString;
    }
}
