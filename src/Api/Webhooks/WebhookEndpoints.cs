using System.Globalization;
using Api.Articles;
using Api.Infrastructure;
using Api.Keys;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Api.Webhooks;

/// <summary>Signed webhooks: partners' URLs that receive article and category events (admin).</summary>
public static class WebhookEndpoints
{
    public const string Tag = "Webhooks";

    public static WebApplicationBuilder AddWebhooks(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebhookOptions>().Bind(builder.Configuration.GetSection(WebhookOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidation>();
        builder.Services.AddSingleton<WebhookStore>();
        builder.Services.AddSingleton<WebhookSecrets>();
        builder.Services.AddSingleton<WakeSignal<WebhookSender>>();
        builder.Services.AddHostedService<WebhookDispatcher>();
        builder.Services.AddHostedService<WebhookSender>();
        return builder;
    }

    public static RouteGroupBuilder MapWebhooks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/webhooks").WithTags(Tag).UsesDatabase().RequireScope(Scopes.Admin);

        group.MapPost("/", Create).WithName("CreateWebhook")
            .WithSummary("Register a webhook; its signing secret is shown once (admin)")
            .WithDescription("""
                The URL must be absolute http(s), at most 2,000 characters, and (unless the server allows
                private addresses) its host must resolve to public addresses only: loopback, private,
                link-local, unspecified and multicast addresses are refused with a 400 on `url`. The
                webhook receives the events it lists for changes committed from now on.
                """)
            .WithValidation()
            .Accepts<CreateWebhookRequest>("application/json");
        group.MapGet("/", List).WithName("ListWebhooks").WithSummary("Every webhook (admin)");
        group.MapGet("/{id}", Get).WithName("GetWebhook").WithSummary("One webhook (admin)")
            .WithValidation()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPatch("/{id}", Patch).WithName("PatchWebhook")
            .WithSummary("Change a webhook's URL, events, description or state, or rotate its secret (admin)")
            .WithDescription("""
                A JSON merge patch: absent or null members stay as they are. `rotateSecret: true` replaces
                the secret by a generated one, returned in this answer only. Enabling a webhook again
                (also after a 410) resumes the deliveries still pending, in order.
                """)
            .WithValidation()
            .Accepts<PatchWebhookRequest>(MergePatch.ContentType, "application/json")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{id}", Delete).WithName("DeleteWebhook").WithSummary("Delete a webhook and its delivery log (admin)")
            .WithValidation()
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}/deliveries", Deliveries).WithName("ListWebhookDeliveries")
            .WithSummary("A webhook's delivery log: each event with every attempt (admin)")
            .WithStrictQuery()
            .WithValidation()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/deliveries/{deliveryId}/redeliver", Redeliver).WithName("RedeliverWebhookDelivery")
            .WithSummary("Send a delivered or failed event again, with the same id and body (admin)")
            .WithDescription("""
                Queues the delivery for an attempt now (202). It keeps its place in the webhook's order: later
                events still pending wait for it. 409 while the delivery is still pending.
                """)
            .WithValidation()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static async Task<Results<Created<WebhookWithSecret>, ValidationProblem>> Create(
        CreateWebhookRequest request, WebhookStore store, WebhookSecrets secrets, IOptions<WebhookOptions> options,
        ILogger<WebhookStore> logger, CancellationToken cancellationToken)
    {
        WebhookAddresses.IsWellFormed(request.Url, out var uri);
        if (await CheckAddressAsync(uri!, options.Value, cancellationToken) is { } refused)
        {
            return refused;
        }

        var secret = request.Secret ?? WebhookSecrets.Generate();
        var row = await store.CreateAsync(request.Url!, request.Events!, request.Description?.Trim() ?? "", secrets.Encrypt(secret), cancellationToken);
        logger.LogInformation("Webhook {WebhookId} registered for {Events}", row.Id, row.Events);
        return TypedResults.Created($"/v1/webhooks/{row.Id.ToString(CultureInfo.InvariantCulture)}", new WebhookWithSecret(WebhookDto.From(row), secret));
    }

    private static async Task<Ok<WebhookList>> List(WebhookStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(new WebhookList((await store.ListAsync(cancellationToken)).Select(WebhookDto.From).ToList()));

    private static async Task<Results<Ok<WebhookDto>, ProblemHttpResult>> Get([AsParameters] IdRoute route, WebhookStore store, CancellationToken cancellationToken) =>
        await store.FindAsync(route.Value, cancellationToken) is { } row ? TypedResults.Ok(WebhookDto.From(row)) : NotFound(route.Value);

    private static async Task<Results<Ok<PatchedWebhook>, ValidationProblem, ProblemHttpResult>> Patch(
        [AsParameters] IdRoute route, PatchWebhookRequest request, WebhookStore store, WebhookSecrets secrets, IOptions<WebhookOptions> options,
        ILogger<WebhookStore> logger, CancellationToken cancellationToken)
    {
        if (request.Url is not null)
        {
            WebhookAddresses.IsWellFormed(request.Url, out var uri);
            if (await CheckAddressAsync(uri!, options.Value, cancellationToken) is { } refused)
            {
                return refused;
            }
        }

        var secret = request.Secret ?? (request.RotateSecret == true ? WebhookSecrets.Generate() : null);
        var row = await store.UpdateAsync(
            route.Value, request.Url, request.Events, request.Enabled, request.Description?.Trim(), secret is null ? null : secrets.Encrypt(secret), cancellationToken);
        if (row is null)
        {
            return NotFound(route.Value);
        }

        logger.LogInformation("Webhook {WebhookId} changed (secret replaced: {SecretReplaced})", row.Id, secret is not null);
        return TypedResults.Ok(new PatchedWebhook(WebhookDto.From(row), secret));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete([AsParameters] IdRoute route, WebhookStore store, ILogger<WebhookStore> logger, CancellationToken cancellationToken)
    {
        if (!await store.DeleteAsync(route.Value, cancellationToken))
        {
            return NotFound(route.Value);
        }

        logger.LogInformation("Webhook {WebhookId} deleted", route.Value);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<WebhookDeliveryList>, ProblemHttpResult>> Deliveries(
        [AsParameters] WebhookDeliveriesRequest request, WebhookStore store, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(request.WebhookId, cancellationToken) is null)
        {
            return NotFound(request.WebhookId);
        }

        var (deliveries, attempts) = await store.ListDeliveriesAsync(request.WebhookId, request.Take, cancellationToken);
        return TypedResults.Ok(new WebhookDeliveryList(deliveries.Select(d => WebhookDeliveryDto.From(d, attempts[d.Id])).ToList()));
    }

    private static async Task<Results<Accepted<WebhookDeliveryDto>, ProblemHttpResult>> Redeliver(
        [AsParameters] WebhookDeliveryRoute route, WebhookStore store, WakeSignal<WebhookSender> signal, ILogger<WebhookStore> logger, CancellationToken cancellationToken)
    {
        var (found, attempts) = await store.FindDeliveryAsync(route.WebhookId, route.Delivery, cancellationToken);
        if (found is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"Webhook {route.WebhookId} has no delivery {route.Delivery}.");
        }

        if (await store.RequeueAsync(route.WebhookId, route.Delivery, cancellationToken) is not { } queued)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, detail: "The delivery is still pending; it will be attempted again without being asked.");
        }

        signal.Notify();
        logger.LogInformation("Delivery {DeliveryId} of webhook {WebhookId} queued again", queued.Id, queued.WebhookId);
        return TypedResults.Accepted(
            $"/v1/webhooks/{route.WebhookId.ToString(CultureInfo.InvariantCulture)}/deliveries",
            WebhookDeliveryDto.From(queued, attempts));
    }

    private static async Task<ValidationProblem?> CheckAddressAsync(Uri uri, WebhookOptions options, CancellationToken cancellationToken) =>
        options.AllowPrivateAddresses || await WebhookAddresses.CheckHostAsync(uri, cancellationToken) is not { } reason
            ? null
            : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["url"] = [reason] }, detail: "One or more values are invalid; see 'errors'.");

    private static ProblemHttpResult NotFound(long id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No webhook has the id {id}.");
}
