using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Api.Infrastructure;

namespace Api.Shares.Email;

/// <summary>
/// What the share e-mails keep instead of personal data: keyed hashes (HMAC-SHA256 with a server
/// secret, so a hash cannot be checked against a list of guessed addresses without the secret) of
/// recipient addresses and client IPs, and opt-out tokens that carry an address hash with a MAC, so
/// that nobody can make a working opt-out link for an address they did not receive mail at.
/// </summary>
public sealed class ShareEmailKeys(Secrets secrets)
{
    private const int HashLength = 32;
    private const int MacLength = 16;

    /// <summary>Length of an opt-out token: base64url of the 32-byte hash and the 16-byte MAC.</summary>
    public const int TokenLength = 64;

    public byte[] AddressHash(string address) => Hash("address:" + EmailAddresses.Normalize(address));

    /// <summary>The client's address; IPv6 clients by their /64, which one subscriber usually holds whole.</summary>
    public byte[] ClientHash(IPAddress? ip)
    {
        if (ip is null)
        {
            return Hash("ip:unknown");
        }

        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }

        if (ip.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = ip.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            ip = new IPAddress(bytes);
        }

        return Hash("ip:" + ip);
    }

    public string OptOutToken(byte[] addressHash) =>
        Base64Url.EncodeToString([.. addressHash, .. Mac(addressHash)]);

    /// <summary>True when the token has the right shape (length and alphabet), whether or not it is genuine.</summary>
    public static bool IsWellFormedToken(string? token) =>
        token is { Length: TokenLength } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>The address hash a genuine token carries; null for a forged or altered one.</summary>
    public byte[]? VerifyOptOutToken(string token)
    {
        if (!IsWellFormedToken(token))
        {
            return null;
        }

        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(token);
        }
        catch (FormatException)
        {
            return null;
        }

        if (bytes.Length != HashLength + MacLength)
        {
            return null;
        }

        var hash = bytes[..HashLength];
        return CryptographicOperations.FixedTimeEquals(Mac(hash), bytes.AsSpan(HashLength)) ? hash : null;
    }

    /// <summary>A Message-Id that is the same on every attempt for one outbox row and says nothing about it.</summary>
    public string MessageIdLocalPart(Guid requestId, long outboxId) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(secrets[Secrets.EmailHashKey], Encoding.UTF8.GetBytes($"message-id:{requestId:N}:{outboxId}")).AsSpan(0, 16));

    private byte[] Hash(string value) => HMACSHA256.HashData(secrets[Secrets.EmailHashKey], Encoding.UTF8.GetBytes(value));

    private byte[] Mac(byte[] addressHash) => HMACSHA256.HashData(secrets[Secrets.OptOutKey], addressHash).AsSpan(0, MacLength).ToArray();
}
