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
            var dataSource = new NpgsqlDataSourceBuilder(connectionString);
            dataSource.ConnectionStringBuilder.ApplicationName ??= "news-api";
            return dataSource.Build();
        });
        builder.Services.AddSingleton<DatabaseMigrator>();
        builder.Services.AddSingleton<Secrets>();
        return builder;
    }

    /// <summary>Applies pending migrations (and the sample content when configured) before the app serves requests.</summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        var migrator = app.Services.GetRequiredService<DatabaseMigrator>();
        await migrator.MigrateAsync(app.Lifetime.ApplicationStopping);
    }
}
