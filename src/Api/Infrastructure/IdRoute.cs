using FluentValidation;

namespace Api.Infrastructure;

/// <summary>A numeric id in the path (<c>{id}</c>); anything but a positive integer is a 400 naming it.</summary>
/// <param name="Id">The resource's numeric id.</param>
public sealed record IdRoute(string Id)
{
    internal long Value => QueryValues.TryParseId(Id, out var id) ? id : 0;
}

public sealed class IdRouteValidator : AbstractValidator<IdRoute>
{
    public IdRouteValidator()
    {
        RuleFor(r => r.Id)
            .Must(id => id.Length <= 19 && QueryValues.TryParseId(id, out _))
            .WithMessage("'id' must be a positive integer.");
    }
}
