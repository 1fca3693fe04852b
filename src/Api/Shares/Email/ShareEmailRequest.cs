using System.Text.RegularExpressions;
using FluentValidation;
using MimeKit;

namespace Api.Shares.Email;

/// <summary>A reader suggests an article to up to three friends by e-mail.</summary>
/// <param name="To">1 to 3 distinct plain addresses (<c>name@example.com</c>, no display name), at most 254 characters each.</param>
/// <param name="SenderName">How the friends know the sender (1 to 50 characters, no links); shown in the subject and the text.</param>
/// <param name="Message">An optional personal note (at most 300 characters, one line, plain text). Links, <c>www.</c> addresses and domain names are replaced by "[link removed]".</param>
public sealed record ShareEmailRequest(IReadOnlyList<string?>? To, string? SenderName, string? Message = null);

public sealed class ShareEmailRequestValidator : AbstractValidator<ShareEmailRequest>
{
    public const int MaxRecipients = 3;
    public const int MaxSenderNameLength = 50;
    public const int MaxMessageLength = 300;

    private const string NoControls =
        "'{PropertyName}' must not contain line breaks (CR, LF), NUL or other control characters.";

    public ShareEmailRequestValidator()
    {
        RuleFor(r => r.To).Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("'to' must list at least one address.")
            .Must(to => to!.Count <= MaxRecipients).WithMessage($"'to' may list at most {MaxRecipients} addresses.")
            .Must(to => to!.Where(a => a is not null).Select(EmailAddresses.Normalize).Distinct(StringComparer.Ordinal).Count() == to!.Count(a => a is not null))
            .WithMessage("'to' must not list the same address twice.");
        RuleForEach(r => r.To).Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("'{PropertyName}' must be an e-mail address.")
            .Must(ShareEmailText.HasNoControls).WithMessage(NoControls)
            .MaximumLength(EmailAddresses.MaxLength)
            .Must(EmailAddresses.IsPlain!)
            .WithMessage("'{PropertyName}' must be a plain e-mail address such as 'friend@example.com' (no display name, no brackets).")
            .When(r => r.To is { Count: > 0 and <= MaxRecipients });

        RuleFor(r => r.SenderName).Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("'senderName' is required.")
            .Must(ShareEmailText.HasNoControls).WithMessage(NoControls)
            .Must(name => !string.IsNullOrWhiteSpace(name)).WithMessage("'senderName' must not be blank.")
            .MaximumLength(MaxSenderNameLength)
            .Must(name => !ShareEmailText.ContainsLink(name!)).WithMessage("'senderName' must not contain a link or a domain name.");

        RuleFor(r => r.Message).Cascade(CascadeMode.Stop)
            .Must(ShareEmailText.HasNoControls).WithMessage(NoControls)
            .MaximumLength(MaxMessageLength)
            .When(r => r.Message is not null);
    }
}

/// <summary>The addresses suggestions may be sent to.</summary>
public static class EmailAddresses
{
    public const int MaxLength = 254;

    private const string LocalCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-.";

    /// <summary>
    /// A plain ASCII <c>local@domain</c>: MimeKit must read it as exactly that mailbox (no display
    /// name, angle brackets, comments, route or group), the local part is unquoted dot-atom text, and
    /// the domain is a host name with at least one dot and a top-level label of letters.
    /// </summary>
    public static bool IsPlain(string value)
    {
        if (value.Length is < 3 or > MaxLength || value.Any(c => c is <= ' ' or > '~'))
        {
            return false;
        }

        if (!MailboxAddress.TryParse(ParserOptions.Default, value, out var mailbox)
            || mailbox.Name is { Length: > 0 }
            || mailbox.Route.Count > 0
            || !string.Equals(mailbox.Address, value, StringComparison.Ordinal))
        {
            return false;
        }

        var at = value.LastIndexOf('@');
        if (at <= 0 || value.IndexOf('@') != at)
        {
            return false;
        }

        var local = value[..at];
        var domain = value[(at + 1)..];
        if (local.Length > 64 || local.StartsWith('.') || local.EndsWith('.') || local.Contains("..", StringComparison.Ordinal)
            || local.Any(c => !LocalCharacters.Contains(c)))
        {
            return false;
        }

        var labels = domain.Split('.');
        return labels.Length >= 2
            && labels.All(l => l.Length is > 0 and <= 63 && !l.StartsWith('-') && !l.EndsWith('-') && l.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            && (labels[^1].All(char.IsAsciiLetter) || labels[^1].StartsWith("xn--", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The form that is hashed and compared: lowercase (mail providers ignore case).</summary>
    public static string Normalize(string? value) => (value ?? "").ToLowerInvariant();
}

/// <summary>Rules for the free text a sender gives.</summary>
public static partial class ShareEmailText
{
    public const string LinkRemoved = "[link removed]";

    /// <summary>
    /// No control characters at all (C0 with CR, LF, NUL and TAB, DEL, C1) and no Unicode line or
    /// paragraph separators: such text is refused, never cleaned, since it is how headers get injected.
    /// </summary>
    public static bool HasNoControls(string? value) =>
        value is null || !value.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029');

    /// <summary>
    /// Anything a mail program would turn into a link: <c>scheme://…</c>, <c>www.…</c> and bare
    /// domain names (<c>example.com</c>, <c>пример.рф</c>, with any path after them).
    /// </summary>
    [GeneratedRegex("""
        [a-z][a-z0-9+.\-]*://\S*
        | www[.。．｡]\S*
        | \b(?:[\p{L}\p{N}](?:[\p{L}\p{N}\-]{0,61}[\p{L}\p{N}])?[.。．｡])+(?:\p{L}{2,63}|xn--[a-z0-9\-]{1,59})\b(?:[/?\#:]\S*)?
        """, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex Links();

    public static bool ContainsLink(string text) => Links().IsMatch(text);

    /// <summary>The note as it is sent: links replaced by "[link removed]", trimmed; null when nothing is left.</summary>
    public static string? CleanNote(string? note)
    {
        if (string.IsNullOrWhiteSpace(note))
        {
            return null;
        }

        var cleaned = Links().Replace(note, LinkRemoved).Trim();
        return cleaned.Length == 0 ? null : cleaned;
    }
}
