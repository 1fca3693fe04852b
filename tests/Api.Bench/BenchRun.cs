using System.Diagnostics;
using System.Globalization;

namespace Api.Bench;

/// <summary>How a run ended: its exit status, and where its JSON report is (null when it did not get that far).</summary>
internal sealed record RunEnd(int ExitCode, string? JsonReport);

/// <summary>
/// One run of the bench: the lock, the builds, the database and its content, the groups of cases,
/// the report. Whatever it started (wrk, the apps, the private cluster) is stopped on the way out,
/// also when the run fails or is stopped by a signal.
/// </summary>
internal sealed class BenchRun(RepoPaths repo, Settings settings, Plan plan)
{
    public async Task<RunEnd> RunAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(settings.DataDir);
        var dataDir = Native.RealPath(settings.DataDir);
        using var dataLock = TryLock(Path.Combine(dataDir, "bench.lock"))
            ?? throw new BenchFailure($"another scripts/bench is already running with data dir {dataDir}; wait for it to finish");
        if (await Http.PortInUseAsync(settings.ApiPort))
        {
            throw new BenchFailure($"port {settings.ApiPort} on 127.0.0.1 is already in use by another process; choose another with NEWSAPI_BENCH_PORT=<port>");
        }

        if (plan.AnyReference && await Http.PortInUseAsync(settings.ReferencePort))
        {
            throw new BenchFailure($"port {settings.ReferencePort} on 127.0.0.1 is already in use by another process; choose another with NEWSAPI_BENCH_REFERENCE_PORT=<port>");
        }

        var runDir = Path.Combine(dataDir, "results", DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(runDir);

        await Wrk.EnsureInstalledAsync(cancellationToken);
        var wrkVersion = await Wrk.VersionAsync(cancellationToken);
        var vips = plan.Media.Any(c => c.Workload is ColdRenders) ? await VipsCli.PrepareAsync(cancellationToken) : null;

        Log.Line("Building the News API (Release)...");
        await BuildAsync(repo.ApiProject, cancellationToken);
        if (plan.AnyReference)
        {
            Log.Line("Building the reference app (Release)...");
            await BuildAsync(repo.ReferenceProject, cancellationToken);
        }

        PrivateCluster? cluster = null;
        string connectionString;
        if (settings.ExternalConnectionString is { } external)
        {
            Log.Line("Using the database from ConnectionStrings__Content (no private PostgreSQL cluster)");
            connectionString = external;
        }
        else
        {
            cluster = await PrivateCluster.UpAsync(repo, dataDir, settings.PgPort, ServerOptions(), Settings.BenchDatabase, cancellationToken);
            connectionString = cluster.ConnectionString;
        }

        await using (cluster)
        {
            using var http = new Http();
            await using var servers = new Servers(settings, repo, runDir, connectionString, http);
            return await RunWithAppsAsync(runDir, wrkVersion, vips, connectionString, cluster, http, servers, cancellationToken);
        }
    }

    private async Task<RunEnd> RunWithAppsAsync(
        string runDir, string wrkVersion, VipsCli? vips, string connectionString, PrivateCluster? cluster, Http http, Servers servers, CancellationToken cancellationToken)
    {
        // The first start applies the migrations and loads the sample categories the generation
        // spreads the articles over.
        var api = await servers.EnsureApiAsync(cache: false, cancellationToken);
        var netCoreApp = ProcFs.LoadedFramework(api.Pid, "Microsoft.NETCore.App");
        var aspNetCoreApp = ProcFs.LoadedFramework(api.Pid, "Microsoft.AspNetCore.App");

        var psql = await Psql.ForAsync(connectionString, cluster?.BinDir, repo, cancellationToken);
        var content = await Content.PrepareAsync(psql, settings, repo, runDir, cancellationToken);

        var machine = await Machine.DescribeAsync(repo.Root, netCoreApp, aspNetCoreApp, content.PostgresVersion, wrkVersion, cancellationToken);
        var startedAt = DateTimeOffset.UtcNow;
        var reportText = Path.Combine(runDir, "report.txt");
        var media = plan.Media.Count > 0 ? MediaSetup.Describe(repo, settings, vips) : null;
        var header = ReportWriter.Header(settings, plan, machine, content, media, startedAt, runDir);
        Console.Out.Write(header);
        await File.WriteAllTextAsync(reportText, header, CancellationToken.None);

        var runner = new CaseRunner(settings, repo, runDir, http, cluster?.ClusterDir, ct => servers.CreateKeyAsync("bench-writer", "content:write", ct));
        var cases = new List<CaseSummary>();
        if (plan.AnyReference)
        {
            Log.Line();
            if (plan.AnyInTurns)
            {
                Log.Line("== The reference app and the News API (response cache off), in turns");
                await servers.EnsureApiAsync(cache: false, cancellationToken);
            }
            else
            {
                Log.Line("== The reference app (the News API is stopped meanwhile)");
                await servers.StopApiAsync();
            }

            await servers.StartReferenceAsync(cancellationToken);
            foreach (var turn in plan.ReferenceTurns)
            {
                if (turn.Count > 1)
                {
                    cases.AddRange(await InTurnsAsync(turn, servers, runner, cancellationToken));
                }
                else
                {
                    cases.Add(CaseSummary.Single(await runner.RunAsync(turn[0], null, ReferenceAim(servers), cancellationToken)));
                }
            }

            await servers.StopReferenceAsync();
        }

        if (plan.Uncached.Count > 0)
        {
            Log.Line();
            Log.Line("== The News API, response cache off");
            var app = await servers.EnsureApiAsync(cache: false, cancellationToken);
            foreach (var benchCase in plan.Uncached)
            {
                cases.Add(CaseSummary.Single(await runner.RunAsync(benchCase, null, new Aim(settings.ApiUrl, app), cancellationToken)));
            }
        }

        if (plan.Cached.Count > 0)
        {
            Log.Line();
            Log.Line("== The News API, response cache on");
            var app = await servers.EnsureApiAsync(cache: true, cancellationToken);
            foreach (var benchCase in plan.Cached)
            {
                cases.Add(CaseSummary.Single(await runner.RunAsync(benchCase, null, new Aim(settings.ApiUrl, app), cancellationToken)));
            }
        }

        if (plan.Writes.Count > 0)
        {
            Log.Line();
            Log.Line("== The News API, response cache on, while an editor key writes");
            var app = await servers.StartWritesApiAsync(cancellationToken);
            cases.AddRange(await WritesInTurnsAsync(plan.Writes, new Aim(settings.ApiUrl, app), runner, cancellationToken));

            await servers.StopApiAsync();
        }

        var timed = new List<TimedResult>();
        if (plan.Media.Count > 0)
        {
            Log.Line();
            Log.Line("== The media library: the News API restarted with a fresh rendition cache");
            var results = await new MediaGroup(settings, repo, runDir, servers, psql, runner, cluster?.ClusterDir, vips).RunAsync(plan.Media, cancellationToken);
            cases.AddRange(results.Cases);
            timed.AddRange(results.Timed);
        }

        StartupResult? startup = null;
        if (plan.Startup is { Workload: StartupTimes times })
        {
            Log.Line();
            Log.Line($"== Start-up to ready, {times.Starts} starts");
            startup = await StartupAsync(times.Starts, runDir, servers, cancellationToken);
        }

        await servers.StopApiAsync();

        var casesFailed = cases.Any(c => !c.Result.Ok) || startup is { Ok: false } || timed.Any(t => !t.Ok);
        var verdicts = Targets.Check(new Outcome(plan, cases, servers.ApiRss.Peak(), startup, timed));
        await File.WriteAllTextAsync(Path.Combine(runDir, "targets.txt"), ReportWriter.TargetLines(verdicts), CancellationToken.None);
        var report = new RunReport(
            startedAt, settings, plan, machine, content, runDir, cases, startup, servers.ApiRss.Peak(), servers.ReferenceRss.Peak(), verdicts, casesFailed,
            media, timed, servers.MediaRss.Peak());
        var body = ReportWriter.Body(report);
        Console.Out.Write(body);
        await File.AppendAllTextAsync(reportText, body, CancellationToken.None);
        var reportJson = Path.Combine(runDir, "report.json");
        await File.WriteAllTextAsync(reportJson, ReportWriter.Json(report), CancellationToken.None);
        return new RunEnd(report.Passed ? 0 : 1, reportJson);
    }

    private Aim ReferenceAim(Servers servers) =>
        new(settings.ReferenceUrl, servers.Reference ?? throw new InvalidOperationException("the reference app is not running"));

    private Aim ApiAim(Servers servers) =>
        new(settings.ApiUrl, servers.Api ?? throw new InvalidOperationException("the API is not running"));

    /// <summary>
    /// Measures the cases of TURN in turns, both apps running (ref: cases against the reference
    /// app, the others against the API): Rounds rounds, in the order given in odd rounds and
    /// reversed in even ones (ABBA...), so that a machine that speeds up or slows down over the
    /// minutes favours none; within a round the cases are measured in slices in turns
    /// (<see cref="CaseRunner.MeasureInTurnsAsync"/>); each case is then the medians of its rounds. Each round after the
    /// first restarts both apps: how fast a .NET process serves depends on the code its JIT
    /// settled on (dynamic PGO), which varies from one start to the next by as much as the gap the
    /// targets allow, so one process per app would be a draw.
    /// </summary>
    private async Task<IEnumerable<CaseSummary>> InTurnsAsync(
        IReadOnlyList<BenchCase> turn, Servers servers, CaseRunner runner, CancellationToken cancellationToken)
    {
        var rounds = turn.ToDictionary(c => c, _ => new List<CaseResult>());
        for (var round = 1; round <= settings.Rounds; round++)
        {
            if (round > 1)
            {
                Log.Line();
                Log.Line($"[round {round}] starting both apps afresh");
                await servers.StopReferenceAsync();
                await servers.StopApiAsync();
                await servers.StartReferenceAsync(cancellationToken);
                await servers.EnsureApiAsync(cache: false, cancellationToken);
            }

            var order = (round % 2 == 1 ? turn : turn.Reverse()).ToList();
            var ready = new List<(BenchCase Case, CaseRunner.Prepared Prepared)>();
            foreach (var benchCase in order)
            {
                var aim = benchCase.Group == Group.Reference ? ReferenceAim(servers) : ApiAim(servers);
                var preparation = await runner.PrepareAsync(benchCase, round, aim, cancellationToken);
                if (preparation.Ready is { } prepared)
                {
                    ready.Add((benchCase, prepared));
                }
                else
                {
                    rounds[benchCase].Add(preparation.Failed!);
                }
            }

            var measured = await runner.MeasureInTurnsAsync(ready.Select(r => r.Prepared).ToList(), cancellationToken);
            foreach (var (benchCase, result) in ready.Select(r => r.Case).Zip(measured))
            {
                rounds[benchCase].Add(result);
            }
        }

        return turn.Select(c => CaseSummary.FromRounds(c.Name, rounds[c]));
    }

    /// <summary>
    /// The writes-* cases against one API process, measured in slices in turns
    /// (<see cref="CaseRunner.MeasureInTurnsAsync"/>): each case's saves run only during its own
    /// warm-up and slices, so the case without saves and those with them see the machine, and the
    /// JIT's code, of the same minute.
    /// </summary>
    private static async Task<IEnumerable<CaseSummary>> WritesInTurnsAsync(
        IReadOnlyList<BenchCase> writes, Aim aim, CaseRunner runner, CancellationToken cancellationToken)
    {
        var results = new Dictionary<BenchCase, CaseResult>();
        var ready = new List<(BenchCase Case, CaseRunner.Prepared Prepared)>();
        foreach (var benchCase in writes)
        {
            var preparation = await runner.PrepareAsync(benchCase, null, aim, cancellationToken);
            if (preparation.Ready is { } prepared)
            {
                ready.Add((benchCase, prepared));
            }
            else
            {
                results[benchCase] = preparation.Failed!;
            }
        }

        var measured = await runner.MeasureInTurnsAsync(ready.Select(r => r.Prepared).ToList(), cancellationToken);
        foreach (var (benchCase, result) in ready.Select(r => r.Case).Zip(measured))
        {
            results[benchCase] = result;
        }

        return writes.Select(c => CaseSummary.Single(results[c]));
    }

    /// <summary>
    /// Starts the API STARTS times (cache on), each time measuring from just before the process is
    /// started to the first 200 of GET /health/ready, polled every 20 ms.
    /// </summary>
    private async Task<StartupResult> StartupAsync(int starts, string runDir, Servers servers, CancellationToken cancellationToken)
    {
        Log.Line();
        await servers.StopApiAsync();
        var readyMs = new List<long>();
        var poll = Settings.StartupPoll.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        for (var start = 1; start <= starts; start++)
        {
            Log.Line($"[startup] start {start} of {starts}: polling GET {settings.ApiUrl}/health/ready every {poll}s");
            var clock = Stopwatch.StartNew();
            var app = servers.LaunchApi(cache: true, Path.Combine(runDir, $"api-startup-{start}.log"));
            while (!await Http.ProbeAsync(settings.ApiPort, "/health/ready", cancellationToken))
            {
                if (!app.IsRunning || clock.Elapsed > Settings.StartTimeout)
                {
                    Log.Line($"error: start {start} did not become ready; last lines of {app.LogFile}:");
                    Log.Line(Child.Tail(app.LogFile));
                    await servers.StopApiAsync();
                    return new StartupResult(readyMs, $"start {start} did not become ready within {Settings.StartTimeout.TotalSeconds:F0} s");
                }

                await Task.Delay(Settings.StartupPoll, cancellationToken);
            }

            var ms = clock.ElapsedMilliseconds;
            readyMs.Add(ms);
            Log.Line($"[startup] start {start}: ready after {Format.Seconds(ms)} s");
            await servers.StopApiAsync();
        }

        return new StartupResult(readyMs, null);
    }

    /// <summary>
    /// The private cluster's extra server options. About 700 MB with indexes for 100k articles:
    /// with shared_buffers of 1 GB (a quarter of the memory on smaller machines) it stays in
    /// PostgreSQL's own buffers, so the cases measure the API and its queries rather than copies
    /// from the OS page cache. A larger max_wal_size keeps checkpoints out of the bulk insert of
    /// the generation step.
    /// </summary>
    private static string ServerOptions()
    {
        var sharedBuffersMb = 128L;
        try
        {
            var memTotal = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            if (memTotal is not null)
            {
                var kb = long.Parse(memTotal.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                sharedBuffersMb = Math.Clamp(kb / 1024 / 4, 128, 1024);
            }
        }
        catch (IOException)
        {
            // 128 MB then.
        }

        return $"-c shared_buffers={sharedBuffersMb}MB -c max_wal_size=4GB";
    }

    /// <summary>
    /// An exclusive lock on FILE for the life of the run (the lock newsapi_lock of
    /// scripts/lib/postgres.sh takes), or null when another process holds it. .NET opens files
    /// close-on-exec, so the processes the run starts do not inherit it.
    /// </summary>
    private static FileStream? TryLock(string file)
    {
        FileStream stream;
        try
        {
            // FileShare.None: .NET takes the same flock itself where it can.
            stream = new FileStream(file, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }

        if (!Native.TryLockExclusive(stream))
        {
            stream.Dispose();
            return null;
        }

        return stream;
    }

    private static async Task BuildAsync(string project, CancellationToken cancellationToken)
    {
        if (await Child.RunAsync("dotnet", ["build", project, "-c", "Release", "--nologo", "-v", "q"], cancellationToken) != 0)
        {
            throw new BenchFailure($"could not build {project}");
        }
    }
}
