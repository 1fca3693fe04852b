using System.Security.Cryptography;
using Dapper;
using Npgsql;

namespace Api.Infrastructure;

/// <summary>A response kept for replay.</summary>
public sealed class StoredResponse
{
    public int Status { get; init; }
    public string? Location { get; init; }
    public string? Etag { get; init; }
    public byte[] Body { get; init; } = [];
    public byte[] RequestHash { get; init; } = [];
}

/// <summary>An <c>Idempotency-Key</c> and the hash of the request it came with.</summary>
public sealed record IdempotentRequest(string Key, byte[] RequestHash);

/// <summary>
/// <c>Idempotency-Key</c> on POST. The key is claimed in the same transaction as the write: a
/// concurrent retry waits on the claim, then finds the stored response and replays it; if the
/// first attempt failed and rolled back, the retry simply does the work. Keys live 24 hours.
/// </summary>
public static class Idempotency
{
    public const string Header = "Idempotency-Key";
    public const int MaxKeyLength = 255;

    public static bool IsValidKey(string key) =>
        key.Length is > 0 and <= MaxKeyLength && key.All(c => c is >= '!' and <= '~');

    public static byte[] Hash(ReadOnlySpan<byte> canonicalRequest) => SHA256.HashData(canonicalRequest);

    /// <summary>
    /// The request's <c>Idempotency-Key</c> with the hash of its body in canonical form
    /// (<paramref name="canonicalRequest"/>, asked for only when there is a key): null when there is no
    /// key; false when the header is not a valid key (answer <see cref="InvalidKey"/>).
    /// </summary>
    public static bool TryRead(HttpRequest request, Func<byte[]> canonicalRequest, out IdempotentRequest? idempotency)
    {
        idempotency = null;
        var key = request.Headers[Header].ToString();
        if (key.Length == 0)
        {
            return true;
        }

        if (!IsValidKey(key))
        {
            return false;
        }

        idempotency = new IdempotentRequest(key, Hash(canonicalRequest()));
        return true;
    }

    public static Microsoft.AspNetCore.Http.HttpResults.ValidationProblem InvalidKey() =>
        Microsoft.AspNetCore.Http.TypedResults.ValidationProblem(
            new Dictionary<string, string[]> { [Header] = [$"The key must be 1 to {MaxKeyLength} visible ASCII characters."] },
            detail: "The Idempotency-Key header is invalid.");

    /// <summary>Claims the key, or returns what it was used for before (compare its RequestHash).</summary>
    public static async Task<StoredResponse?> ClaimAsync(NpgsqlConnection connection, long keyId, string key, byte[] requestHash, CancellationToken cancellationToken)
    {
        const string sql = """
            DELETE FROM idempotency_keys
            WHERE key_id = @keyId AND idempotency_key = @key AND created_at < now() - interval '24 hours';
            INSERT INTO idempotency_keys (key_id, idempotency_key, request_hash, status, body)
            VALUES (@keyId, @key, @requestHash, 0, '')
            ON CONFLICT (key_id, idempotency_key) DO NOTHING
            RETURNING 1;
            """;
        var claimed = await connection.QuerySingleOrDefaultAsync<int?>(new CommandDefinition(sql, new { keyId, key, requestHash }, cancellationToken: cancellationToken));
        if (claimed is not null)
        {
            return null;
        }

        return await connection.QuerySingleAsync<StoredResponse>(new CommandDefinition("""
            SELECT status, location, etag, body, request_hash FROM idempotency_keys
            WHERE key_id = @keyId AND idempotency_key = @key
            """, new { keyId, key }, cancellationToken: cancellationToken));
    }

    public static Task CompleteAsync(NpgsqlConnection connection, long keyId, string key, StoredResponse response, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("""
            UPDATE idempotency_keys SET status = @Status, location = @Location, etag = @Etag, body = @Body
            WHERE key_id = @keyId AND idempotency_key = @key
            """, new { keyId, key, response.Status, response.Location, response.Etag, response.Body }, cancellationToken: cancellationToken));
}
