using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Api.Bench;

/// <summary>The machine and the software the figures come from.</summary>
internal sealed record Machine(
    int Cpus,
    string? CpuModel,
    string? Memory,
    string? LoadAverage,
    string? Os,
    string? Kernel,
    string? DotnetSdk,
    string? NetCoreApp,
    string? AspNetCoreApp,
    string PostgreSql,
    string Wrk)
{
    /// <summary>Reads what /proc and /etc tell (the load average before the cases, other work on the machine skews the figures).</summary>
    public static async Task<Machine> DescribeAsync(
        string repoRoot, string? netCoreApp, string? aspNetCoreApp, string postgres, string wrk, CancellationToken cancellationToken)
    {
        var sdk = await Child.CaptureAsync("dotnet", ["--version"], cancellationToken, workingDirectory: repoRoot);
        return new Machine(
            Environment.ProcessorCount,
            ReadLines("/proc/cpuinfo")
                .Where(l => l.StartsWith("model name", StringComparison.Ordinal) || l.StartsWith("Hardware", StringComparison.Ordinal) || l.StartsWith("cpu model", StringComparison.Ordinal))
                .Select(l => l[(l.IndexOf(':') + 1)..].Trim())
                .FirstOrDefault(),
            ReadLines("/proc/meminfo")
                .Where(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
                .Select(l => (long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1048576.0).ToString("F1", CultureInfo.InvariantCulture) + " GiB")
                .FirstOrDefault(),
            ReadLines("/proc/loadavg").Select(l => string.Join(' ', l.Split(' ').Take(3))).FirstOrDefault(),
            ReadLines("/etc/os-release")
                .Where(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))
                .Select(l => l["PRETTY_NAME=".Length..].Replace("\"", ""))
                .FirstOrDefault(),
            ReadLines("/proc/sys/kernel/osrelease").FirstOrDefault(),
            sdk.ExitCode == 0 ? sdk.Output.Trim() : null,
            netCoreApp,
            aspNetCoreApp,
            postgres,
            wrk);
    }

    private static IEnumerable<string> ReadLines(string file)
    {
        try
        {
            return File.ReadAllLines(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}

/// <summary>Everything the report says, as the run ends.</summary>
internal sealed record RunReport(
    DateTimeOffset StartedAt,
    Settings Settings,
    Plan Plan,
    Machine Machine,
    ContentState Content,
    string RunDir,
    IReadOnlyList<CaseSummary> Cases,
    StartupResult? Startup,
    MemoryPeak Api,
    MemoryPeak Reference,
    IReadOnlyList<TargetVerdict> Targets,
    bool CasesFailed,
    MediaSetup? Media,
    IReadOnlyList<TimedResult> Timed,
    MemoryPeak MediaMemory)
{
    public bool TargetsFailed => Targets.Any(t => t.Failed);

    public bool Passed => !CasesFailed && !TargetsFailed;
}

/// <summary>The report: text (header before the cases, the rest after) and JSON.</summary>
internal static class ReportWriter
{
    private const string RowFormat = "{0,-28} {1,10} {2,8} {3,8} {4,8} {5,6} {6,5} {7,7} {8,7} {9,6} {10,7}  {11}";
    private const string RatioFormat = "{0,-50} {1,10} {2,7} {3,7} {4,7} {5,7} {6,7}";

    /// <summary>The header: the machine, the versions, the settings, the cases.</summary>
    public static string Header(Settings settings, Plan plan, Machine machine, ContentState content, MediaSetup? media, DateTimeOffset startedAt, string runDir)
    {
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine($"News API benchmark - {startedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC");
        text.AppendLine($"  machine:     {machine.Cpus} CPUs, {machine.CpuModel ?? "unknown CPU"}, {machine.Memory ?? "unknown"} memory");
        text.AppendLine($"  load avg:    {machine.LoadAverage ?? "unknown"} (1, 5, 15 min) before the cases");
        text.AppendLine($"  OS:          {machine.Os ?? "unknown"}, kernel {machine.Kernel ?? "unknown"}");
        text.AppendLine($"  .NET:        SDK {machine.DotnetSdk ?? "unknown"}; runtime Microsoft.NETCore.App {machine.NetCoreApp ?? "unknown"}, Microsoft.AspNetCore.App {machine.AspNetCoreApp ?? "unknown"}");
        text.AppendLine($"  PostgreSQL:  {machine.PostgreSql}");
        text.AppendLine($"  wrk:         {machine.Wrk}");
        text.AppendLine($"  articles:    {settings.Articles} requested visible bench articles (+ {settings.Hidden} hidden); database: {content.VisibleInDatabase} visible, {content.TotalInDatabase} total; generation: {content.Generation}");
        text.AppendLine($"  buffers:     {content.Buffers}");
        text.AppendLine($"  load:        {settings.DurationSeconds}s per case after {settings.WarmupSeconds}s warm-up, {settings.Connections} connections, {settings.Threads} threads; hot set of {settings.HotArticles} articles");
        text.AppendLine($"  API:         {settings.ApiUrl} (Release, Production; response cache off, then on for cached: and conditional:), database: {Database(settings)}");
        if (plan.AnyInTurns)
        {
            text.AppendLine($"  reference:   {settings.ReferenceUrl} (tests/Api.Bench/Reference, Release)");
            text.AppendLine($"  in turns:    {string.Join("; ", plan.ReferenceTurns.Where(t => t.Count > 1).Select(t => string.Join(", ", t.Select(c => c.Name))))}");
            text.AppendLine($"               {settings.Rounds} rounds; in each, every case warms up, then runs {settings.Slices} slices of {Math.Max(1, settings.DurationSeconds / settings.Slices)}s in turns");
            text.AppendLine("               (ABBA...), the other app idle meanwhile; each case's row is the median of its rounds, shown below it");
        }
        else if (plan.AnyReference)
        {
            text.AppendLine($"  reference:   {settings.ReferenceUrl} (tests/Api.Bench/Reference, Release)");
        }

        if (media is not null)
        {
            text.AppendLine($"  media:       {media.Images} photos of {Settings.PhotoWidth} x {Settings.PhotoHeight} (JPEG quality {Photos.PhotoQuality}, made here with libvips), rendered to");
            text.AppendLine($"               {Settings.RenditionWidth}-wide WebP; {media.Uploads} uploads of {Photos.LargeWidth} x {Photos.LargeHeight} (quality {Photos.LargeQuality}); renders at once: {media.RendersAtOnce}");
            text.AppendLine($"  libvips:     API: {media.ApiLibvips}");
            if (media.Reference is { } vips)
            {
                text.AppendLine($"               reference: {vips.Description}, saving WebP with {vips.SaveOptions}");
            }
        }

        text.AppendLine($"  cases:       {string.Join(' ', plan.Selected.Select(c => c.Name))}");
        text.AppendLine($"  raw output:  {runDir}");
        text.AppendLine();
        return text.ToString();
    }

    /// <summary>The target lines, as in targets.txt.</summary>
    public static string TargetLines(IReadOnlyList<TargetVerdict> targets) => string.Concat(targets.Select(t => t.Line + "\n"));

    /// <summary>The results: the table, its notes, the start-up times, the memory, the ratios, the targets, the verdict.</summary>
    public static string Body(RunReport report)
    {
        var text = new StringBuilder();
        text.AppendLine();
        Row(text, RowFormat, "case", "requests/s", "p50 ms", "p99 ms", "non-2xx", "unexp", "sock", "body B", "CPU us", "DB us", "RSS MiB", "status");
        // Each case, followed by its rounds when it ran in turns with another.
        foreach (var summary in report.Cases)
        {
            CaseRow(text, summary.Name, summary.Result);
            foreach (var round in summary.Rounds)
            {
                CaseRow(text, $"  round {round.Round}", round);
            }
        }

        var settings = report.Settings;
        text.AppendLine();
        text.AppendLine("non-2xx: responses with a status outside 200-299; unexp: those other than expected (2xx, or");
        text.AppendLine("304 for conditional:); sock: socket errors (wrk's connect, read, write and timeout errors);");
        text.AppendLine($"body B: size of the body of the case's check request (bench-article-{(settings.Articles + 1) / 2} for");
        text.AppendLine("the article cases); CPU us and DB us: CPU time (user + system) per response, in microseconds,");
        text.AppendLine("of the serving app and of PostgreSQL's processes (private cluster only), which other load on");
        text.AppendLine("the machine hardly moves; RSS MiB: the serving app's peak resident memory during the case.");
        if (report.Plan.AnyInTurns)
        {
            text.AppendLine("A case measured in turns shows the medians of its rounds (the sums of their error counts, the");
            text.AppendLine("largest RSS), followed by each round's figures.");
        }

        var hits = report.Cases.Where(c => c.Result.CacheHitRate is not null && report.Plan.Writes.Any(w => w.Name == c.Name)).ToList();
        if (hits.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Responses served from the response cache (those with an Age header), while an editor key writes:");
            foreach (var c in hits)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {c.Name}: {c.Result.CacheHitRate:P1}");
            }
        }

        var notes = report.Cases.Where(c => c.Result.Note is not null).ToList();
        if (notes.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Notes:");
            foreach (var c in notes)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {c.Name}: {c.Result.Note}");
            }
        }

        if (report.Startup is { } startup)
        {
            text.AppendLine();
            if (startup.ReadyMs.Count > 0)
            {
                var poll = Settings.StartupPoll.TotalSeconds.ToString(CultureInfo.InvariantCulture);
                text.AppendLine($"Start-up to ready (process start to the first 200 of GET /health/ready, polled every {poll} s):");
                text.AppendLine($"  {string.Join(", ", startup.ReadyMs.Select(ms => Format.Seconds(ms) + " s"))}; median {Format.Seconds(startup.MedianMs!.Value)} s{(startup.Ok ? "" : "; " + startup.Status)}");
            }
            else
            {
                text.AppendLine($"Start-up to ready: {startup.Status}");
            }
        }

        if (report.Timed.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Media, one request at a time (wall time from the request to the last byte of the answer):");
            foreach (var timed in report.Timed)
            {
                TimedRows(text, timed);
            }
        }

        if (report.Plan.Media.Any(c => c.Workload is ConcurrentColdRenders or CachedRenditions))
        {
            text.AppendLine();
            text.AppendLine("media:cold-concurrent-N: each of a set of distinct renditions not yet made (NEWSAPI_BENCH_MEDIA_IMAGES");
            text.AppendLine("photos x 2 specs for N = 2, x 4 for N = 8, each a 1200 x 900 WebP of quality 80), N requests at a time");
            text.AppendLine("until each was made once; requests/s over the whole, p50 and p99 latency, CPU us per render; RSS MiB:");
            text.AppendLine("the API's peak during the case (VmHWM reset just before, and the samples). media:cached-rendition and");
            text.AppendLine("media:cached-thumbnail: wrk over the w1200.webp or the w160.webp of up to 4 photos, rendered beforehand,");
            text.AppendLine("as the article cases (body B: one of them).");
        }

        text.AppendLine();
        text.AppendLine("Memory (peak RSS; the larger of VmHWM and the samples taken every 0.2 s):");
        var api = report.Api;
        text.AppendLine($"  News API:      {Format.Count(api.PeakMib)} MiB over the read cases, {api.Processes} processes (VmHWM {Format.Count(api.HwmMib)} MiB, sampled {Format.Count(api.SampledMib)} MiB)");
        if (report.Plan.Media.Count > 0)
        {
            var media = report.MediaMemory;
            text.AppendLine($"  News API, media cases: {Format.Count(media.PeakMib)} MiB over the media cases, uploads included (VmHWM {Format.Count(media.HwmMib)} MiB, sampled {Format.Count(media.SampledMib)} MiB)");
        }
        if (report.Plan.AnyReference)
        {
            var reference = report.Reference;
            text.AppendLine($"  reference app: {Format.Count(reference.PeakMib)} MiB (VmHWM {Format.Count(reference.HwmMib)} MiB, sampled {Format.Count(reference.SampledMib)} MiB)");
        }

        text.AppendLine();
        Row(text, RatioFormat, "ratio (first case / second)", "requests/s", "p50", "p99", "body", "CPU", "DB");
        var ratios = Ratios(report.Cases);
        foreach (var ratio in ratios)
        {
            Row(
                text,
                RatioFormat,
                $"{ratio.Case} / {ratio.Base}",
                Format.Fixed(ratio.RequestsPerSecond, 3),
                Format.Fixed(ratio.P50, 3),
                Format.Fixed(ratio.P99, 3),
                Format.Fixed(ratio.Body, 3),
                Format.Fixed(ratio.Cpu, 3),
                Format.Fixed(ratio.Db, 3));
        }

        if (ratios.Count == 0)
        {
            text.AppendLine("(none: each ratio needs both of its cases)");
        }

        text.AppendLine();
        text.Append(TargetLines(report.Targets));
        text.AppendLine();
        text.AppendLine(report.Passed ? "RESULT: PASS" : "RESULT: FAIL");
        return text.ToString();
    }

    /// <summary>The report as JSON: the environment, each case's medians and rounds, the start-up, the memory, the ratios, the targets.</summary>
    public static string Json(RunReport report)
    {
        var settings = report.Settings;
        var json = new JsonReport(
            report.StartedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            report.Passed ? "PASS" : "FAIL",
            report.CasesFailed,
            report.TargetsFailed,
            report.RunDir,
            new JsonEnvironment(
                report.Machine,
                new JsonSettings(
                    settings.ApiUrl,
                    report.Plan.AnyReference ? settings.ReferenceUrl : null,
                    Database(settings),
                    settings.Articles,
                    settings.Hidden,
                    settings.DurationSeconds,
                    settings.WarmupSeconds,
                    settings.Rounds,
                    settings.Slices,
                    settings.Connections,
                    settings.Threads,
                    settings.HotArticles),
                report.Content),
            report.Plan.Selected.Select(c => c.Name).ToList(),
            report.Cases.Select(c => new JsonCase(c.Name, c.Result, c.Rounds)).ToList(),
            report.Startup is { } startup
                ? new JsonStartup(startup.Status, startup.ReadyMs.Select(ms => ms / 1000.0).ToList(), startup.MedianMs / 1000.0)
                : null,
            new JsonMemory(report.Api, report.Plan.AnyReference ? report.Reference : null, report.Plan.Media.Count > 0 ? report.MediaMemory : null),
            report.Media is { } media
                ? new JsonMedia(
                    media.ApiLibvips,
                    media.Reference?.Description,
                    media.Reference?.SaveOptions,
                    media.RendersAtOnce,
                    media.Images,
                    media.Uploads,
                    report.Timed.Select(t => new JsonTimed(
                        t.Case, t.What, t.Status, t.Api, t.InputBytes, t.OutputBytes, t.ReferenceTool, t.Reference, t.ReferenceOutputBytes, t.ReferenceNote, t.RatioToReference, t.MibPerSecond)).ToList())
                : null,
            Ratios(report.Cases),
            report.Targets.Select(t => new JsonTarget(t.Target.Description, t.Target.Measure, t.Target.Comparison, t.Target.Limit, t.Target.Case, t.Target.Base, t.Verdict, t.Value, t.Line)).ToList());
        return JsonSerializer.Serialize(json, ReportJson.Default.JsonReport) + "\n";
    }

    private static string Database(Settings settings) =>
        settings.PrivateCluster ? $"private cluster on port {settings.PgPort}" : "ConnectionStrings__Content";

    /// <summary>For each pair of cases that both ran, the first's figures over the second's.</summary>
    private static List<JsonRatio> Ratios(IReadOnlyList<CaseSummary> cases)
    {
        var ratios = new List<JsonRatio>();
        foreach (var (name, baseName) in Targets.RatioPairs)
        {
            var a = cases.FirstOrDefault(c => c.Name == name)?.Result;
            var b = cases.FirstOrDefault(c => c.Name == baseName)?.Result;
            if (a is null || b is null)
            {
                continue;
            }

            ratios.Add(new JsonRatio(
                name,
                baseName,
                Stats.Ratio(a.RequestsPerSecond, b.RequestsPerSecond),
                Stats.Ratio(a.P50Ms, b.P50Ms),
                Stats.Ratio(a.P99Ms, b.P99Ms),
                Stats.Ratio(a.BodyBytes, b.BodyBytes),
                Stats.Ratio(a.CpuUsPerResponse, b.CpuUsPerResponse),
                Stats.Ratio(a.DbUsPerResponse, b.DbUsPerResponse)));
        }

        return ratios;
    }

    private static void TimedRows(StringBuilder text, TimedResult t)
    {
        text.AppendLine($"  {t.Case}: {t.What}{(t.InputBytes is { } input ? $" ({Format.Fixed(input / 1048576.0, 2)} MiB)" : "")}");
        if (t.Api.Count > 0)
        {
            var output = t.OutputBytes is { } bytes ? $"; {Format.Fixed(bytes / 1024.0, 1)} KiB out" : "";
            var rate = t.MibPerSecond is { } mibs ? $"; {Format.Fixed(mibs, 1)} MiB/s at the median" : "";
            text.AppendLine($"    News API: {Times(t.Api)}{output}{rate}");
        }

        if (t.Reference is { Count: > 0 } reference)
        {
            text.AppendLine($"    {t.ReferenceTool}: {Times(reference)}{(t.ReferenceOutputBytes is { } bytes ? $"; {Format.Fixed(bytes / 1024.0, 1)} KiB out" : "")}");
            if (t.ReferenceNote is { } note)
            {
                text.AppendLine($"      {note}");
            }

            text.AppendLine($"    median News API / median vips: {Format.Fixed(t.RatioToReference, 3)}");
        }

        if (!t.Ok)
        {
            text.AppendLine($"    {t.Status}");
        }
    }

    private static string Times(Timings t) =>
        $"{t.Count} x, median {Format.Fixed(t.MedianMs, 1)} ms, p90 {Format.Fixed(t.P90Ms, 1)} ms (min {Format.Fixed(t.MinMs, 1)}, max {Format.Fixed(t.MaxMs, 1)})";

    private static void CaseRow(StringBuilder text, string label, CaseResult r) => Row(
        text,
        RowFormat,
        label,
        Format.Fixed(r.RequestsPerSecond, 2),
        Format.Fixed(r.P50Ms, 2),
        Format.Fixed(r.P99Ms, 2),
        Format.Count(r.Non2xx),
        Format.Count(r.Unexpected),
        Format.Count(r.SocketErrors),
        Format.Count(r.BodyBytes),
        Format.Micros(r.CpuUsPerResponse),
        Format.Micros(r.DbUsPerResponse),
        Format.Count(r.PeakRssMib),
        r.Status);

    private static void Row(StringBuilder text, string format, params object?[] values) =>
        text.AppendLine(string.Format(CultureInfo.InvariantCulture, format, values));
}

internal sealed record JsonReport(
    string StartedAt,
    string Result,
    bool CasesFailed,
    bool TargetsFailed,
    string RawOutput,
    JsonEnvironment Environment,
    IReadOnlyList<string> Selected,
    IReadOnlyList<JsonCase> Cases,
    JsonStartup? Startup,
    JsonMemory Memory,
    JsonMedia? Media,
    IReadOnlyList<JsonRatio> Ratios,
    IReadOnlyList<JsonTarget> Targets);

internal sealed record JsonEnvironment(Machine Machine, JsonSettings Settings, ContentState Content);

internal sealed record JsonSettings(
    string ApiUrl,
    string? ReferenceUrl,
    string Database,
    int Articles,
    int HiddenArticles,
    int DurationSeconds,
    int WarmupSeconds,
    int Rounds,
    int Slices,
    int Connections,
    int Threads,
    int HotArticles);

/// <summary>A case: its figures (the medians of its rounds when it ran in turns) and its rounds.</summary>
internal sealed record JsonCase(string Name, CaseResult Median, IReadOnlyList<CaseResult> Rounds);

internal sealed record JsonStartup(string Status, IReadOnlyList<double> ReadySeconds, double? MedianSeconds);

/// <summary>The memory of the API over the read cases, of the reference app, and of the API over the media cases.</summary>
internal sealed record JsonMemory(MemoryPeak Api, MemoryPeak? Reference, MemoryPeak? MediaApi);

/// <summary>What the media cases ran against, and the cases measured one request at a time.</summary>
internal sealed record JsonMedia(
    string ApiLibvips,
    string? ReferenceTool,
    string? ReferenceSaveOptions,
    string RendersAtOnce,
    int Photos,
    int Uploads,
    IReadOnlyList<JsonTimed> OneAtATime);

/// <summary>A media case measured one request at a time: times in ms (each, and their median, p90, min, max), sizes in bytes.</summary>
internal sealed record JsonTimed(
    string Name,
    string What,
    string Status,
    Timings Api,
    long? InputBytes,
    long? OutputBytes,
    string? ReferenceTool,
    Timings? Reference,
    long? ReferenceOutputBytes,
    string? ReferenceNote,
    double? RatioToReference,
    double? MibPerSecond);

internal sealed record JsonRatio(string Case, string Base, double? RequestsPerSecond, double? P50, double? P99, double? Body, double? Cpu, double? Db);

internal sealed record JsonTarget(
    string Description,
    Measure Measure,
    Comparison Comparison,
    decimal Limit,
    string? Case,
    string? Base,
    string Verdict,
    double? Value,
    string Line);

[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    WriteIndented = true,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(JsonReport))]
internal sealed partial class ReportJson : JsonSerializerContext;
