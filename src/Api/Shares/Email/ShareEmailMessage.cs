using System.Text;
using MimeKit;

namespace Api.Shares.Email;

/// <summary>An outbox row, claimed for delivery, with what its message says.</summary>
public sealed class OutboxMessage
{
    public long Id { get; init; }
    public Guid RequestId { get; init; }
    public string? Recipient { get; init; }
    public byte[] RecipientHash { get; init; } = [];
    public int Attempts { get; init; }
    public bool Suppressed { get; init; }
    public required string SenderName { get; init; }
    public string? Note { get; init; }
    public required string ArticleTitle { get; init; }
    public required string ArticleSummary { get; init; }
    public required string ArticleUrl { get; init; }
    public DateTime CreatedAt { get; init; }
}

/// <summary>
/// The message of a suggestion: a fixed plain-text template. The sender's name and note are the
/// only reader input in it (the name in the subject and the text, the note in the text); neither can
/// hold a line break, and MimeKit encodes them. From is the site's configured address; the sender
/// sets no header, and there is no Reply-To. The Message-Id is the same on every attempt, so a copy
/// sent twice (after a crash between the server's acceptance and the database's commit) can be
/// recognised as one message.
/// </summary>
public static class ShareEmailMessage
{
    public static MimeMessage Compose(OutboxMessage row, ShareEmailOptions options, string publicBaseUrl, ShareEmailKeys keys)
    {
        var from = options.FromAddress;
        var optOutUrl = $"{publicBaseUrl.TrimEnd('/')}/v1/share/opt-out/{keys.OptOutToken(row.RecipientHash)}";

        var message = new MimeMessage();
        message.From.Add(from);
        message.To.Add(new MailboxAddress("", row.Recipient ?? throw new InvalidOperationException("A skipped message has no recipient.")));
        message.Subject = $"{row.SenderName} suggests: {OneLine(row.ArticleTitle)}";
        message.Date = new DateTimeOffset(DateTime.SpecifyKind(row.CreatedAt, DateTimeKind.Utc));
        message.MessageId = $"{keys.MessageIdLocalPart(row.RequestId, row.Id)}@{from.Domain}";
        message.Headers.Add("List-Unsubscribe", $"<{optOutUrl}>");
        message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        message.Headers.Add("Auto-Submitted", "auto-generated");

        var body = new TextPart(MimeKit.Text.TextFormat.Plain);
        body.SetText(Encoding.UTF8, Body(row, SiteName(from), optOutUrl));
        message.Body = body;
        return message;
    }

    private static string Body(OutboxMessage row, string site, string optOutUrl)
    {
        var text = new StringBuilder();
        text.Append("Hello,\n\n");
        text.Append(row.SenderName).Append(" suggests this article to you:\n\n");
        text.Append(OneLine(row.ArticleTitle)).Append("\n\n");
        if (!string.IsNullOrWhiteSpace(row.ArticleSummary))
        {
            text.Append(row.ArticleSummary.Trim()).Append("\n\n");
        }

        text.Append("Read it here:\n").Append(row.ArticleUrl).Append("\n\n");
        if (row.Note is { Length: > 0 } note)
        {
            text.Append(row.SenderName).Append(" adds:\n").Append(note).Append("\n\n");
        }

        text.Append("-- \n");
        text.Append(site).Append(" sent this message because ").Append(row.SenderName)
            .Append(" entered your address on its site. Your address is not kept after delivery and is not used for anything else.\n");
        text.Append("To receive no more suggestions at this address, open:\n").Append(optOutUrl).Append('\n');
        return text.ToString();
    }

    private static string SiteName(MailboxAddress from) => from.Name is { Length: > 0 } name ? name : from.Domain;

    private static string OneLine(string text) =>
        string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
