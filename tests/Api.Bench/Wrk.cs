using System.Text.Json;
using System.Text.Json.Serialization;

namespace Api.Bench;

/// <summary>A wrk run's script (in tests/Api.Bench/Wrk) and the arguments it gets after --.</summary>
internal sealed record WrkJob(string Script, IReadOnlyList<string> Arguments);

/// <summary>Latencies of a wrk run, in microseconds (null where wrk had none to give).</summary>
internal sealed record WrkLatency(
    [property: JsonPropertyName("min")] double? Min,
    [property: JsonPropertyName("mean")] double? Mean,
    [property: JsonPropertyName("stdev")] double? Stdev,
    [property: JsonPropertyName("max")] double? Max,
    [property: JsonPropertyName("p50")] double? P50,
    [property: JsonPropertyName("p75")] double? P75,
    [property: JsonPropertyName("p90")] double? P90,
    [property: JsonPropertyName("p99")] double? P99,
    [property: JsonPropertyName("p99.9")] double? P999);

/// <summary>wrk's errors: socket errors by kind, and its count of answers with a status of 400 or more.</summary>
internal sealed record WrkErrors(
    [property: JsonPropertyName("connect")] long Connect,
    [property: JsonPropertyName("read")] long Read,
    [property: JsonPropertyName("write")] long Write,
    [property: JsonPropertyName("timeout")] long Timeout,
    [property: JsonPropertyName("status")] long Status)
{
    public long Socket => Connect + Read + Write + Timeout;
}

/// <summary>
/// What the done() hook of Wrk/common.lua prints after wrk's own summary, as the line
/// "bench-result: {json}": wrk's totals, latencies and errors, and the script's counters of the
/// responses (non-2xx, other than expected, misses: 200 where 304 was expected).
/// </summary>
internal sealed record WrkReport(
    [property: JsonPropertyName("duration_us")] double DurationUs,
    [property: JsonPropertyName("requests")] long Requests,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("latency_us")] WrkLatency LatencyUs,
    [property: JsonPropertyName("errors")] WrkErrors Errors,
    [property: JsonPropertyName("responses")] long Responses,
    [property: JsonPropertyName("non2xx")] long Non2xx,
    [property: JsonPropertyName("unexpected")] long Unexpected,
    [property: JsonPropertyName("misses")] long Misses,
    [property: JsonPropertyName("expected")] string Expected,
    [property: JsonPropertyName("statuses")] Dictionary<string, long> Statuses,
    [property: JsonPropertyName("cached")] long Cached = 0)
{
    /// <summary>The share of the responses served from the API's response cache (those with an Age header).</summary>
    public double? HitRate => Responses > 0 ? (double)Cached / Responses : null;

    private const string Marker = "bench-result: ";

    public double? RequestsPerSecond => DurationUs > 0 ? Requests / (DurationUs / 1_000_000) : null;

    public double? P50Ms => LatencyUs.P50 / 1000;

    public double? P99Ms => LatencyUs.P99 / 1000;

    /// <summary>The unexpected responses by status, "code:count,..." ("-" without any).</summary>
    public string StatusCounts => Statuses.Count == 0 ? "-" : string.Join(',', Statuses.Select(s => $"{s.Key}:{s.Value}"));

    /// <summary>Why the run does not count (unexpected answers, socket errors, no answer), or null.</summary>
    public string? Failure =>
        Unexpected > 0
            ? Expected == "2xx"
                ? $"{Unexpected} non-2xx responses (status:count {StatusCounts})"
                : $"{Unexpected} of {Responses} responses not {Expected} (status:count {StatusCounts})"
                  + (Misses > 0 ? $", {Misses} misses (200 instead of {Expected})" : "")
            : Errors.Socket > 0
                ? $"{Errors.Socket} socket errors"
                : Responses == 0
                    ? "no responses"
                    : null;

    /// <summary>The report in wrk's output, or null when there is none or it does not parse.</summary>
    public static WrkReport? Parse(string output)
    {
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith(Marker, StringComparison.Ordinal));
        if (line is null)
        {
            return null;
        }

        try
        {
            var report = JsonSerializer.Deserialize(line[Marker.Length..], WrkJson.Default.WrkReport);
            return report is { LatencyUs: not null, Errors: not null, Statuses: not null, Expected: not null } ? report : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(WrkReport))]
internal sealed partial class WrkJson : JsonSerializerContext;

/// <summary>wrk itself: where it comes from, its version, one run of it.</summary>
internal static class Wrk
{
    /// <summary>
    /// Makes sure wrk is installed: with apt-get when running as root, else fails with the command
    /// that would install it.
    /// </summary>
    public static Task EnsureInstalledAsync(CancellationToken cancellationToken) =>
        DebianPackages.EnsureAsync("wrk", "wrk", "the load generator", cancellationToken);

    /// <summary>
    /// wrk's version line: `wrk --version` prints e.g. "wrk debian/4.1.0-3+b2 [epoll] Copyright ..."
    /// and the usage, exit status 1.
    /// </summary>
    public static async Task<string> VersionAsync(CancellationToken cancellationToken)
    {
        var run = await Child.CaptureAsync("wrk", ["--version"], cancellationToken);
        var line = (run.Output + "\n" + run.Error).Split('\n')
            .Select(l => l.Split(" Copyright")[0].TrimEnd())
            .FirstOrDefault(l => l.StartsWith("wrk ", StringComparison.Ordinal) && l.Split(' ')[1].Any(char.IsAsciiDigit));
        return line ?? throw new BenchFailure("'wrk --version' does not work; check the wrk installation");
    }

    /// <summary>
    /// wrk for SECONDS with JOB against URL, its output to OUTPUTFILE; returns wrk's exit status.
    /// When the run is stopped meanwhile, wrk is stopped before the cancellation goes on.
    /// </summary>
    public static async Task<int> RunAsync(
        Settings settings, RepoPaths repo, string outputFile, int seconds, string url, WrkJob job, CancellationToken cancellationToken)
    {
        string[] args =
        [
            $"-t{settings.Threads}", $"-c{settings.Connections}", $"-d{seconds}s", "--timeout", Settings.WrkTimeout, "--latency",
            "-s", Path.Combine(repo.WrkScripts, job.Script), url, "--", .. job.Arguments,
        ];
        using var wrk = Child.StartToFile("wrk", args, outputFile);
        return await Child.WaitAsync(wrk, cancellationToken);
    }
}
