using System.Globalization;

namespace Api.Bench;

/// <summary>What a target measures.</summary>
internal enum Measure
{
    /// <summary>A case's requests/s, as a ratio to its base case's.</summary>
    RequestsPerSecond,

    /// <summary>A case's p99 latency, as a ratio to its base case's.</summary>
    P99Latency,

    /// <summary>The API's peak RSS over the whole run (every API process but the media group's), in MiB.</summary>
    ApiPeakRssMib,

    /// <summary>The peak RSS of the API during one case, in MiB.</summary>
    CasePeakRssMib,

    /// <summary>A one-at-a-time case's median time, as a ratio to its yardstick's (BASE names it) on the same inputs.</summary>
    ReferenceTimeRatio,

    /// <summary>The median start-up to ready of the startup case, in seconds.</summary>
    StartupMedianSeconds,
}

internal enum Comparison
{
    AtLeast,
    AtMost,
}

/// <summary>
/// A performance target: MEASURE of CASE (over BASE's when there is one) compared with LIMIT (a
/// factor for ratios). The decimal keeps the limit as written (0.90, 1.5) for the report.
/// </summary>
internal sealed record Target(Measure Measure, Comparison Comparison, decimal Limit, string? Case = null, string? Base = null)
{
    private string Operator => Comparison == Comparison.AtLeast ? ">=" : "<=";

    private string LimitText => Limit.ToString(CultureInfo.InvariantCulture);

    public string Description => Measure switch
    {
        Measure.RequestsPerSecond => $"{Case} {Operator} {LimitText} x {Base} requests/s",
        Measure.P99Latency => $"{Case} p99 {Operator} {LimitText} x {Base} p99",
        Measure.ApiPeakRssMib => $"peak RSS of the API over the read cases {Operator} {LimitText} MiB",
        Measure.CasePeakRssMib => $"peak RSS of the API during {Case} {Operator} {LimitText} MiB",
        Measure.ReferenceTimeRatio => $"{Case} median time {Operator} {LimitText} x {Base}'s",
        Measure.StartupMedianSeconds => $"median start-up to ready {Operator} {LimitText} s",
        _ => throw new InvalidOperationException($"no description for {Measure}"),
    };

    public bool IsMet(double value) => Comparison == Comparison.AtLeast ? value >= (double)Limit : value <= (double)Limit;
}

/// <summary>A target's outcome: PASS, FAIL or SKIP, the value compared with the limit, and the report's line.</summary>
internal sealed record TargetVerdict(Target Target, string Verdict, double? Value, string Line)
{
    public bool Failed => Verdict == "FAIL";
}

/// <summary>What the targets are checked against.</summary>
internal sealed record Outcome(Plan Plan, IReadOnlyList<CaseSummary> Cases, MemoryPeak Api, StartupResult? Startup, IReadOnlyList<TimedResult> Timed)
{
    public CaseResult? Find(string name) => Cases.FirstOrDefault(c => c.Name == name)?.Result;

    public TimedResult? FindTimed(string name) => Timed.FirstOrDefault(t => t.Case == name);
}

internal static class Targets
{
    public static readonly IReadOnlyList<Target> All =
    [
        new(Measure.RequestsPerSecond, Comparison.AtLeast, 0.90m, "article-by-slug", "ref:article-by-slug"),
        new(Measure.P99Latency, Comparison.AtMost, 1.5m, "article-by-slug", "ref:article-by-slug"),
        new(Measure.RequestsPerSecond, Comparison.AtLeast, 0.85m, "list-first-page", "ref:list-first-page"),
        new(Measure.RequestsPerSecond, Comparison.AtLeast, 0.80m, "category-with-descendants", "ref:category-with-descendants"),
        new(Measure.RequestsPerSecond, Comparison.AtLeast, 0.80m, "search", "ref:search"),
        new(Measure.RequestsPerSecond, Comparison.AtLeast, 2.5m, "cached:article-by-slug", "article-by-slug"),
        new(Measure.RequestsPerSecond, Comparison.AtLeast, 2.5m, "cached:list-first-page", "list-first-page"),
        new(Measure.RequestsPerSecond, Comparison.AtLeast, 3m, "conditional:article-by-slug", "article-by-slug"),
        new(Measure.RequestsPerSecond, Comparison.AtLeast, 3m, "conditional:list-first-page", "list-first-page"),
        new(Measure.RequestsPerSecond, Comparison.AtLeast, 0.80m, "list-deep-page", "list-first-page"),
        new(Measure.RequestsPerSecond, Comparison.AtLeast, 0.80m, "writes-1ps:list-first-page", "writes-0ps:list-first-page"),
        new(Measure.P99Latency, Comparison.AtMost, 2m, "writes-1ps:list-first-page", "writes-0ps:list-first-page"),
        new(Measure.ApiPeakRssMib, Comparison.AtMost, 200m),
        new(Measure.StartupMedianSeconds, Comparison.AtMost, 3m),
        new(Measure.ReferenceTimeRatio, Comparison.AtMost, 1.3m, "media:cold-render", "vips thumbnail"),
        new(Measure.CasePeakRssMib, Comparison.AtMost, 400m, "media:cold-concurrent-8"),
        new(Measure.RequestsPerSecond, Comparison.AtLeast, 0.8m, "media:cached-rendition", "cached:article-by-slug"),
    ];

    /// <summary>The pairs of cases the ratio table compares (first case / second).</summary>
    public static readonly IReadOnlyList<(string Case, string Base)> RatioPairs =
    [
        ("article-by-slug", "ref:article-by-slug"),
        ("list-first-page", "ref:list-first-page"),
        ("category-with-descendants", "ref:category-with-descendants"),
        ("search", "ref:search"),
        ("cached:article-by-slug", "article-by-slug"),
        ("cached:list-first-page", "list-first-page"),
        ("conditional:article-by-slug", "article-by-slug"),
        ("conditional:list-first-page", "list-first-page"),
        ("list-deep-page", "list-first-page"),
        ("writes-0ps:list-first-page", "cached:list-first-page"),
        ("writes-1ps:list-first-page", "writes-0ps:list-first-page"),
        ("writes-10ps:list-first-page", "writes-0ps:list-first-page"),
        ("writes-1ps-shown:list-first-page", "writes-0ps:list-first-page"),
        ("writes-1ps:article-by-slug", "cached:article-by-slug"),
        ("media:cold-concurrent-8", "media:cold-concurrent-2"),
        ("media:cached-rendition", "cached:article-by-slug"),
        ("media:cached-thumbnail", "cached:article-by-slug"),
    ];

    public static IReadOnlyList<TargetVerdict> Check(Outcome outcome) => All.Select(t => Check(t, outcome)).ToList();

    private static TargetVerdict Check(Target target, Outcome outcome) => target.Measure switch
    {
        Measure.RequestsPerSecond => CheckRatio(target, outcome, r => r.RequestsPerSecond),
        Measure.P99Latency => CheckRatio(target, outcome, r => r.P99Ms),
        Measure.ApiPeakRssMib => CheckApiRss(target, outcome),
        Measure.CasePeakRssMib => CheckCaseRss(target, outcome),
        Measure.ReferenceTimeRatio => CheckReferenceTime(target, outcome),
        Measure.StartupMedianSeconds => CheckStartup(target, outcome),
        _ => throw new InvalidOperationException($"no check for {target.Measure}"),
    };

    private static TargetVerdict CheckRatio(Target target, Outcome outcome, Func<CaseResult, double?> figure)
    {
        var name = target.Case!;
        var baseName = target.Base!;
        var what = target.Description;
        if (!outcome.Plan.WasSelected(name) || !outcome.Plan.WasSelected(baseName))
        {
            return new(target, "SKIP", null, $"SKIP  {what} (not both run)");
        }

        var result = outcome.Find(name);
        var baseResult = outcome.Find(baseName);
        if (result is null || baseResult is null)
        {
            return new(target, "FAIL", null, $"FAIL  {what}: cannot compare, a case did not run");
        }

        var a = figure(result);
        var b = figure(baseResult);
        if (Stats.Ratio(a, b) is not { } ratio)
        {
            return new(target, "FAIL", null, $"FAIL  {what}: cannot compare, a case failed");
        }

        var verdict = target.IsMet(ratio) ? "PASS" : "FAIL";
        // A figure of a case that failed (errors, unexpected answers) proves nothing.
        var note = "";
        foreach (var failed in new[] { result, baseResult }.Where(r => !r.Ok))
        {
            verdict = "FAIL";
            note += $"; {failed.Case} {failed.Status}";
        }

        return new(target, verdict, ratio, $"{verdict}  {what}: ratio {Format.Fixed(ratio, 3)} ({Format.Fixed(a, 2)} / {Format.Fixed(b, 2)}){note}");
    }

    private static TargetVerdict CheckApiRss(Target target, Outcome outcome)
    {
        var what = target.Description;
        if (!outcome.Plan.AnyApiCase)
        {
            return new(target, "SKIP", null, $"SKIP  {what} (no API case run)");
        }

        if (outcome.Api.PeakMib is not { } peak)
        {
            return new(target, "FAIL", null, $"FAIL  {what}: no measurement");
        }

        var verdict = target.IsMet(peak) ? "PASS" : "FAIL";
        return new(target, verdict, peak, $"{verdict}  {what}: {peak} MiB");
    }

    private static TargetVerdict CheckCaseRss(Target target, Outcome outcome)
    {
        var what = target.Description;
        if (!outcome.Plan.WasSelected(target.Case!))
        {
            return new(target, "SKIP", null, $"SKIP  {what} (not run)");
        }

        if (outcome.Find(target.Case!) is not { PeakRssMib: { } peak } result)
        {
            return new(target, "FAIL", null, $"FAIL  {what}: no measurement");
        }

        var verdict = target.IsMet(peak) && result.Ok ? "PASS" : "FAIL";
        return new(target, verdict, peak, $"{verdict}  {what}: {peak} MiB{(result.Ok ? "" : $"; {result.Case} {result.Status}")}");
    }

    private static TargetVerdict CheckReferenceTime(Target target, Outcome outcome)
    {
        var what = target.Description;
        if (!outcome.Plan.WasSelected(target.Case!))
        {
            return new(target, "SKIP", null, $"SKIP  {what} (not run)");
        }

        if (outcome.FindTimed(target.Case!) is not { } result || !result.Ok || result.RatioToReference is not { } ratio)
        {
            var status = outcome.FindTimed(target.Case!)?.Status ?? "did not run";
            return new(target, "FAIL", null, $"FAIL  {what}: cannot compare, {target.Case} {status}");
        }

        var verdict = target.IsMet(ratio) ? "PASS" : "FAIL";
        return new(target, verdict, ratio, $"{verdict}  {what}: ratio {Format.Fixed(ratio, 3)} ({Format.Fixed(result.Api.MedianMs, 1)} ms / {Format.Fixed(result.Reference!.MedianMs, 1)} ms)");
    }

    private static TargetVerdict CheckStartup(Target target, Outcome outcome)
    {
        var what = target.Description;
        if (outcome.Plan.Startup is null || outcome.Startup is null)
        {
            return new(target, "SKIP", null, $"SKIP  {what} (startup not run)");
        }

        if (!outcome.Startup.Ok || outcome.Startup.MedianMs is not { } medianMs)
        {
            return new(target, "FAIL", null, $"FAIL  {what}: startup {outcome.Startup.Status}");
        }

        var seconds = medianMs / 1000.0;
        var verdict = target.IsMet(seconds) ? "PASS" : "FAIL";
        return new(target, verdict, seconds, $"{verdict}  {what}: {Format.Seconds(medianMs)} s");
    }
}

/// <summary>How the report writes figures.</summary>
internal static class Format
{
    /// <summary>A figure with DIGITS decimals, "-" when unknown.</summary>
    public static string Fixed(double? value, int digits) =>
        value is { } v ? v.ToString("F" + digits, CultureInfo.InvariantCulture) : "-";

    /// <summary>A count, "-" when unknown.</summary>
    public static string Count(long? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "-";

    /// <summary>Microseconds per response: whole when whole (a median of two rounds may not be), "-" when unknown.</summary>
    public static string Micros(double? value) =>
        value is not { } v ? "-" : v == Math.Floor(v) ? v.ToString("F0", CultureInfo.InvariantCulture) : v.ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>Milliseconds as seconds with three decimals.</summary>
    public static string Seconds(long ms) => $"{ms / 1000}.{ms % 1000:D3}";

    /// <summary>Seconds with one decimal, for progress messages.</summary>
    public static string Elapsed(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture);
}
