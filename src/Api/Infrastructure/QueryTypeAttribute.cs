namespace Api.Infrastructure;

/// <summary>
/// The type a query parameter has on the wire. Parameters are bound as strings so that a bad value
/// becomes a 400 problem naming the parameter (rather than a binding failure); this tells OpenAPI
/// what clients should send.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property)]
public sealed class QueryTypeAttribute(string type) : Attribute
{
    public string Type { get; } = type;

    public string? Format { get; init; }

    public string[]? Enum { get; init; }

    public double Minimum { get; init; } = double.NaN;

    public double Maximum { get; init; } = double.NaN;

    public object? Default { get; init; }
}
