using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Api.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Api.Tests.Infrastructure;

/// <summary>
/// Records the response cache's invalidations (its <c>newsapi.cache.invalidations</c> counter) of one
/// application instance: the meter of that instance's own <see cref="IMeterFactory"/>, not those of
/// the other instances the tests run side by side.
/// </summary>
public sealed class InvalidationRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Cause, string Scope)> _seen = new();

    public InvalidationRecorder(IServiceProvider services)
    {
        var factory = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == factory && instrument.Name == ContentCache.InvalidationsInstrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? cause = null, scope = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "cause")
                {
                    cause = tag.Value as string;
                }
                else if (tag.Key == "scope")
                {
                    scope = tag.Value as string;
                }
            }

            _seen.Enqueue((cause!, scope!));
        });
        _listener.Start();
    }

    /// <summary>The invalidations this instance made for its own writes, in order.</summary>
    public IReadOnlyList<string> ByWrites => _seen.Where(s => s.Cause == "write").Select(s => s.Scope).ToList();

    /// <summary>The invalidations PostgreSQL's notifications caused, in order.</summary>
    public IReadOnlyList<string> ByNotifications => _seen.Where(s => s.Cause == "notification").Select(s => s.Scope).ToList();

    public void Clear() => _seen.Clear();

    public void Dispose() => _listener.Dispose();
}
