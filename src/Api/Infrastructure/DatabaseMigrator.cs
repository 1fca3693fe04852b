using System.Reflection;
using DbUp;
using DbUp.Engine;
using DbUp.Engine.Output;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Api.Infrastructure;

/// <summary>
/// Applies the SQL files of <c>db/migrations</c> (embedded in the assembly) with DbUp, journaled in
/// <c>schema_versions</c>, and loads <c>db/seed</c> into an empty database when asked to. Several
/// instances starting together serialize on a PostgreSQL advisory lock.
/// </summary>
/// <remarks>Sample content that SQL cannot make (a photo) comes from the features' <see cref="ISampleContent"/>, right after the seed.</remarks>
public sealed class DatabaseMigrator(
    NpgsqlDataSource dataSource,
    IConfiguration configuration,
    IOptions<DatabaseOptions> options,
    IEnumerable<ISampleContent> samples,
    ILogger<DatabaseMigrator> logger)
{
    private const long MigrationLockKey = 0x6E65_7773_6170_6901; // "newsapi" + 1

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenWithRetryAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection))
        {
            lockCommand.Parameters.AddWithValue("key", MigrationLockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            Run("migrations/", "schema_versions");
            if (options.Value.SeedSampleContent && await IsEmptyAsync(connection, cancellationToken))
            {
                Run("seed/", "seed_versions");
                foreach (var sample in samples)
                {
                    try
                    {
                        await sample.AddAsync(cancellationToken);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // Sample content is a convenience: the service starts without it.
                        logger.LogWarning(e, "Sample content from {Sample} could not be added", sample.GetType().Name);
                    }
                }

                logger.LogInformation("Sample content loaded into the empty database");
            }
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
            unlock.Parameters.AddWithValue("key", MigrationLockKey);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private void Run(string resourcePrefix, string journalTable)
    {
        var upgrader = DeployChanges.To
            .PostgresqlDatabase(configuration.GetConnectionString(Database.ConnectionStringName))
            .WithScriptsEmbeddedInAssembly(Assembly.GetExecutingAssembly(), name => name.StartsWith(resourcePrefix, StringComparison.Ordinal))
            .JournalToPostgresqlTable("public", journalTable)
            .WithTransactionPerScript()
            .WithExecutionTimeout(options.Value.MigrationTimeoutSeconds > 0 ? TimeSpan.FromSeconds(options.Value.MigrationTimeoutSeconds) : Timeout.InfiniteTimeSpan)
            .LogTo(new DbUpLog(logger))
            .Build();

        var result = upgrader.PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException(
                $"Database script {result.ErrorScript?.Name} failed; no later script was applied.", result.Error);
        }
    }

    private static async Task<bool> IsEmptyAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT NOT EXISTS (SELECT 1 FROM categories) AND NOT EXISTS (SELECT 1 FROM articles)", connection);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task<NpgsqlConnection> OpenWithRetryAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(Math.Max(0, options.Value.StartupTimeoutSeconds));
        var delay = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            try
            {
                return await dataSource.OpenConnectionAsync(cancellationToken);
            }
            catch (NpgsqlException ex) when (ex.IsTransient && DateTime.UtcNow < deadline)
            {
                logger.LogWarning("Database not reachable yet ({Reason}); retrying in {Delay} ms", ex.Message, delay.TotalMilliseconds);
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
            }
        }
    }

    private sealed class DbUpLog(ILogger logger) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) { }

        public void LogDebug(string format, params object[] args) { }

        public void LogInformation(string format, params object[] args)
        {
            if (format.StartsWith("Executing", StringComparison.Ordinal))
            {
                logger.LogInformation("Applying database script {Script}", args.FirstOrDefault());
            }
        }

        public void LogWarning(string format, params object[] args) =>
            logger.LogWarning("{Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));

        public void LogError(string format, params object[] args) =>
            logger.LogError("{Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));

        public void LogError(Exception ex, string format, params object[] args) =>
            logger.LogError(ex, "{Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
    }
}

/// <summary>Sample content a feature adds to a newly seeded database, after <c>db/seed</c> and before anything else runs.</summary>
public interface ISampleContent
{
    Task AddAsync(CancellationToken cancellationToken);
}
