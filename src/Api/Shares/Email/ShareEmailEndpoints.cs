using Api.Articles;
using Api.Infrastructure;
using Api.Keys;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Api.Shares.Email;

/// <summary>A suggestion accepted for delivery.</summary>
/// <param name="Id">Opaque id of the suggestion; its status is at <c>/v1/share/emails/{id}</c> (also in <c>Location</c>).</param>
/// <param name="Status">Always <c>queued</c>.</param>
public sealed record ShareEmailAccepted(string Id, string Status);

/// <summary>Where the delivery of a suggestion stands. Recipients are never shown.</summary>
/// <param name="Id">The suggestion's id.</param>
/// <param name="Status"><c>queued</c> while any message waits for (another) attempt, <c>failed</c> when a message was given up, else <c>sent</c>.</param>
/// <param name="CreatedAt">When it was accepted.</param>
/// <param name="SentAt">When the last message was accepted by the mail server; null unless <c>sent</c>.</param>
/// <param name="Attempts">Delivery attempts so far (the most any of its messages took).</param>
public sealed record ShareEmailStatus(string Id, string Status, DateTime CreatedAt, DateTime? SentAt, int Attempts);

/// <summary>The answer to an opt-out link.</summary>
/// <param name="OptedOut">Always true: the address receives no more suggestions (opting out again changes nothing).</param>
/// <param name="Detail">A sentence to show the reader.</param>
public sealed record ShareOptOutResult(bool OptedOut, string Detail);

/// <summary>Route values of <c>GET /v1/share/emails/{id}</c>.</summary>
/// <param name="Id">The id a suggestion was accepted with (a UUID).</param>
public sealed record ShareEmailRoute(string Id)
{
    internal Guid? Value => Guid.TryParseExact(Id, "D", out var id) ? id : null;
}

public sealed class ShareEmailRouteValidator : AbstractValidator<ShareEmailRoute>
{
    public ShareEmailRouteValidator()
    {
        RuleFor(r => r.Id).Must(id => Guid.TryParseExact(id, "D", out _)).WithMessage("'id' must be the UUID a suggestion was accepted with.");
    }
}

/// <summary>Route values of the opt-out link.</summary>
/// <param name="Token">The token from the link in a suggestion e-mail.</param>
public sealed record ShareOptOutRoute(string Token);

public sealed class ShareOptOutRouteValidator : AbstractValidator<ShareOptOutRoute>
{
    public ShareOptOutRouteValidator()
    {
        RuleFor(r => r.Token).Must(ShareEmailKeys.IsWellFormedToken)
            .WithMessage($"'token' must be the {ShareEmailKeys.TokenLength} characters of an opt-out link.");
    }
}

/// <summary>"Suggest to a friend": an article sent by e-mail, through an outbox, under abuse limits.</summary>
public static class ShareEmailEndpoints
{
    public const string Tag = "Share";

    public static WebApplicationBuilder AddShareEmail(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ShareEmailOptions>()
            .Bind(builder.Configuration.GetSection(ShareEmailOptions.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ShareEmailOptions>, ShareEmailOptionsValidation>();
        if (!builder.Services.Any(d => d.ServiceType == typeof(IConfigureOptions<ShareOptions>)))
        {
            builder.Services.AddOptions<ShareOptions>().Bind(builder.Configuration.GetSection("Share"));
        }

        builder.Services.AddSingleton<ShareEmailStore>();
        builder.Services.AddSingleton<ShareEmailKeys>();
        builder.Services.AddSingleton<WakeSignal<ShareEmailSender>>();
        builder.Services.AddHostedService<ShareEmailSender>();
        builder.Services.ConfigureSwaggerGen(o => o.OperationFilter<ShareEmailOpenApi>());
        return builder;
    }

    public static void MapShareEmail(this IEndpointRouteBuilder app)
    {
        var gated = app.MapGroup("/v1").WithTags(Tag).UsesDatabase().AddEndpointFilter(RequireEnabled);

        gated.MapPost("/articles/{idOrSlug}/share/email", Suggest)
            .WithName("SuggestArticleByEmail")
            .WithSummary("Suggest a published article to up to three friends by e-mail")
            .WithDescription("""
                Anonymous. Answers 202 with the suggestion's id and its status URL in `Location`; a
                background sender delivers one plain-text message per recipient from the site's address,
                with an opt-out link. Line breaks, NUL or other control characters in any field are
                refused (400), never stripped. Links in `message` are replaced by "[link removed]".
                A previous slug or a legacy id answers 308 to the current slug's URL (repeat the POST there).
                Limits (429 with `Retry-After`): requests per client address per hour, messages per
                recipient per day, messages per hour overall. An address that opted out is never mailed,
                though the request is accepted like any other. 404 while the feature is off.
                """)
            .AllowPublicWrite("Readers suggest articles without an account; abuse-limited per address, recipient and site")
            .WithValidation()
            .Accepts<ShareEmailRequest>("application/json")
            .Produces(StatusCodes.Status308PermanentRedirect)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        gated.MapGet("/share/emails/{id}", GetStatus)
            .WithName("GetShareEmail")
            .WithSummary("Delivery status of an e-mail suggestion")
            .WithDescription("`queued`, then `sent` (or `failed` after the last attempt). 404 for an unknown id or while the feature is off.")
            .WithValidation()
            .ProducesProblem(StatusCodes.Status404NotFound);

        var optOut = app.MapGroup("/v1/share/opt-out").WithTags(Tag).UsesDatabase();
        optOut.MapGet("/{token}", OptOut)
            .WithName("OptOutOfShareEmails")
            .WithSummary("Receive no more e-mail suggestions at the address this link was sent to")
            .WithDescription("""
                The link at the end of every suggestion (and in its `List-Unsubscribe` header). The token
                carries a keyed hash of the address with a signature, so it works only for the address it
                was sent to; 404 for a forged or altered token. Works even while the feature is off.
                """)
            .WithValidation()
            .ProducesProblem(StatusCodes.Status404NotFound);
        optOut.MapPost("/{token}", OptOut)
            .WithName("OptOutOfShareEmailsOneClick")
            .WithSummary("One-click opt-out (RFC 8058 List-Unsubscribe-Post)")
            .WithDescription("What mail programs send for `List-Unsubscribe-Post: List-Unsubscribe=One-Click`; any body is ignored.")
            .AllowPublicWrite("Mail programs send it for the recipient, who has no key")
            .WithValidation()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async ValueTask<object?> RequireEnabled(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.RequestServices.GetRequiredService<IOptions<ShareEmailOptions>>().Value.Enabled
            ? await next(context)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: "Suggesting articles by e-mail is not enabled here.");

    private static async Task<Results<Accepted<ShareEmailAccepted>, RedirectHttpResult, ProblemHttpResult>> Suggest(
        [AsParameters] ArticleRoute route,
        ShareEmailRequest request,
        HttpContext http,
        ArticleViews views,
        ShareEmailStore store,
        ShareEmailKeys keys,
        WakeSignal<ShareEmailSender> signal,
        IOptions<ShareEmailOptions> options,
        IOptions<ShareOptions> share,
        IOptions<SiteOptions> site,
        ILogger<ShareEmailStore> logger,
        CancellationToken cancellationToken)
    {
        var (article, redirectTo) = await views.FindAsync(route, ArticleStore.Audience.Public, cancellationToken);
        if (article is null)
        {
            return redirectTo is not null ? ArticleRoute.MovedTo(redirectTo, http) : ArticleRoute.NotFound(route.IdOrSlug);
        }

        var canonicalUrl = article.CanonicalUrl ?? site.Value.ArticleUrl(article.Id, article.Slug);
        var outcome = await store.EnqueueAsync(
            new NewShareEmail(
                article.Id,
                article.Title,
                article.Summary,
                ShareUrls.Tagged(canonicalUrl, "email", "email", share.Value.UtmCampaign),
                request.SenderName!.Trim(),
                ShareEmailText.CleanNote(request.Message),
                keys.ClientHash(http.Connection.RemoteIpAddress),
                request.To!.Select(address => (address!, keys.AddressHash(address!))).ToList()),
            options.Value,
            cancellationToken);

        if (outcome.RetryAfter is { } wait)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            logger.LogInformation("Share e-mail refused: limit of {Limit} reached for {Seconds} s", outcome.Limit, seconds);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status429TooManyRequests,
                detail: $"Too many suggestions: the limit of {outcome.Limit} is reached. Try again after the Retry-After seconds.");
        }

        var id = outcome.Id!.Value;
        signal.Notify();
        logger.LogInformation("Share e-mail request {RequestId} for article {ArticleId} queued for {Count} recipients", id, article.Id, request.To!.Count);
        return TypedResults.Accepted($"/v1/share/emails/{id}", new ShareEmailAccepted(id.ToString(), "queued"));
    }

    private static async Task<Results<Ok<ShareEmailStatus>, ProblemHttpResult>> GetStatus(
        [AsParameters] ShareEmailRoute route,
        HttpContext http,
        ShareEmailStore store,
        CancellationToken cancellationToken)
    {
        http.Response.Headers.CacheControl = "no-store";
        return route.Value is { } id && await store.FindStatusAsync(id, cancellationToken) is { } row
            ? TypedResults.Ok(new ShareEmailStatus(row.Id.ToString(), row.Status, row.CreatedAt, row.SentAt, row.Attempts))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No e-mail suggestion has the id '{route.Id}'.");
    }

    private static async Task<Results<Ok<ShareOptOutResult>, ProblemHttpResult>> OptOut(
        [AsParameters] ShareOptOutRoute route,
        HttpContext http,
        ShareEmailStore store,
        ShareEmailKeys keys,
        ILogger<ShareEmailStore> logger,
        CancellationToken cancellationToken)
    {
        http.Response.Headers.CacheControl = "no-store";
        if (keys.VerifyOptOutToken(route.Token) is not { } addressHash)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: "This opt-out link is not valid; copy the whole link from the e-mail.");
        }

        await store.SuppressAsync(addressHash, cancellationToken);
        logger.LogInformation("An address opted out of share e-mails");
        return TypedResults.Ok(new ShareOptOutResult(true, "This address will receive no more suggestions from this site."));
    }
}

/// <summary>Names every invalid <c>Share:Email</c> setting at start-up.</summary>
internal sealed class ShareEmailOptionsValidation : IValidateOptions<ShareEmailOptions>
{
    public ValidateOptionsResult Validate(string? name, ShareEmailOptions options) =>
        options.ConfigurationErrors().ToList() is { Count: > 0 } errors
            ? ValidateOptionsResult.Fail(errors)
            : ValidateOptionsResult.Success;
}
