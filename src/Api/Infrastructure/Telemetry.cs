namespace Api.Infrastructure;

/// <summary>The service's own metrics: one meter, created through <see cref="System.Diagnostics.Metrics.IMeterFactory"/>.</summary>
public static class Telemetry
{
    /// <summary>The name of the meter every instrument of the service's own belongs to.</summary>
    public const string MeterName = "NewsApi";
}
