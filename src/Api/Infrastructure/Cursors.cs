using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Api.Infrastructure;

/// <summary>
/// Opaque, tamper-evident pagination cursors: base64url(JSON payload) "." base64url(HMAC-SHA256).
/// A cursor that was altered, truncated or made up fails verification instead of silently
/// starting again from the first page.
/// </summary>
public sealed class Cursors(Secrets secrets)
{
    private const int MacLength = 16;
    public const int MaxLength = 1024;

    public string Encode<T>(T payload, JsonTypeInfo<T> typeInfo)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(payload, typeInfo);
        var mac = HMACSHA256.HashData(secrets[Secrets.CursorKey], json).AsSpan(0, MacLength);
        return Base64Url.EncodeToString(json) + "." + Base64Url.EncodeToString(mac);
    }

    public bool TryDecode<T>(string cursor, JsonTypeInfo<T> typeInfo, out T? payload)
    {
        payload = default;
        if (cursor.Length > MaxLength || cursor.Split('.') is not [var body, var signature])
        {
            return false;
        }

        byte[] json, mac;
        try
        {
            json = Base64Url.DecodeFromChars(body);
            mac = Base64Url.DecodeFromChars(signature);
        }
        catch (FormatException)
        {
            return false;
        }

        var expected = HMACSHA256.HashData(secrets[Secrets.CursorKey], json).AsSpan(0, MacLength);
        if (!CryptographicOperations.FixedTimeEquals(expected, mac))
        {
            return false;
        }

        try
        {
            payload = JsonSerializer.Deserialize(json, typeInfo);
            return payload is not null;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
