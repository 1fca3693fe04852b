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
        builder.Services.AddSingleton(_ =>
        {
            var dataSource = new NpgsqlDataSourceBuilder(WithDefaults(connectionString));
            dataSource.ConnectionStringBuilder.ApplicationName ??= "news-api";
            return dataSource.Build();
        });
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

    private static readonly (string[] Names, Action<NpgsqlConnectionStringBuilder> Apply)[] Defaults =
    [
        // Several instances share PostgreSQL's max_connections (100 by default): 40 each leaves room for two and the administrators.
        (["Maximum Pool Size", "MaxPoolSize"], b => b.MaxPoolSize = 40),
        // Seconds to wait for a connection (a new one, or a free one from a full pool) before failing.
        (["Timeout"], b => b.Timeout = 15),
        // Seconds a statement may run; every query here is indexed and answers in milliseconds.
        (["Command Timeout", "CommandTimeout"], b => b.CommandTimeout = 30),
    ];

    /// <summary>Applies pending migrations (and the sample content when configured) before the app serves requests.</summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        var migrator = app.Services.GetRequiredService<DatabaseMigrator>();
        await migrator.MigrateAsync(app.Lifetime.ApplicationStopping);
    }
}
