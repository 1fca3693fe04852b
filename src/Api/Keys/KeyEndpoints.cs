using System.Globalization;
using Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Api.Keys;

/// <summary>An API key as listed (never its secret).</summary>
/// <param name="Id">Numeric id.</param>
/// <param name="Name">What the key is for.</param>
/// <param name="Prefix">The first characters of the key, to recognise it.</param>
/// <param name="Scopes">What the key may do: content:write, partner, admin.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="LastUsedAt">When it was last used (to the minute); null if never.</param>
/// <param name="RevokedAt">When it was revoked; null while active.</param>
public sealed record ApiKeyDto(long Id, string Name, string Prefix, IReadOnlyList<string> Scopes, DateTime CreatedAt, DateTime? LastUsedAt, DateTime? RevokedAt)
{
    internal static ApiKeyDto From(ApiKeyRow row) => new(row.Id, row.Name, row.Prefix, row.Scopes, row.CreatedAt, row.LastUsedAt, row.RevokedAt);
}

/// <summary>A key just created, with its secret: shown this once, stored only as a hash.</summary>
/// <param name="Key">The key's details.</param>
/// <param name="Secret">Send as <c>Authorization: Bearer &lt;secret&gt;</c>. It cannot be shown again.</param>
public sealed record CreatedApiKey(ApiKeyDto Key, string Secret);

/// <summary>The API keys.</summary>
/// <param name="Items">Every key, revoked ones included, oldest first.</param>
public sealed record ApiKeyList(IReadOnlyList<ApiKeyDto> Items);

/// <summary>A new API key.</summary>
/// <param name="Name">What the key is for (1 to 100 characters).</param>
/// <param name="Scopes">One or more of content:write, partner, admin; or ghost:content alone (a Ghost Content API key).</param>
public sealed record CreateApiKeyRequest(string Name, string[] Scopes);

public sealed class CreateApiKeyRequestValidator : AbstractValidator<CreateApiKeyRequest>
{
    public CreateApiKeyRequestValidator()
    {
        RuleFor(r => r.Name).Cascade(CascadeMode.Stop)
            .NotEmpty()
            .MaximumLength(100)
            .Must(QueryValues.HasNoControlCharacters).WithMessage("'name' must not contain control characters.");
        RuleFor(r => r.Scopes).Cascade(CascadeMode.Stop)
            .NotEmpty()
            .Must(s => s.All(Scopes.All.Contains))
            .WithMessage($"'scopes' may only contain: {string.Join(", ", Scopes.All)}.")
            .Must(s => !s.Contains(Scopes.GhostContent) || s.All(scope => scope == Scopes.GhostContent))
            .WithMessage($"'{Scopes.GhostContent}' makes a Ghost Content API key, which has no other scope.");
    }
}

public static class KeyEndpoints
{
    public static RouteGroupBuilder MapKeys(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/keys").WithTags("Keys").UsesDatabase().RequireScope(Scopes.Admin);

        group.MapGet("/", ListKeys).WithName("ListApiKeys").WithSummary("Every API key (admin)");
        group.MapGet("/{id}", GetKey).WithName("GetApiKey").WithSummary("One API key (admin)")
            .WithValidation()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", CreateKey).WithName("CreateApiKey").WithSummary("Create an API key; its secret is shown once (admin)")
            .WithValidation()
            .Accepts<CreateApiKeyRequest>("application/json");
        group.MapDelete("/{id}", RevokeKey).WithName("RevokeApiKey").WithSummary("Revoke an API key at once (admin)")
            .WithValidation()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<Ok<ApiKeyList>> ListKeys(ApiKeyStore keys, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ApiKeyList((await keys.ListAsync(cancellationToken)).Select(ApiKeyDto.From).ToList()));

    private static async Task<Results<Ok<ApiKeyDto>, ProblemHttpResult>> GetKey([AsParameters] IdRoute route, ApiKeyStore keys, CancellationToken cancellationToken) =>
        await keys.FindAsync(route.Value, cancellationToken) is { } key
            ? TypedResults.Ok(ApiKeyDto.From(key))
            : NotFound(route.Value);

    private static async Task<Created<CreatedApiKey>> CreateKey(CreateApiKeyRequest request, ApiKeyStore keys, ILogger<ApiKeyStore> logger, CancellationToken cancellationToken)
    {
        var (key, secret) = await keys.CreateAsync(request.Name.Trim(), request.Scopes, cancellationToken);
        logger.LogInformation("API key {KeyId} ({KeyName}) created with scopes {Scopes}", key.Id, key.Name, key.Scopes);
        return TypedResults.Created($"/v1/keys/{key.Id.ToString(CultureInfo.InvariantCulture)}", new CreatedApiKey(ApiKeyDto.From(key), secret));
    }

    private static async Task<Results<Ok<ApiKeyDto>, ProblemHttpResult>> RevokeKey([AsParameters] IdRoute route, ApiKeyStore keys, ILogger<ApiKeyStore> logger, CancellationToken cancellationToken)
    {
        if (await keys.RevokeAsync(route.Value, cancellationToken) is not { } key)
        {
            return NotFound(route.Value);
        }

        logger.LogInformation("API key {KeyId} revoked", key.Id);
        return TypedResults.Ok(ApiKeyDto.From(key));
    }

    private static ProblemHttpResult NotFound(long id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No API key has the id {id}.");
}
