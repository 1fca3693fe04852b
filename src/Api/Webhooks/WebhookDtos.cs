using System.ComponentModel;
using Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;

namespace Api.Webhooks;

/// <summary>A webhook as listed (never its secret).</summary>
/// <param name="Id">Numeric id.</param>
/// <param name="Url">Where events are POSTed.</param>
/// <param name="Events">The events it receives: article.published, article.updated, article.unpublished, article.deleted, article.corrected, category.changed.</param>
/// <param name="Description">What it is for.</param>
/// <param name="Enabled">Whether deliveries are sent; false after the receiver answered 410 Gone or an admin disabled it.</param>
/// <param name="DisabledReason">Why it was disabled by the sender (e.g. the receiver answered 410); null otherwise.</param>
/// <param name="CreatedAt">When it was registered.</param>
/// <param name="UpdatedAt">When it was last changed.</param>
public sealed record WebhookDto(long Id, string Url, IReadOnlyList<string> Events, string Description, bool Enabled, string? DisabledReason, DateTime CreatedAt, DateTime UpdatedAt)
{
    internal static WebhookDto From(WebhookRow row) =>
        new(row.Id, row.Url, row.Events, row.Description, row.Enabled, row.DisabledReason, row.CreatedAt, row.UpdatedAt);
}

/// <summary>A webhook with its signing secret, shown this once.</summary>
/// <param name="Webhook">The webhook.</param>
/// <param name="Secret">The signing secret (<c>whsec_</c> and base64): verify <c>Webhook-Signature</c> with it. It cannot be shown again.</param>
public sealed record WebhookWithSecret(WebhookDto Webhook, string Secret);

/// <summary>A webhook after a change, with its new secret when the change rotated it.</summary>
/// <param name="Webhook">The webhook.</param>
/// <param name="Secret">The new signing secret, shown this once; null when the secret did not change.</param>
public sealed record PatchedWebhook(WebhookDto Webhook, string? Secret);

/// <summary>The webhooks.</summary>
/// <param name="Items">Every webhook, oldest first.</param>
public sealed record WebhookList(IReadOnlyList<WebhookDto> Items);

/// <summary>A new webhook.</summary>
/// <param name="Url">Absolute http or https URL, at most 2,000 characters, without user information; its host must resolve to public addresses.</param>
/// <param name="Events">One or more of article.published, article.updated, article.unpublished, article.deleted, article.corrected, category.changed.</param>
/// <param name="Secret">A signing secret (<c>whsec_</c> and the base64 of 24 to 64 random bytes); generated when absent.</param>
/// <param name="Description">What it is for, up to 500 characters.</param>
public sealed record CreateWebhookRequest(string? Url, string[]? Events, string? Secret = null, string? Description = null);

/// <summary>A change to a webhook (JSON merge patch: absent or null members stay as they are).</summary>
/// <param name="Url">A new URL (same rules as on creation).</param>
/// <param name="Events">A new, non-empty list of events.</param>
/// <param name="Enabled">Disable or enable again (enabling resumes the deliveries still pending).</param>
/// <param name="Description">A new description; "" clears it.</param>
/// <param name="RotateSecret">True to replace the secret by a generated one, returned once in the answer.</param>
/// <param name="Secret">A new secret of your own (<c>whsec_</c> form); not together with <c>rotateSecret</c>.</param>
public sealed record PatchWebhookRequest(string? Url = null, string[]? Events = null, bool? Enabled = null, string? Description = null, bool? RotateSecret = null, string? Secret = null);

public sealed class CreateWebhookRequestValidator : AbstractValidator<CreateWebhookRequest>
{
    public CreateWebhookRequestValidator()
    {
        RuleFor(r => r.Url).Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("'url' is required.")
            .Must(u => WebhookAddresses.IsWellFormed(u, out _)).WithMessage(WebhookRules.UrlMessage);
        RuleFor(r => r.Events).Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("'events' must list at least one event.")
            .Must(WebhookRules.AreKnownEvents).WithMessage(WebhookRules.EventsMessage);
        RuleFor(r => r.Secret).Must(s => WebhookSecrets.TryDecode(s, out _)).WithMessage(WebhookRules.SecretMessage).When(r => r.Secret is not null);
        RuleFor(r => r.Description).MaximumLength(500).Must(QueryValues.HasNoControlCharacters)
            .WithMessage("'description' must not contain control characters.").When(r => r.Description is not null);
    }
}

public sealed class PatchWebhookRequestValidator : AbstractValidator<PatchWebhookRequest>
{
    public PatchWebhookRequestValidator()
    {
        RuleFor(r => r.Url).Must(u => WebhookAddresses.IsWellFormed(u, out _)).WithMessage(WebhookRules.UrlMessage).When(r => r.Url is not null);
        RuleFor(r => r.Events).Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("'events' must list at least one event.")
            .Must(WebhookRules.AreKnownEvents).WithMessage(WebhookRules.EventsMessage)
            .When(r => r.Events is not null);
        RuleFor(r => r.Secret).Must(s => WebhookSecrets.TryDecode(s, out _)).WithMessage(WebhookRules.SecretMessage).When(r => r.Secret is not null);
        RuleFor(r => r.RotateSecret).Must(r => r != true).WithMessage("Give either 'rotateSecret' or 'secret', not both.").When(r => r.Secret is not null);
        RuleFor(r => r.Description).MaximumLength(500).Must(QueryValues.HasNoControlCharacters)
            .WithMessage("'description' must not contain control characters.").When(r => r.Description is not null);
    }
}

internal static class WebhookRules
{
    public const string UrlMessage = "'url' must be an absolute http or https URL of at most 2000 characters, without user name or password.";
    public static readonly string EventsMessage = $"'events' may only contain, once each: {string.Join(", ", WebhookEvents.All)}.";
    public const string SecretMessage = "'secret' must be 'whsec_' followed by the base64 of 24 to 64 random bytes.";

    public static bool AreKnownEvents(string[]? events) =>
        events is not null && events.All(e => WebhookEvents.All.Contains(e, StringComparer.Ordinal)) && events.Distinct(StringComparer.Ordinal).Count() == events.Length;
}

/// <summary>One attempt to deliver an event.</summary>
/// <param name="Attempt">1 for the first attempt.</param>
/// <param name="StatusCode">The receiver's HTTP status; null when no answer came (timeout, connection refused).</param>
/// <param name="DurationMs">How long the attempt took.</param>
/// <param name="Error">Why it failed; null when it succeeded.</param>
/// <param name="AttemptedAt">When it was made.</param>
public sealed record WebhookAttemptDto(int Attempt, int? StatusCode, int DurationMs, string? Error, DateTime AttemptedAt);

/// <summary>One event sent (or to be sent) to a webhook.</summary>
/// <param name="Id">The delivery's id (for redelivery).</param>
/// <param name="EventId">The event's id: the payload's <c>id</c> and the <c>Webhook-Id</c> header, the same on every attempt.</param>
/// <param name="Event">The event type.</param>
/// <param name="Seq">The change-feed position of the change it reports.</param>
/// <param name="Status">pending (waiting for its turn or a retry), delivered, or failed (given up, or the receiver answered 410).</param>
/// <param name="Attempts">Attempts made so far.</param>
/// <param name="NextAttemptAt">When the next attempt is due; null unless pending.</param>
/// <param name="CreatedAt">When the change became this delivery.</param>
/// <param name="DeliveredAt">When a 2xx answer was received; null otherwise.</param>
/// <param name="Log">Every attempt, first to last.</param>
public sealed record WebhookDeliveryDto(
    long Id, Guid EventId, string Event, long Seq, string Status, int Attempts, DateTime? NextAttemptAt, DateTime CreatedAt, DateTime? DeliveredAt,
    IReadOnlyList<WebhookAttemptDto> Log)
{
    internal static WebhookDeliveryDto From(DeliveryRow row, IEnumerable<AttemptRow> attempts) => new(
        row.Id, row.EventId, row.EventType, row.Seq, row.Status, row.Attempts, row.Status == "pending" ? row.NextAttemptAt : null, row.CreatedAt, row.DeliveredAt,
        attempts.Select(a => new WebhookAttemptDto(a.Attempt, a.StatusCode, a.DurationMs, a.Error, a.AttemptedAt)).ToList());
}

/// <summary>A webhook's delivery log.</summary>
/// <param name="Items">The newest deliveries first.</param>
public sealed record WebhookDeliveryList(IReadOnlyList<WebhookDeliveryDto> Items);

/// <summary>Route and query of <c>GET /v1/webhooks/{id}/deliveries</c>.</summary>
public sealed record WebhookDeliveriesRequest
{
    /// <summary>The webhook's id.</summary>
    [FromRoute(Name = "id")]
    public required string Id { get; init; }

    /// <summary>How many of the newest deliveries, 1 to 100 (default 50).</summary>
    [FromQuery(Name = "limit"), DefaultValue(DefaultLimit)]
    public int? Limit { get; init; }

    internal long WebhookId => QueryValues.TryParseId(Id, out var id) ? id : 0;

    internal int Take => Limit ?? DefaultLimit;

    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;
}

public sealed class WebhookDeliveriesRequestValidator : AbstractValidator<WebhookDeliveriesRequest>
{
    public WebhookDeliveriesRequestValidator()
    {
        RuleFor(r => r.Id).Must(id => id.Length <= 19 && QueryValues.TryParseId(id, out _)).WithMessage("'id' must be a positive integer.");
        RuleFor(r => r.Limit).InclusiveBetween(1, WebhookDeliveriesRequest.MaxLimit);
    }
}

/// <summary>Route of a webhook's delivery.</summary>
/// <param name="Id">The webhook's id.</param>
/// <param name="DeliveryId">The delivery's id.</param>
public sealed record WebhookDeliveryRoute([FromRoute(Name = "id")] string Id, [FromRoute(Name = "deliveryId")] string DeliveryId)
{
    internal long WebhookId => QueryValues.TryParseId(Id, out var id) ? id : 0;

    internal long Delivery => QueryValues.TryParseId(DeliveryId, out var id) ? id : 0;
}

public sealed class WebhookDeliveryRouteValidator : AbstractValidator<WebhookDeliveryRoute>
{
    public WebhookDeliveryRouteValidator()
    {
        RuleFor(r => r.Id).Must(id => id.Length <= 19 && QueryValues.TryParseId(id, out _)).WithMessage("'id' must be a positive integer.");
        RuleFor(r => r.DeliveryId).Must(id => id.Length <= 19 && QueryValues.TryParseId(id, out _)).WithMessage("'deliveryId' must be a positive integer.");
    }
}
