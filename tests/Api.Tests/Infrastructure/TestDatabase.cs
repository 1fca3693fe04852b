using Npgsql;

namespace Api.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server the tests run against (see <see cref="TestServers"/>): a connection string
/// with the right to create databases.
/// </summary>
public static class TestDatabase
{
    public static string AdminConnectionString { get; } = TestServers.ConnectionString(TestServers.Primary);

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
