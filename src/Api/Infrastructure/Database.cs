using System.Globalization;
using Dapper;
using Npgsql;

namespace Api.Infrastructure;

/// <summary>Settings of the <c>Database</c> section.</summary>
public sealed class DatabaseOptions
{
    /// <summary>Loads the sample content into an empty database at start-up.</summary>
    public bool SeedSampleContent { get; set; }

    /// <summary>How long start-up waits for the database to accept connections before giving up.</summary>
    public int StartupTimeoutSeconds { get; set; } = 30;
}

public static class Database
{
    public const string ConnectionStringName = "Content";

    public static WebApplicationBuilder AddDatabase(this WebApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "No database is configured: set ConnectionStrings__Content (see README.md, 'Settings').");
        }

        DefaultTypeMap.MatchNamesWithUnderscores = true;

        builder.Services.Configure<DatabaseOptions>(builder.Configuration.GetSection("Database"));
        builder.Services.AddSingleton(_ => DataSources.Create(WithDefaults(connectionString)));
        builder.Services.AddSingleton(services => services.GetRequiredService<DataSources>().Primary);
        builder.Services.AddSingleton<ReadSource>();
        builder.Services.AddSingleton<ReplicaCatchUp>();
        builder.Services.AddSingleton<DatabaseMigrator>();
        builder.Services.AddSingleton<Secrets>();
        return builder;
    }

    /// <summary>
    /// The pool and timeout settings the service is sized for (README, 'Settings'), each applied only
    /// where the connection string leaves it unset: a value the operator gave, under any of the
    /// driver's spellings of its keyword, is kept.
    /// </summary>
    public static string WithDefaults(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys
            .Cast<string>()
            .Select(Canonical)
            .ToHashSet(StringComparer.Ordinal);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        foreach (var (names, apply) in Defaults)
        {
            if (!names.Any(name => given.Contains(Canonical(name))))
            {
                apply(builder);
            }
        }

        return builder.ConnectionString;

        static string Canonical(string keyword) => keyword.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
    }

    /// <summary>
    /// Most connections one instance opens when the connection string does not say: four per CPU of
    /// this machine, at least 8 and at most 40. PostgreSQL serves short queries fastest with a few
    /// active connections per core; beyond that they wait inside the server, contending for its locks
    /// and CPUs, instead of in the pool (scripts/bench, 2 CPUs: with 32 connections PostgreSQL spent
    /// between a third and a half more CPU per article than with 8, for the same statement). At most 40 leaves
    /// room for two instances under PostgreSQL's default max_connections of 100.
    /// </summary>
    public static int DefaultMaxPoolSize { get; } = Math.Clamp(4 * Environment.ProcessorCount, 8, 40);

    private static readonly (string[] Names, Action<NpgsqlConnectionStringBuilder> Apply)[] Defaults =
    [
        (["Maximum Pool Size", "MaxPoolSize"], b => b.MaxPoolSize = DefaultMaxPoolSize),
        // Seconds to wait for a connection (a new one, or a free one from a full pool) before failing.
        (["Timeout"], b => b.Timeout = 15),
        // Seconds a statement may run; every query here is indexed and answers in milliseconds.
        (["Command Timeout", "CommandTimeout"], b => b.CommandTimeout = 30),
        // Every statement here is one of a fixed set of SQL texts: prepared once per connection, they
        // skip parsing and planning on every later use (the article read has four subqueries).
        (["Max Auto Prepare", "MaxAutoPrepare"], b => b.MaxAutoPrepare = 64),
        (["Auto Prepare Min Usages", "AutoPrepareMinUsages"], b => b.AutoPrepareMinUsages = 2),
        // No statement leaves session state behind (settings are per transaction, advisory locks are
        // released by their holder), so a connection returned to the pool needs no reset round trip.
        (["No Reset On Close", "NoResetOnClose"], b => b.NoResetOnClose = true),
    ];

    /// <summary>
    /// Marks anonymous GET requests as public reads, which <see cref="ReadSource"/> sends to a replica
    /// when there is one; requests with a key (editors, partners) and every write use the primary, so
    /// an editor always reads what they just saved.
    /// </summary>
    public static WebApplication UseReadRouting(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<DataSources>().HasReplicas)
        {
            return app;
        }

        app.Use((context, next) =>
        {
            if (!HttpMethods.IsGet(context.Request.Method) || context.Request.Headers.Authorization.Count > 0)
            {
                return next(context);
            }

            return ReadSource.AsPublicRead(next, context);
        });
        return app;
    }

    /// <summary>Applies pending migrations (and the sample content when configured) before the app serves requests.</summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        var migrator = app.Services.GetRequiredService<DatabaseMigrator>();
        await migrator.MigrateAsync(app.Lifetime.ApplicationStopping);
    }
}

/// <summary>
/// The connection pools. With one host in the connection string both are the same pool. With
/// several (<c>Host=primary,replica1,replica2</c>) writes and editors' reads go to the primary
/// (<c>Target Session Attributes=primary</c>) and public reads to a standby when one is up
/// (<c>prefer-standby</c>), the primary otherwise.
/// </summary>
public sealed class DataSources : IAsyncDisposable
{
    private readonly NpgsqlDataSource _root;

    private DataSources(NpgsqlDataSource root, NpgsqlDataSource primary, NpgsqlDataSource reads, string connectionString, bool hasReplicas)
    {
        _root = root;
        Primary = primary;
        Reads = reads;
        ConnectionString = connectionString;
        HasReplicas = hasReplicas;
    }

    public NpgsqlDataSource Primary { get; }

    public NpgsqlDataSource Reads { get; }

    /// <summary>The connection string with the service's defaults applied.</summary>
    public string ConnectionString { get; }

    /// <summary>Whether the connection string names more than one host.</summary>
    public bool HasReplicas { get; }

    public static DataSources Create(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.ApplicationName ??= "news-api";
        if (builder.ConnectionStringBuilder.Host?.Contains(',', StringComparison.Ordinal) != true)
        {
            var single = builder.Build();
            return new DataSources(single, single, single, connectionString, hasReplicas: false);
        }

        var multi = builder.BuildMultiHost();
        return new DataSources(
            multi,
            multi.WithTargetSession(TargetSessionAttributes.Primary),
            multi.WithTargetSession(TargetSessionAttributes.PreferStandby),
            connectionString,
            hasReplicas: true);
    }

    public ValueTask DisposeAsync() => _root.DisposeAsync();
}

/// <summary>Connections for reads: a replica's during a public read (see <see cref="Database.UseReadRouting"/>), the primary's otherwise.</summary>
public sealed class ReadSource(DataSources sources)
{
    private static readonly AsyncLocal<bool> PublicRead = new();

    public static async Task AsPublicRead(RequestDelegate next, HttpContext context)
    {
        PublicRead.Value = true;
        try
        {
            await next(context);
        }
        finally
        {
            PublicRead.Value = false;
        }
    }

    /// <summary>Whether the current request is a public read that may be served by a replica.</summary>
    public static bool IsPublicRead => PublicRead.Value;

    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) =>
        (PublicRead.Value ? sources.Reads : sources.Primary).OpenConnectionAsync(cancellationToken);
}

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

    public ReplicaCatchUp(DataSources sources, ILogger<ReplicaCatchUp> logger)
    {
        _sources = sources;
        _logger = logger;
        _hosts = new Lazy<NpgsqlDataSource[]>(() => EachHost(sources.ConnectionString));
    }

    public async Task WaitForReplicasAsync(CancellationToken cancellationToken)
    {
        if (!_sources.HasReplicas)
        {
            return;
        }

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
