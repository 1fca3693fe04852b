using System.Diagnostics;

namespace Api.Bench;

/// <summary>
/// An editor key saving articles at a steady rate, for the writes-* cases: PER SECOND merge
/// patches of the summary of the articles SLUGS in turn, with If-Match: *. It runs only between
/// <see cref="Start"/> and <see cref="StopAsync"/> (the warm-up and the measured slices of its
/// case), and picks up where it stopped, so the saves of a case measured in slices keep their
/// rate and their order. The first save that fails stops it and is kept as <see cref="Failure"/>.
/// </summary>
internal sealed class SaveLoop(string baseUrl, string key, IReadOnlyList<string> slugs, double perSecond) : IDisposable
{
    private readonly HttpClient client = NewClient(key);
    private CancellationTokenSource? stop;
    private Task? loop;
    private int next;
    private int saved;

    public double PerSecond => perSecond;

    /// <summary>The saves acknowledged so far.</summary>
    public int Saved => Volatile.Read(ref saved);

    /// <summary>Why a save failed (the first), or null.</summary>
    public string? Failure { get; private set; }

    public void Start()
    {
        if (loop is not null)
        {
            throw new InvalidOperationException("the saves are running already");
        }

        stop = new CancellationTokenSource();
        var token = stop.Token;
        loop = Task.Run(() => SaveAsync(token), CancellationToken.None);
    }

    /// <summary>Stops the saves, waiting for one under way to be answered.</summary>
    public async Task StopAsync()
    {
        if (loop is null)
        {
            return;
        }

        await stop!.CancelAsync();
        await loop;
        stop.Dispose();
        (stop, loop) = (null, null);
    }

    public void Dispose()
    {
        stop?.Cancel();
        client.Dispose();
    }

    private async Task SaveAsync(CancellationToken stopping)
    {
        var interval = TimeSpan.FromSeconds(1 / perSecond);
        var clock = Stopwatch.StartNew();
        for (var n = 0; !stopping.IsCancellationRequested && Failure is null; n++)
        {
            var due = interval * n;
            if (due > clock.Elapsed)
            {
                try
                {
                    await Task.Delay(due - clock.Elapsed, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            var write = next++;
            using var request = new HttpRequestMessage(HttpMethod.Patch, $"{baseUrl}/v1/articles/{slugs[write % slugs.Count]}")
            {
                Content = new StringContent(
                    "{\"summary\":\"Saved under load, write " + write + ".\"}", System.Text.Encoding.UTF8, "application/merge-patch+json"),
            };
            request.Headers.TryAddWithoutValidation("If-Match", "*");
            try
            {
                // Not cancelled by the stop: a save under way is answered before the loop ends.
                using var response = await client.SendAsync(request, CancellationToken.None);
                if (!response.IsSuccessStatusCode)
                {
                    Failure = $"a save answered {(int)response.StatusCode}";
                    return;
                }
            }
            catch (HttpRequestException e)
            {
                Failure = $"a save failed: {e.Message}";
                return;
            }
            catch (TaskCanceledException)
            {
                Failure = "a save was not answered within 30 s";
                return;
            }

            Interlocked.Increment(ref saved);
        }
    }

    private static HttpClient NewClient(string key)
    {
        var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
