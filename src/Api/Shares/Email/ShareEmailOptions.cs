using MimeKit;

namespace Api.Shares.Email;

/// <summary>Settings of the <c>Share:Email</c> section: "suggest to a friend" by e-mail.</summary>
public sealed class ShareEmailOptions
{
    public const string Section = "Share:Email";

    /// <summary>Whether the endpoints answer and the sender delivers; when off, both endpoints are 404 and queued mail waits.</summary>
    public bool Enabled { get; set; }

    /// <summary>The site's address every suggestion is sent from, e.g. <c>News &lt;news@example.com&gt;</c>.</summary>
    public string From { get; set; } = "News <news@example.com>";

    /// <summary>Requests one client address may make per hour.</summary>
    public int PerIpPerHour { get; set; } = 5;

    /// <summary>Messages one recipient address may be sent per 24 hours (suppressed addresses count too).</summary>
    public int PerRecipientPerDay { get; set; } = 3;

    /// <summary>Messages all clients together may queue per hour.</summary>
    public int GlobalPerHour { get; set; } = 500;

    /// <summary>Delivery attempts before a message is given up as failed.</summary>
    public int MaxAttempts { get; set; } = 12;

    /// <summary>Wait after the first failed attempt; it doubles with each further one (with jitter).</summary>
    public double RetryBaseDelaySeconds { get; set; } = 30;

    /// <summary>Longest wait between two attempts.</summary>
    public double RetryMaxDelaySeconds { get; set; } = 6 * 3600;

    /// <summary>How often the sender looks for due messages (new requests on this instance wake it at once).</summary>
    public double PollIntervalSeconds { get; set; } = 5;

    /// <summary>Days a finished request (its hashes, name and note) is kept; at least 2, since the limits look back a day.</summary>
    public int RetentionDays { get; set; } = 30;

    public SmtpSettings Smtp { get; set; } = new();

    internal MailboxAddress FromAddress => MailboxAddress.Parse(From);

    internal TimeSpan RetryDelay(int attempts)
    {
        var exponent = Math.Min(Math.Max(attempts - 1, 0), 30);
        var seconds = Math.Min(RetryBaseDelaySeconds * Math.Pow(2, exponent), RetryMaxDelaySeconds);
        // ±20% so that messages that failed together do not all come back together.
        return TimeSpan.FromSeconds(seconds * (0.8 + Random.Shared.NextDouble() * 0.4));
    }

    internal IEnumerable<string> ConfigurationErrors()
    {
        if (!MailboxAddress.TryParse(From, out var from) || !from.Address.Contains('@') || !from.Domain.Contains('.'))
        {
            yield return "Share:Email:From must be an address such as 'News <news@example.com>'.";
        }

        if (PerIpPerHour <= 0 || PerRecipientPerDay <= 0 || GlobalPerHour <= 0)
        {
            yield return "Share:Email:PerIpPerHour, PerRecipientPerDay and GlobalPerHour must be positive.";
        }

        if (MaxAttempts <= 0 || RetryBaseDelaySeconds <= 0 || RetryMaxDelaySeconds < RetryBaseDelaySeconds || PollIntervalSeconds <= 0)
        {
            yield return "Share:Email:MaxAttempts, RetryBaseDelaySeconds and PollIntervalSeconds must be positive, RetryMaxDelaySeconds at least RetryBaseDelaySeconds.";
        }

        if (RetentionDays < 2)
        {
            yield return "Share:Email:RetentionDays must be at least 2.";
        }

        if (Enabled && (string.IsNullOrWhiteSpace(Smtp.Host) || Smtp.Port is <= 0 or > 65535 || Smtp.TimeoutSeconds <= 0))
        {
            yield return "Share:Email:Smtp needs a Host, a Port (1-65535) and a positive TimeoutSeconds.";
        }
    }
}

/// <summary>How the SMTP connection is secured.</summary>
public enum SmtpTls
{
    /// <summary>Plain text (a local relay or catcher only).</summary>
    None,

    /// <summary>Connect in plain text, then require STARTTLS (submission, port 587).</summary>
    StartTls,

    /// <summary>TLS from the first byte (port 465).</summary>
    SslOnConnect,
}

/// <summary>Settings of the <c>Share:Email:Smtp</c> section: the server that relays the messages.</summary>
public sealed class SmtpSettings
{
    public string Host { get; set; } = "localhost";

    public int Port { get; set; } = 587;

    public SmtpTls UseTls { get; set; } = SmtpTls.StartTls;

    /// <summary>User name, when the server wants authentication.</summary>
    public string? User { get; set; }

    /// <summary>Password of <see cref="User"/>; never logged.</summary>
    public string? Password { get; set; }

    /// <summary>Timeout of connecting and of each SMTP command.</summary>
    public int TimeoutSeconds { get; set; } = 30;
}
