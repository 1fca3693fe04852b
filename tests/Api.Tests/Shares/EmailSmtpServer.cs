using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.ComponentModel;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Api.Tests.Shares;

/// <summary>
/// A real SMTP server (the SmtpServer package) on a free loopback port, in the test process. It keeps
/// every message it accepts, parsed by MimeKit, can refuse chosen recipients with a permanent 550,
/// and can be stopped (connections refused) and started again on the same port, as an outage would.
/// </summary>
public sealed class EmailSmtpServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<MimeMessage> _received = new();
    private readonly ConcurrentDictionary<string, bool> _refused = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();
    private SmtpServer.SmtpServer? _server;
    private CancellationTokenSource? _stop;
    private Task? _running;

    public EmailSmtpServer()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
    }

    public int Port { get; }

    public IReadOnlyList<MimeMessage> Received => _received.ToArray();

    public void Start()
    {
        lock (_gate)
        {
            if (_server is not null)
            {
                return;
            }

            var options = new SmtpServerOptionsBuilder()
                .ServerName("smtp.test")
                .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)))
                .Build();
            var services = new ServiceProvider();
            services.Add(new Store(this));
            services.Add(new Filter(this));
            _server = new SmtpServer.SmtpServer(options, services);
            _stop = new CancellationTokenSource();
            _running = _server.StartAsync(_stop.Token);
        }
    }

    /// <summary>Stops listening and ends every session: new connections are refused until <see cref="Start"/>.</summary>
    public async Task StopAsync()
    {
        Task? running;
        lock (_gate)
        {
            if (_server is null)
            {
                return;
            }

            _stop!.Cancel();
            running = _running;
            _server = null;
        }

        try
        {
            await running!;
        }
        catch (OperationCanceledException)
        {
            // Stopping is cancelling.
        }
    }

    /// <summary>From now on the server answers 550 when asked to deliver to <paramref name="address"/>.</summary>
    public void RefuseRecipient(string address) => _refused[address] = true;

    public IReadOnlyList<MimeMessage> MessagesTo(string address) =>
        _received.Where(m => m.To.Mailboxes.Any(a => string.Equals(a.Address, address, StringComparison.OrdinalIgnoreCase))).ToList();

    /// <summary>The first message to <paramref name="address"/>, waiting for it up to a deadline.</summary>
    public async Task<MimeMessage> WaitForMessageToAsync(string address, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? Eventually.DefaultTimeout);
        while (true)
        {
            if (MessagesTo(address) is [var first, ..])
            {
                return first;
            }

            Assert.True(DateTime.UtcNow < deadline, $"No message to {address} arrived in time; {_received.Count} messages arrived in all.");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private sealed class Store(EmailSmtpServer owner) : MessageStore
    {
        public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            owner._received.Enqueue(MimeMessage.Load(stream, cancellationToken));
            return Task.FromResult(SmtpResponse.Ok);
        }
    }

    private sealed class Filter(EmailSmtpServer owner) : IMailboxFilter
    {
        public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken) =>
            Task.FromResult(true);

        public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
            Task.FromResult(!owner._refused.ContainsKey(to.AsAddress()));
    }
}

/// <summary>Waiting on a condition with a deadline, never a fixed sleep.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static async Task<T> WaitForAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? DefaultTimeout);
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}; last seen: {value}");
            await Task.Delay(50);
        }
    }
}
