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

    /// <summary>How long one migration script may run (a migration that fills a new table from a large one takes minutes); 0 for no limit.</summary>
    public int MigrationTimeoutSeconds { get; set; } = 3600;
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
