using System.Net;
using System.Net.Sockets;

namespace Api.Webhooks;

/// <summary>
/// Which hosts a webhook may be sent to. Unless <see cref="WebhookOptions.AllowPrivateAddresses"/> is
/// set, an address that reaches this machine or the internal network is refused: loopback,
/// link-local, private (RFC 1918, shared 100.64/10, ULA fc00::/7), unspecified, multicast and broadcast.
/// </summary>
public static class WebhookAddresses
{
    public const int MaxUrlLength = 2000;

    /// <summary>An absolute http(s) URL of at most 2,000 characters, without user information.</summary>
    public static bool IsWellFormed(string? url, out Uri? uri)
    {
        uri = null;
        if (string.IsNullOrEmpty(url) || url.Length > MaxUrlLength
            || !Uri.TryCreate(url, UriKind.Absolute, out var parsed)
            || parsed.Scheme is not ("http" or "https")
            || parsed.UserInfo.Length > 0
            || parsed.Host.Length == 0)
        {
            return false;
        }

        uri = parsed;
        return true;
    }

    public static bool IsForbidden(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] == 0                                   // 0.0.0.0/8, "this network"
                || b[0] == 10                                  // RFC 1918
                || b[0] == 127                                 // loopback
                || (b[0] == 100 && (b[1] & 0xC0) == 64)        // 100.64.0.0/10, shared address space
                || (b[0] == 169 && b[1] == 254)                // link-local
                || (b[0] == 172 && (b[1] & 0xF0) == 16)        // RFC 1918
                || (b[0] == 192 && b[1] == 168)                // RFC 1918
                || b[0] >= 224;                                // multicast, reserved, broadcast
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return address.Equals(IPAddress.IPv6Any)
                || address.Equals(IPAddress.IPv6Loopback)
                || address.IsIPv6LinkLocal
                || address.IsIPv6SiteLocal
                || address.IsIPv6Multicast
                || (b[0] & 0xFE) == 0xFC;                      // fc00::/7, unique local
        }

        return true;
    }

    /// <summary>Null when the host may be called, else why not (for a 400 at registration).</summary>
    public static async Task<string?> CheckHostAsync(Uri uri, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        if (IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(uri.IdnHost, cancellationToken);
            }
            catch (SocketException)
            {
                return "The URL's host could not be resolved.";
            }
        }

        if (addresses.Length == 0)
        {
            return "The URL's host could not be resolved.";
        }

        return addresses.Any(IsForbidden)
            ? "The URL's host is a loopback, private, link-local, unspecified or multicast address; webhooks are sent to public addresses only."
            : null;
    }

    /// <summary>
    /// Connects only to permitted addresses, checked on the address actually connected to, so a DNS
    /// answer that changed since registration (or rebinding between lookup and connect) cannot reach
    /// an internal host.
    /// </summary>
    public static async ValueTask<Stream> ConnectPublicAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var permitted = addresses.Where(a => !IsForbidden(a)).ToArray();
        if (permitted.Length == 0)
        {
            throw new ForbiddenAddressException();
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(permitted, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>The webhook's host resolved only to addresses that webhooks may not be sent to.</summary>
public sealed class ForbiddenAddressException() : Exception("The host resolves only to addresses webhooks may not be sent to.");
