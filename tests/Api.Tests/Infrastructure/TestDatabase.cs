using Npgsql;

namespace Api.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server the tests run against. <c>scripts/test</c> starts a private one and sets
/// <c>NEWSAPI_TEST_DB</c> to a connection string with the right to create databases.
/// </summary>
public static class TestDatabase
{
    public static string AdminConnectionString { get; } =
        Environment.GetEnvironmentVariable("NEWSAPI_TEST_DB") is { Length: > 0 } configured
            ? configured
            : throw new InvalidOperationException(
                "NEWSAPI_TEST_DB is not set. Run the tests with scripts/test, which starts a private PostgreSQL " +
                "and sets it, or set it to a connection string of a role that may CREATE DATABASE.");

    /// <summary>
    /// Test classes run side by side, each with its own application and pool; a small pool per class
    /// keeps the server's connection slots for all of them (requests queue for a connection instead).
    /// </summary>
    public static string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = database, Pooling = true, MaxPoolSize = 20 }.ConnectionString;

    public static async Task CreateAsync(string database)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task DropAsync(string database)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Runs administrative SQL (against the server's maintenance database).</summary>
    public static async Task AdminExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public static string NewName(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 25, 63)];
}
