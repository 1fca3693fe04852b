using System.Diagnostics;
using System.Diagnostics.Metrics;
using Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace Api.Media;

/// <summary>
/// Bounds the image work of this instance (upload checks and renders): at most
/// <see cref="MediaOptions.MaxConcurrentRenders"/> run at once, at most
/// <see cref="MediaOptions.MaxQueuedRenders"/> wait for a turn (the next is refused at once, so a
/// flood of requests gets 503s instead of exhausting memory), and each has
/// <see cref="MediaOptions.RenderTimeoutSeconds"/> to finish, waiting included.
/// </summary>
public sealed class RenderGate
{
    private readonly IOptions<MediaOptions> _options;
    private readonly SemaphoreSlim _running;
    private readonly Histogram<double> _duration;
    private int _inFlight;

    public RenderGate(IOptions<MediaOptions> options, IMeterFactory meters)
    {
        _options = options;
        _running = new SemaphoreSlim(Math.Max(1, options.Value.MaxConcurrentRenders));
        var meter = meters.Create(Telemetry.MeterName);
        meter.CreateObservableGauge("newsapi.media.render.queue", () => Waiting, "{render}",
            "Image work (renditions, upload checks) waiting for a turn on this instance");
        _duration = meter.CreateHistogram<double>("newsapi.media.render.duration", "s",
            "Time one piece of image work (a rendition, an upload check) ran with libvips, by outcome: done, or timed-out (its time limit passed, waiting included)");
    }

    /// <summary>Renders waiting for a turn now.</summary>
    public int Waiting => Math.Max(0, Volatile.Read(ref _inFlight) - _options.Value.MaxConcurrentRenders);

    /// <summary>
    /// Runs <paramref name="work"/> (synchronous libvips work) on the thread pool when its turn comes;
    /// <see cref="GateResult{T}.Busy"/> when the queue is full, <see cref="GateResult{T}.TimedOut"/> when
    /// the time limit passes first (libvips stops the evaluation as soon as the token is cancelled).
    /// </summary>
    public async Task<GateResult<T>> RunAsync<T>(Func<CancellationToken, T> work, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _inFlight) > _options.Value.MaxQueuedRenders + _options.Value.MaxConcurrentRenders)
        {
            Interlocked.Decrement(ref _inFlight);
            return GateResult<T>.Busy;
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(_options.Value.RenderTimeoutSeconds));
        var entered = false;
        try
        {
            await _running.WaitAsync(limit.Token);
            entered = true;
            var started = Stopwatch.GetTimestamp();
            try
            {
                var done = GateResult<T>.Done(await Task.Run(() => work(limit.Token), limit.Token));
                _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, ServiceMetrics.Outcome("done"));
                return done;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, ServiceMetrics.Outcome("timed-out"));
                throw;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return GateResult<T>.TimedOut;
        }
        finally
        {
            if (entered)
            {
                _running.Release();
            }

            Interlocked.Decrement(ref _inFlight);
        }
    }
}

/// <summary>The result of work run through the <see cref="RenderGate"/>.</summary>
public readonly record struct GateResult<T>(GateState State, T? Value)
{
    public static GateResult<T> Busy => new(GateState.Busy, default);
    public static GateResult<T> TimedOut => new(GateState.TimedOut, default);
    public static GateResult<T> Done(T value) => new(GateState.Done, value);
}

public enum GateState
{
    Done,
    Busy,
    TimedOut,
}
