using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Api.Bench;

/// <summary>An answer to a GET: its status (0 when there was none), its body (or why there was none) and its ETag.</summary>
internal sealed record HttpAnswer(int Code, byte[] Body, string? ETag, string? Error)
{
    /// <summary>The status as curl writes it: "000" when there was no answer.</summary>
    public string CodeText => Code == 0 ? "000" : Code.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The body's size in bytes, null without an answer.</summary>
    public long? Size => Code == 0 ? null : Body.Length;

    /// <summary>The first 200 bytes of the body (or the reason there was no answer), for error messages.</summary>
    public string Start => Code == 0 ? Error ?? "" : Encoding.UTF8.GetString(Body, 0, Math.Min(200, Body.Length));

    /// <summary>Whether the body is a list with no items ({"items": []}).</summary>
    public bool HasNoItems()
    {
        try
        {
            using var json = JsonDocument.Parse(Body);
            return json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("items", out var items)
                && items.ValueKind == JsonValueKind.Array
                && items.GetArrayLength() == 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// The body's nextCursor: false when it has none at all (or is not a JSON object); true with
    /// null or "" when the list ends there.
    /// </summary>
    public bool TryReadNextCursor(out string? cursor)
    {
        cursor = null;
        try
        {
            using var json = JsonDocument.Parse(Body);
            if (json.RootElement.ValueKind != JsonValueKind.Object || !json.RootElement.TryGetProperty("nextCursor", out var next))
            {
                return false;
            }

            if (next.ValueKind == JsonValueKind.Null)
            {
                return true;
            }

            if (next.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            cursor = next.GetString();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

/// <summary>
/// The requests the bench makes besides wrk's: checks, cursor walks, ETag fetches, readiness polls.
/// Like wrk's, they carry no Accept, User-Agent or Accept-Encoding header (a response cache may key
/// on such headers, and the checks and the ETag fetch are meant to see, and fill, the entries the
/// measured requests use), and redirects are not followed.
/// </summary>
internal sealed class Http : IDisposable
{
    private readonly HttpClient client = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        UseProxy = false,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>GET URL with the extra headers given; an answer with Code 0 when none came within TIMEOUT.</summary>
    public async Task<HttpAnswer> GetAsync(
        string url, TimeSpan timeout, CancellationToken cancellationToken, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, limit.Token);
            var body = await response.Content.ReadAsByteArrayAsync(limit.Token);
            var etag = response.Headers.TryGetValues("ETag", out var values) ? values.FirstOrDefault() : null;
            return new HttpAnswer((int)response.StatusCode, body, etag, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new HttpAnswer(0, [], null, $"no answer within {timeout.TotalSeconds:F0} s");
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return new HttpAnswer(0, [], null, e.Message);
        }
    }

    /// <summary>
    /// True when GET PATH on 127.0.0.1:PORT answers 200 right now, over a bare TCP connection (no
    /// connection pool, so it can poll every few milliseconds; a refused connection fails at once).
    /// </summary>
    public static async Task<bool> ProbeAsync(int port, string path, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port, limit.Token);
            var request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
            await socket.SendAsync(request, SocketFlags.None, limit.Token);
            var buffer = new byte[64];
            var received = 0;
            while (received < buffer.Length)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, limit.Token);
                if (n == 0)
                {
                    break;
                }

                received += n;
                if (Array.IndexOf(buffer, (byte)'\n', 0, received) >= 0)
                {
                    break;
                }
            }

            var line = Encoding.ASCII.GetString(buffer, 0, received);
            return line.StartsWith("HTTP/1.0 200 ", StringComparison.Ordinal) || line.StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Whether something accepts TCP connections on 127.0.0.1:PORT (within 3 s).</summary>
    public static async Task<bool> PortInUseAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port, limit.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose() => client.Dispose();
}
