namespace Api.Infrastructure;

/// <summary>Wakes the <typeparamref name="TWorker"/> of this instance at once (the others find the work when they next poll).</summary>
public sealed class WakeSignal<TWorker>
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled; one wake-up drains everything that is due.
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}

/// <summary>
/// A background worker that runs a round of work at once when woken and otherwise every poll
/// interval. A failed round (the database away, say) is logged and tried again at the next one, so
/// an outage delays the work but never stops the worker.
/// </summary>
public abstract class PollingWorker<TWorker>(WakeSignal<TWorker>? signal, ILogger logger) : BackgroundService
{
    protected abstract TimeSpan PollInterval { get; }

    /// <summary>What the worker does, for the log: "Webhook deliveries".</summary>
    protected abstract string Work { get; }

    protected virtual bool Enabled => true;

    protected abstract Task RunRoundAsync(CancellationToken cancellationToken);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            return;
        }

        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunRoundAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "{Work} could not be processed; trying again in {Seconds} s", Work, PollInterval.TotalSeconds);
            }

            try
            {
                if (signal is not null)
                {
                    await signal.WaitAsync(PollInterval, stoppingToken);
                }
                else
                {
                    await Task.Delay(PollInterval, stoppingToken);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
