using System.Diagnostics;
using System.Globalization;

namespace Api.Bench;

/// <summary>Readings of /proc: memory and CPU time of processes, the frameworks they loaded.</summary>
internal static class ProcFs
{
    public static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>A field of /proc/PID/status in kB (VmRSS, VmHWM), null when unreadable.</summary>
    public static long? StatusKb(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                {
                    var value = line[(field.Length + 1)..].Trim().Split(' ')[0];
                    return long.TryParse(value, CultureInfo.InvariantCulture, out var kb) ? kb : null;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone.
        }

        return null;
    }

    public static long? KbToMib(long? kb) => kb is { } v ? (long)Math.Round(v / 1024.0) : null;

    /// <summary>User + system CPU time of PID so far, in clock ticks; null when unreadable.</summary>
    public static long? CpuTicks(int pid) => ReadStat(pid) is { } stat ? stat.UserTicks + stat.SystemTicks : null;

    /// <summary>
    /// User + system CPU time so far of the private cluster's server processes (the postmaster and
    /// its children: one backend per pooled connection, autovacuum workers...), in clock ticks;
    /// null when unknown. Children that have exited count too, through the postmaster's cutime and
    /// cstime: a backend whose connection a pool closed during a case must not take its time along.
    /// </summary>
    public static long? PostgresTicks(string? clusterDir)
    {
        if (PostmasterPid(clusterDir) is not { } master)
        {
            return null;
        }

        long total = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out var pid) || ReadStat(pid) is not { } stat)
            {
                continue;
            }

            if (pid == master)
            {
                total += stat.UserTicks + stat.SystemTicks + stat.ChildrenUserTicks + stat.ChildrenSystemTicks;
            }
            else if (stat.ParentPid == master)
            {
                total += stat.UserTicks + stat.SystemTicks;
            }
        }

        return total;
    }

    /// <summary>The pid of the private cluster's postmaster (its postmaster.pid), null when unknown.</summary>
    public static int? PostmasterPid(string? clusterDir)
    {
        if (clusterDir is null)
        {
            return null;
        }

        try
        {
            var first = File.ReadLines(Path.Combine(clusterDir, "postmaster.pid")).FirstOrDefault();
            return int.TryParse(first, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The version of a shared framework (Microsoft.NETCore.App, ...) that process PID has loaded,
    /// from its memory maps (roll-forward picks the newest patch); null when it cannot be read.
    /// </summary>
    public static string? LoadedFramework(int pid, string framework)
    {
        var marker = $"/{framework}/";
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/maps"))
            {
                var at = line.IndexOf(marker, StringComparison.Ordinal);
                if (at >= 0)
                {
                    var rest = line[(at + marker.Length)..];
                    var slash = rest.IndexOf('/');
                    return slash >= 0 ? rest[..slash] : rest;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone.
        }

        return null;
    }

    /// <summary>PID's times from /proc/PID/stat, null when unreadable.</summary>
    public static Stat? Times(int pid) => ReadStat(pid);

    internal sealed record Stat(int ParentPid, long UserTicks, long SystemTicks, long ChildrenUserTicks, long ChildrenSystemTicks);

    private static Stat? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // Fields after "pid (comm) ": state is the first, ppid the 2nd, utime the 12th, stime the
        // 13th, cutime and cstime the 14th and 15th.
        var end = text.LastIndexOf(") ", StringComparison.Ordinal);
        if (end < 0)
        {
            return null;
        }

        var fields = text[(end + 2)..].Split(' ');
        if (fields.Length < 15)
        {
            return null;
        }

        long Field(int i) => long.TryParse(fields[i], CultureInfo.InvariantCulture, out var v) ? v : 0;
        return new Stat((int)Field(1), Field(11), Field(12), Field(13), Field(14));
    }
}

/// <summary>
/// The VmRSS samples of one app over the whole run (every process of it, one after the other),
/// kept in memory and in a file ("MS-SINCE-EPOCH KB" lines), and the largest VmHWM (peak RSS as the
/// kernel counts it) of its processes.
/// </summary>
internal sealed class RssLog(string file)
{
    private readonly Lock gate = new();
    private readonly List<(long Ms, long Kb)> samples = [];
    private long? hwmMib;
    private int processes;

    public string File => file;

    /// <summary>Samples PROCESS's VmRSS every 0.2 s while it lives, until STOP.</summary>
    public async Task SampleAsync(Process process, CancellationToken stop)
    {
        lock (gate)
        {
            processes++;
        }

        var pid = process.Id;
        while (!stop.IsCancellationRequested && Path.Exists($"/proc/{pid}/status"))
        {
            if (ProcFs.StatusKb(pid, "VmRSS") is { } kb)
            {
                var ms = ProcFs.NowMs();
                lock (gate)
                {
                    samples.Add((ms, kb));
                    System.IO.File.AppendAllText(file, $"{ms} {kb}\n");
                }
            }

            try
            {
                await Task.Delay(200, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Keeps PID's VmHWM if it is the largest so far (read before the process is stopped).</summary>
    public void NoteHighWaterMark(int pid)
    {
        var mib = ProcFs.KbToMib(ProcFs.StatusKb(pid, "VmHWM"));
        lock (gate)
        {
            if (mib > (hwmMib ?? -1))
            {
                hwmMib = mib;
            }
        }
    }

    /// <summary>The peak of the samples between two <see cref="ProcFs.NowMs"/> values (all when omitted), in MiB.</summary>
    public long? PeakMib(long from = 0, long to = long.MaxValue)
    {
        lock (gate)
        {
            return PeakOfSamples(from, to);
        }
    }

    /// <summary>The sampled peak, the largest VmHWM and the number of processes over the whole run.</summary>
    public MemoryPeak Peak()
    {
        lock (gate)
        {
            return new MemoryPeak(PeakOfSamples(0, long.MaxValue), hwmMib, processes);
        }
    }

    private long? PeakOfSamples(long from, long to)
    {
        var inWindow = samples.Where(s => s.Ms >= from && s.Ms <= to).ToList();
        return inWindow.Count == 0 ? null : ProcFs.KbToMib(inWindow.Max(s => s.Kb));
    }
}

/// <summary>One running process of the API or of the reference app, with its RSS sampler.</summary>
internal sealed class App
{
    private readonly CancellationTokenSource samplerStop = new();
    private readonly Task sampler;

    private App(string label, Process process, string logFile, RssLog rss)
    {
        Label = label;
        Process = process;
        LogFile = logFile;
        Rss = rss;
        sampler = Task.Run(() => rss.SampleAsync(process, samplerStop.Token));
    }

    /// <summary>"News API" or "the reference app".</summary>
    public string Label { get; }

    public Process Process { get; }

    public string LogFile { get; }

    public RssLog Rss { get; }

    public int Pid => Process.Id;

    public bool IsRunning => Child.IsRunning(Process);

    /// <summary>Starts `dotnet DLL` in its folder with ENVIRONMENT, logging to LOGFILE, and its RSS sampler; does not wait.</summary>
    public static App Launch(string label, string dll, IEnumerable<KeyValuePair<string, string>> environment, string logFile, RssLog rss)
    {
        var process = Child.StartToFile("dotnet", [dll], logFile, Path.GetDirectoryName(dll), environment);
        return new App(label, process, logFile, rss);
    }

    /// <summary>
    /// Waits until GET URL answers 200, polling every 0.1 s; when the process exits or does not
    /// become ready in time, prints the end of its log and fails the run.
    /// </summary>
    public async Task WaitReadyAsync(Http http, string url, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (!IsRunning)
            {
                Log.Line($"error: {Label} exited during start-up (exit status {Process.ExitCode}); last lines of {LogFile}:");
                Log.Line(Child.Tail(LogFile));
                throw new BenchFailure();
            }

            var answer = await http.GetAsync(url, TimeSpan.FromSeconds(3), cancellationToken);
            if (answer.Code == 200)
            {
                return;
            }

            if (clock.Elapsed >= Settings.StartTimeout)
            {
                Log.Line($"error: {Label} did not become ready within {Settings.StartTimeout.TotalSeconds:F0} s (GET {url}); last lines of {LogFile}:");
                Log.Line(Child.Tail(LogFile));
                throw new BenchFailure();
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>Keeps the process' VmHWM, stops it (SIGTERM, SIGKILL after 10 s), then its sampler.</summary>
    public async Task StopAsync()
    {
        if (IsRunning)
        {
            Rss.NoteHighWaterMark(Pid);
            Log.Line($"Stopping {Label}...");
            if (!await Child.StopAsync(Process, Native.SigTerm, TimeSpan.FromSeconds(10)))
            {
                Log.Line($"{Label} did not stop within 10 s; killing it");
            }
        }

        await samplerStop.CancelAsync();
        await sampler;
        samplerStop.Dispose();
        Process.Dispose();
    }
}

/// <summary>
/// The apps of the run: the API (one process at a time, with its response cache on or off, or set up
/// for the media cases) and the reference app, their RSS logs and logs. Disposing it stops whatever still runs.
/// </summary>
internal sealed class Servers(Settings settings, RepoPaths repo, string runDir, string connectionString, Http http) : IAsyncDisposable
{
    private App? api;
    private ApiMode apiMode;
    private App? reference;

    private enum ApiMode
    {
        Uncached,
        Cached,
        Writes,
        Media,
    }

    public RssLog ApiRss { get; } = new(Path.Combine(runDir, "rss.log"));

    public RssLog ReferenceRss { get; } = new(Path.Combine(runDir, "reference-rss.log"));

    /// <summary>The API's memory during the media cases (apart from <see cref="ApiRss"/>).</summary>
    public RssLog MediaRss { get; } = new(Path.Combine(runDir, "media-rss.log"));

    /// <summary>The API's memory during the write cases, logged apart from the read cases'.</summary>
    public RssLog WritesRss { get; } = new(Path.Combine(runDir, "writes-rss.log"));

    /// <summary>
    /// Restarts the API for the cases that read while an editor key writes: response cache on, the
    /// per-key and per-address write limits lifted (the cases write ten times a second), its memory
    /// logged apart (<see cref="WritesRss"/>).
    /// </summary>
    public Task<App> StartWritesApiAsync(CancellationToken cancellationToken) =>
        StartApiAsync(ApiMode.Writes, WritesRss,
            [new("RateLimits__WritesPerMinutePerKey", "1000000"), new("RateLimits__WritesPerMinutePerIp", "1000000")], cancellationToken);

    public App? Api => api;

    public App? Reference => reference;

    /// <summary>API processes started so far.</summary>
    public int ApiStarts { get; private set; }

    /// <summary>The log file the next API process would get by <see cref="EnsureApiAsync"/>.</summary>
    private string NextApiLog => Path.Combine(runDir, $"api-{ApiStarts + 1}.log");

    /// <summary>Starts the API with its response cache on or off, logging to LOGFILE; does not wait.</summary>
    public App LaunchApi(bool cache, string logFile) => Launch(cache ? ApiMode.Cached : ApiMode.Uncached, logFile, ApiRss, []);

    /// <summary>Makes sure the API runs with its response cache on or off, (re)starting it when needed, and is ready.</summary>
    public async Task<App> EnsureApiAsync(bool cache, CancellationToken cancellationToken)
    {
        var mode = cache ? ApiMode.Cached : ApiMode.Uncached;
        if (api is not null && apiMode == mode)
        {
            return api;
        }

        return await StartApiAsync(mode, ApiRss, [], cancellationToken);
    }

    /// <summary>
    /// Restarts the API for the media cases: response cache on, renditions cached in RENDITIONFOLDER
    /// (a fresh one, so that the first request of each rendition renders it), and its memory logged
    /// apart (<see cref="MediaRss"/>), so that the images' memory does not count against the read
    /// cases' target. The other Media__* settings are the API's defaults unless the environment of
    /// the run sets them.
    /// </summary>
    public Task<App> StartMediaApiAsync(string renditionFolder, CancellationToken cancellationToken) =>
        StartApiAsync(ApiMode.Media, MediaRss, [new("Media__RenditionCacheFolder", renditionFolder)], cancellationToken);

    private async Task<App> StartApiAsync(ApiMode mode, RssLog rss, IReadOnlyList<KeyValuePair<string, string>> extra, CancellationToken cancellationToken)
    {
        await StopApiAsync();
        var log = NextApiLog;
        var what = mode switch
        {
            ApiMode.Media => "for the media cases (response cache on, a fresh rendition cache)",
            ApiMode.Cached => "response cache on",
            ApiMode.Writes => "for the write cases (response cache on, write limits lifted)",
            _ => "response cache off",
        };
        Log.Line($"Starting the News API on {settings.ApiUrl}, {what} (log: {log}) ...");
        var started = Launch(mode, log, rss, extra);
        await started.WaitReadyAsync(http, settings.ApiUrl + "/health/ready", cancellationToken);
        Log.Line($"News API ready (pid {started.Pid})");
        return started;
    }

    private App Launch(ApiMode mode, string logFile, RssLog rss, IReadOnlyList<KeyValuePair<string, string>> extra)
    {
        var environment = ApiEnvironment(mode != ApiMode.Uncached);
        foreach (var (key, value) in extra)
        {
            environment[key] = value;
        }

        api = App.Launch("News API", Path.Combine(repo.ApiBin, "Api.dll"), environment, logFile, rss);
        apiMode = mode;
        ApiStarts++;
        return api;
    }

    private Dictionary<string, string> ApiEnvironment(bool cache) => new()
    {
        ["ASPNETCORE_URLS"] = settings.ApiUrl,
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["ConnectionStrings__Content"] = connectionString,
        ["Database__SeedSampleContent"] = "true",
        ["Logging__LogLevel__Default"] = "Warning",
        ["ResponseCache__Enabled"] = cache ? "true" : "false",
    };

    /// <summary>
    /// A new API key with SCOPE, made by the API's own command (`dotnet Api.dll keys create`) on the
    /// run's database; its secret.
    /// </summary>
    public async Task<string> CreateKeyAsync(string name, string scope, CancellationToken cancellationToken)
    {
        var run = await Child.CaptureAsync(
            "dotnet", [Path.Combine(repo.ApiBin, "Api.dll"), "keys", "create", "--name", name, "--scope", scope],
            cancellationToken, ApiEnvironment(cache: false), workingDirectory: repo.ApiBin);
        var secret = run.Output.Trim();
        if (run.ExitCode != 0 || !secret.StartsWith("nk_", StringComparison.Ordinal))
        {
            Log.Line(run.Error.TrimEnd('\n'));
            throw new BenchFailure($"'dotnet Api.dll keys create' failed (exit status {run.ExitCode})");
        }

        return secret;
    }

    public async Task StopApiAsync()
    {
        var running = api;
        api = null;
        if (running is not null)
        {
            await running.StopAsync();
        }
    }

    /// <summary>Starts the reference app and waits until it is ready.</summary>
    public async Task<App> StartReferenceAsync(CancellationToken cancellationToken)
    {
        var log = Path.Combine(runDir, "reference.log");
        Log.Line($"Starting the reference app on {settings.ReferenceUrl} (log: {log}) ...");
        reference = App.Launch("the reference app", Path.Combine(repo.ReferenceBin, "Reference.dll"), new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = settings.ReferenceUrl,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__Content"] = connectionString,
        }, log, ReferenceRss);
        await reference.WaitReadyAsync(http, settings.ReferenceUrl + "/ready", cancellationToken);
        Log.Line($"Reference app ready (pid {reference.Pid})");
        return reference;
    }

    public async Task StopReferenceAsync()
    {
        var running = reference;
        reference = null;
        if (running is not null)
        {
            await running.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopReferenceAsync();
        await StopApiAsync();
    }
}
