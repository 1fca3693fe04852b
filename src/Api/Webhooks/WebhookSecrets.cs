using System.Security.Cryptography;
using Api.Infrastructure;

namespace Api.Webhooks;

/// <summary>
/// Signing secrets: in the Standard Webhooks form <c>whsec_&lt;base64 of 24 to 64 bytes&gt;</c>, where
/// the decoded bytes are the HMAC key. The API must know a secret to sign with it, so it is kept
/// encrypted (AES-256-GCM under the server key <see cref="Secrets.WebhookKey"/>), never hashed.
/// </summary>
public sealed class WebhookSecrets(Secrets secrets)
{
    public const string Prefix = "whsec_";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public static string Generate() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static bool TryDecode(string? secret, out byte[] key)
    {
        key = [];
        if (secret is null || !secret.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var buffer = new byte[secret.Length];
        if (!Convert.TryFromBase64String(secret[Prefix.Length..], buffer, out var length) || length is < 24 or > 64)
        {
            return false;
        }

        key = buffer[..length];
        return true;
    }

    public byte[] Encrypt(string secret)
    {
        var plain = System.Text.Encoding.UTF8.GetBytes(secret);
        var sealedBox = new byte[NonceSize + plain.Length + TagSize];
        var nonce = sealedBox.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(ServerKey, TagSize);
        aes.Encrypt(nonce, plain, sealedBox.AsSpan(NonceSize, plain.Length), sealedBox.AsSpan(NonceSize + plain.Length, TagSize));
        return sealedBox;
    }

    /// <summary>The HMAC key of a stored secret.</summary>
    public byte[] SigningKey(byte[] sealedBox)
    {
        var plain = new byte[sealedBox.Length - NonceSize - TagSize];
        using var aes = new AesGcm(ServerKey, TagSize);
        aes.Decrypt(sealedBox.AsSpan(0, NonceSize), sealedBox.AsSpan(NonceSize, plain.Length), sealedBox.AsSpan(NonceSize + plain.Length, TagSize), plain);
        return TryDecode(System.Text.Encoding.UTF8.GetString(plain), out var key)
            ? key
            : throw new CryptographicException("A stored webhook secret is not in the whsec_ form.");
    }

    /// <summary><c>v1,&lt;base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")&gt;</c>.</summary>
    public static string Sign(byte[] key, string id, long timestamp, string body) =>
        "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, System.Text.Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));

    private byte[] ServerKey => secrets[Secrets.WebhookKey][..32];
}
