using Microsoft.Extensions.Options;

namespace Api.Webhooks;

/// <summary>Settings of the <c>Webhooks</c> section.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Allow webhook URLs whose host is (or resolves to) a loopback, private, link-local, unspecified or multicast address.</summary>
    public bool AllowPrivateAddresses { get; set; }

    /// <summary>How long one delivery attempt may take, connection included.</summary>
    public double TimeoutSeconds { get; set; } = 10;

    /// <summary>Attempts before a delivery is given up as failed (with the defaults, about a day).</summary>
    public int MaxAttempts { get; set; } = 13;

    /// <summary>Wait after the first failed attempt; it doubles with each further one (with jitter).</summary>
    public double RetryBaseDelaySeconds { get; set; } = 30;

    /// <summary>Longest wait between two attempts.</summary>
    public double RetryMaxDelaySeconds { get; set; } = 6 * 3600;

    /// <summary>How often the dispatcher looks for new changes and the sender for due deliveries.</summary>
    public double PollIntervalSeconds { get; set; } = 1;

    internal TimeSpan RetryDelay(int attempts)
    {
        var exponent = Math.Min(Math.Max(attempts - 1, 0), 30);
        var seconds = Math.Min(RetryBaseDelaySeconds * Math.Pow(2, exponent), RetryMaxDelaySeconds);
        // ±20% so that deliveries that failed together do not all come back together.
        return TimeSpan.FromSeconds(seconds * (0.8 + Random.Shared.NextDouble() * 0.4));
    }

    internal IEnumerable<string> ConfigurationErrors()
    {
        if (TimeoutSeconds <= 0 || PollIntervalSeconds <= 0)
        {
            yield return "Webhooks:TimeoutSeconds and PollIntervalSeconds must be positive.";
        }

        if (MaxAttempts <= 0 || RetryBaseDelaySeconds <= 0 || RetryMaxDelaySeconds < RetryBaseDelaySeconds)
        {
            yield return "Webhooks:MaxAttempts and RetryBaseDelaySeconds must be positive, RetryMaxDelaySeconds at least RetryBaseDelaySeconds.";
        }
    }
}

internal sealed class WebhookOptionsValidation : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options) =>
        options.ConfigurationErrors().ToList() is { Count: > 0 } errors
            ? ValidateOptionsResult.Fail(errors)
            : ValidateOptionsResult.Success;
}
