using System.Security.Cryptography;
using Dapper;
using Npgsql;

namespace Api.Infrastructure;

/// <summary>
/// Server-side keys (e.g. for signing pagination cursors). Each is taken from configuration
/// (<c>Secrets:{Name}</c>, base64, at least 32 bytes) or else created once in the database, so every
/// instance on the same database agrees without any set-up.
/// </summary>
public sealed class Secrets(NpgsqlDataSource dataSource, IConfiguration configuration)
{
    public const string CursorKey = "cursor";

    /// <summary>Signs the opt-out links of "suggest to a friend" e-mails.</summary>
    public const string OptOutKey = "optOut";

    /// <summary>Keys the hashes of e-mail addresses and client IPs that the share e-mails keep instead of the values.</summary>
    public const string EmailHashKey = "emailHash";

    /// <summary>Encrypts the webhooks' signing secrets at rest (AES-256-GCM).</summary>
    public const string WebhookKey = "webhookSecret";

    /// <summary>Keys the tokens and signatures of rendition URLs.</summary>
    public const string MediaKey = "media";

    private readonly Dictionary<string, byte[]> _loaded = new(StringComparer.Ordinal);

    public byte[] this[string name] =>
        _loaded.TryGetValue(name, out var value)
            ? value
            : throw new InvalidOperationException($"Secret '{name}' was not loaded at start-up.");

    public async Task LoadAsync(IEnumerable<string> names, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO app_secrets (name, value) VALUES (@name, @value)
            ON CONFLICT (name) DO NOTHING;
            SELECT value FROM app_secrets WHERE name = @name;
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        foreach (var name in names)
        {
            if (configuration[$"Secrets:{name}"] is { Length: > 0 } configured)
            {
                var bytes = Convert.FromBase64String(configured);
                if (bytes.Length < 32)
                {
                    throw new InvalidOperationException($"Secrets:{name} must be at least 32 bytes (base64).");
                }

                _loaded[name] = bytes;
                continue;
            }

            _loaded[name] = await connection.QuerySingleAsync<byte[]>(new CommandDefinition(
                sql, new { name, value = RandomNumberGenerator.GetBytes(32) }, cancellationToken: cancellationToken));
        }
    }
}

public static class SecretsSetup
{
    public static async Task LoadSecretsAsync(this WebApplication app)
    {
        await app.Services.GetRequiredService<Secrets>().LoadAsync([Secrets.CursorKey, Secrets.OptOutKey, Secrets.EmailHashKey, Secrets.WebhookKey, Secrets.MediaKey], app.Lifetime.ApplicationStopping);
    }
}
