using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;

namespace Api.Keys;

public sealed class ApiKeyRow
{
    public long Id { get; init; }
    public required string Name { get; init; }
    public required string Prefix { get; init; }
    public string[] Scopes { get; init; } = [];
    public DateTime CreatedAt { get; init; }
    public DateTime? LastUsedAt { get; init; }
    public DateTime? RevokedAt { get; init; }
}

/// <summary>
/// API keys: <c>nk_</c> and 43 base62 characters (256 bits); Ghost Content API keys (scope
/// <c>ghost:content</c>) are 26 lowercase hex characters, Ghost's own format (104 bits). Stored as SHA-256 only.
/// </summary>
public sealed class ApiKeyStore(NpgsqlDataSource dataSource)
{
    public const string KeyPrefix = "nk_";
    private const int SecretLength = 43;
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const string Columns = "id, name, prefix, scopes, created_at, last_used_at, revoked_at";

    public const int GhostKeyLength = 26;

    /// <summary>Whether a value has the form of a Ghost Content API key (26 lowercase hex characters).</summary>
    public static bool LooksLikeGhostKey(string? value) =>
        value is { Length: GhostKeyLength } && value.AsSpan().IndexOfAnyExcept("0123456789abcdef") < 0;

    public static bool LooksLikeKey(string value) =>
        value.Length == KeyPrefix.Length + SecretLength
        && value.StartsWith(KeyPrefix, StringComparison.Ordinal)
        && value.AsSpan(KeyPrefix.Length).IndexOfAnyExcept(Alphabet) < 0;

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public async Task<(ApiKeyRow Key, string Secret)> CreateAsync(string name, string[] scopes, CancellationToken cancellationToken)
    {
        var ghost = scopes is [Scopes.GhostContent];
        var secret = ghost ? RandomNumberGenerator.GetHexString(GhostKeyLength, lowercase: true) : KeyPrefix + RandomNumberGenerator.GetString(Alphabet, SecretLength);
        const string sql = $"""
            INSERT INTO api_keys (name, prefix, secret_hash, scopes)
            VALUES (@name, @prefix, @hash, @scopes)
            RETURNING {Columns}
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<ApiKeyRow>(new CommandDefinition(
            sql, new { name, prefix = secret[..(ghost ? 6 : 10)], hash = Hash(secret), scopes = scopes.Distinct().Order().ToArray() }, cancellationToken: cancellationToken));
        return (row, secret);
    }

    /// <summary>The key with this secret unless it is unknown or revoked; notes (at most once a minute) that it was used.</summary>
    public async Task<ApiKeyRow?> FindActiveAsync(string secret, CancellationToken cancellationToken)
    {
        const string sql = $"""
            UPDATE api_keys SET last_used_at = now()
            WHERE secret_hash = @hash AND revoked_at IS NULL
              AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute');
            SELECT {Columns} FROM api_keys WHERE secret_hash = @hash AND revoked_at IS NULL;
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ApiKeyRow>(new CommandDefinition(sql, new { hash = Hash(secret) }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<ApiKeyRow>> ListAsync(CancellationToken cancellationToken)
    {
        const string sql = $"SELECT {Columns} FROM api_keys ORDER BY id";
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ApiKeyRow>(new CommandDefinition(sql, cancellationToken: cancellationToken))).AsList();
    }

    public async Task<ApiKeyRow?> FindAsync(long id, CancellationToken cancellationToken)
    {
        const string sql = $"SELECT {Columns} FROM api_keys WHERE id = @id";
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ApiKeyRow>(new CommandDefinition(sql, new { id }, cancellationToken: cancellationToken));
    }

    /// <summary>Revokes the key (idempotent: a revoked key keeps its first revocation time); null when unknown.</summary>
    public async Task<ApiKeyRow?> RevokeAsync(long id, CancellationToken cancellationToken)
    {
        const string sql = $"""
            UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())
            WHERE id = @id
            RETURNING {Columns}
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ApiKeyRow>(new CommandDefinition(sql, new { id }, cancellationToken: cancellationToken));
    }

    public async Task<bool> AnyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM api_keys)", cancellationToken: cancellationToken));
    }
}
