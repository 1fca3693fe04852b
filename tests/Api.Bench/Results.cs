namespace Api.Bench;

/// <summary>
/// The figures of one wrk case (one round of it, or the medians of its rounds). Null stands for a
/// figure that is not known (the case failed before it). BodyBytes is the size of the body of the
/// case's check request; CpuUsPerResponse the serving app's CPU time (user + system) per response
/// in the measured run, in microseconds (unlike requests/s it hardly moves with other load on the
/// machine); DbUsPerResponse the same for the private cluster's server processes; PeakRssMib the
/// serving app's peak resident memory during the case. Failure is null when the case went well.
/// CacheHitRate is the share of the responses the API served from its response cache (those with
/// an Age header); Note tells what the report should say beside the figures (a slice measured again).
/// </summary>
internal sealed record CaseResult(
    string Case,
    int? Round,
    double? RequestsPerSecond,
    double? P50Ms,
    double? P99Ms,
    long? Non2xx,
    long? Unexpected,
    long? SocketErrors,
    long? BodyBytes,
    double? CpuUsPerResponse,
    double? DbUsPerResponse,
    long? PeakRssMib,
    string? Failure,
    double? CacheHitRate = null,
    string? Note = null)
{
    public bool Ok => Failure is null;

    public string Status => Failure is null ? "ok" : $"FAILED: {Failure}";

    public static CaseResult Failed(string name, int? round, string reason, long? bodyBytes = null, long? peakRssMib = null) =>
        new(name, round, null, null, null, null, null, null, bodyBytes, null, null, peakRssMib, reason);
}

/// <summary>A case's row in the report: its figures, and its rounds when it was measured in turns.</summary>
internal sealed record CaseSummary(CaseResult Result, IReadOnlyList<CaseResult> Rounds)
{
    public string Name => Result.Case;

    public static CaseSummary Single(CaseResult result) => new(result, []);

    /// <summary>
    /// A case from its rounds: the medians of requests/s, p50, p99 and CPU times, the sums of the
    /// error counts, the largest RSS, the first known body size; it failed when a round did (the
    /// first failure is kept, with its round).
    /// </summary>
    public static CaseSummary FromRounds(string name, IReadOnlyList<CaseResult> rounds)
    {
        if (rounds.Count == 0)
        {
            return Single(CaseResult.Failed(name, null, "no round ran"));
        }

        var failed = rounds.FirstOrDefault(r => !r.Ok);
        var median = new CaseResult(
            name,
            null,
            Stats.Median(rounds.Select(r => r.RequestsPerSecond)),
            Stats.Median(rounds.Select(r => r.P50Ms)),
            Stats.Median(rounds.Select(r => r.P99Ms)),
            rounds.Sum(r => r.Non2xx ?? 0),
            rounds.Sum(r => r.Unexpected ?? 0),
            rounds.Sum(r => r.SocketErrors ?? 0),
            rounds.Select(r => r.BodyBytes).FirstOrDefault(b => b is not null),
            Stats.Median(rounds.Select(r => r.CpuUsPerResponse)),
            Stats.Median(rounds.Select(r => r.DbUsPerResponse)),
            rounds.Max(r => r.PeakRssMib),
            failed is null ? null : $"{failed.Failure} (round {failed.Round})",
            Stats.Median(rounds.Select(r => r.CacheHitRate)),
            rounds.Any(r => r.Note is not null)
                ? string.Join("; ", rounds.Where(r => r.Note is not null).Select(r => $"round {r.Round}: {r.Note}"))
                : null);
        return new CaseSummary(median, rounds);
    }
}

/// <summary>The startup case: each start's time to ready, and how it ended.</summary>
internal sealed record StartupResult(IReadOnlyList<long> ReadyMs, string? Failure)
{
    public bool Ok => Failure is null;

    public string Status => Failure is null ? "ok" : $"FAILED: {Failure}";

    /// <summary>The median start-up to ready in ms (null without any start).</summary>
    public long? MedianMs
    {
        get
        {
            if (ReadyMs.Count == 0)
            {
                return null;
            }

            var sorted = ReadyMs.Order().ToList();
            var middle = sorted.Count / 2;
            return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        }
    }
}

/// <summary>Peak memory of one app over the whole run.</summary>
internal sealed record MemoryPeak(long? SampledMib, long? HwmMib, int Processes)
{
    /// <summary>The larger of the sampled peak and the processes' VmHWM.</summary>
    public long? PeakMib => SampledMib is null ? HwmMib : HwmMib is null ? SampledMib : Math.Max(SampledMib.Value, HwmMib.Value);
}

internal static class Stats
{
    /// <summary>The median of the known values (the mean of the middle two for an even count); null when none is known.</summary>
    public static double? Median(IEnumerable<double?> values)
    {
        var known = values.Where(v => v is not null).Select(v => v!.Value).Order().ToList();
        if (known.Count == 0)
        {
            return null;
        }

        var middle = known.Count / 2;
        return known.Count % 2 == 1 ? known[middle] : (known[middle - 1] + known[middle]) / 2;
    }

    /// <summary>The nearest-rank PERCENT percentile of the values (null when there are none).</summary>
    public static double? Percentile(IReadOnlyList<double> values, double percent)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }

    /// <summary>A / B, or null when either is unknown or B is 0.</summary>
    public static double? Ratio(double? a, double? b) => a is null || b is null || b == 0 ? null : a / b;
}

/// <summary>Wall times of requests made one at a time (or of a command run that many times), in ms.</summary>
internal sealed record Timings(IReadOnlyList<double> Ms)
{
    public int Count => Ms.Count;

    public double? MedianMs => Stats.Median(Ms.Select(v => (double?)v));

    public double? P90Ms => Stats.Percentile(Ms, 90);

    public double? MinMs => Ms.Count == 0 ? null : Ms.Min();

    public double? MaxMs => Ms.Count == 0 ? null : Ms.Max();
}

/// <summary>
/// A media case measured one request at a time, without wrk: WHAT it requested, the wall time of
/// each request (request sent to last byte read), the size of what went in (the JPEG) and of what
/// came out (the median rendition; null for uploads). For media:cold-render also the yardstick:
/// the same work done by REFERENCETOOL on the same files, as many times, and a NOTE on it. Failure
/// is null when the case went well.
/// </summary>
internal sealed record TimedResult(
    string Case,
    string What,
    Timings Api,
    long? InputBytes,
    long? OutputBytes,
    string? ReferenceTool,
    Timings? Reference,
    long? ReferenceOutputBytes,
    string? ReferenceNote,
    string? Failure)
{
    public bool Ok => Failure is null;

    public string Status => Failure is null ? "ok" : $"FAILED: {Failure}";

    /// <summary>The API's median over the reference's (null without both).</summary>
    public double? RatioToReference => Stats.Ratio(Api.MedianMs, Reference?.MedianMs);

    /// <summary>MiB of input per second at the median time, for the cases with no output (uploads).</summary>
    public double? MibPerSecond =>
        OutputBytes is null && InputBytes is { } bytes && Api.MedianMs is { } ms && ms > 0 ? bytes / 1048576.0 / (ms / 1000) : null;

    public static TimedResult Failed(string name, string what, string reason, Timings? api = null) =>
        new(name, what, api ?? new Timings([]), null, null, null, null, null, null, reason);
}
