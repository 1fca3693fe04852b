using System.Diagnostics;
using System.Text.Json;

namespace Api.Bench;

/// <summary>The server a case loads: its base URL and its running process.</summary>
internal sealed record Aim(string Url, App App);

/// <summary>
/// Runs the wrk cases: the check request(s), a warm-up, the measured run. The hot set's and the
/// first page's ETags and the deep page's path are fetched once, by the first case that needs them.
/// </summary>
internal sealed class CaseRunner(
    Settings settings, RepoPaths repo, string runDir, Http http, string? clusterDir, Func<CancellationToken, Task<string>> editorKey)
{
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(30);

    private readonly long clockTicks = Native.ClockTicks();
    private string? deepPagePath;
    private string? hotSetFile;
    private string? listETagFile;
    private string? writerKey;

    /// <summary>The check answers of the cases compared with the reference, by path: the first of a pair's two cases to run.</summary>
    private readonly Dictionary<string, (string Case, System.Text.Json.Nodes.JsonNode Document)> compared = [];

    /// <summary>One case (one round of it) against the server aimed at; fails the run when that server dies meanwhile.</summary>
    public async Task<CaseResult> RunAsync(BenchCase benchCase, int? round, Aim aim, CancellationToken cancellationToken)
    {
        Log.Line();
        var run = new Run(benchCase, round, aim);
        var result = benchCase.Workload switch
        {
            RandomArticles => await RandomArticlesAsync(run, cancellationToken),
            ListPage list => await ListPathAsync(run, list.Path, cancellationToken),
            DeepListPage deep => await DeepPageAsync(run, deep.Page, cancellationToken),
            SearchQueries => await SearchAsync(run, cancellationToken),
            HotSet { Conditional: false } => await CachedHotSetAsync(run, cancellationToken),
            HotSet { Conditional: true } => await ConditionalHotSetAsync(run, cancellationToken),
            ConditionalListPage list => await ConditionalListAsync(run, list.Path, cancellationToken),
            UnderWrites writes => await UnderWritesAsync(run, writes, cancellationToken),
            _ => throw new InvalidOperationException($"{benchCase.Name} is not a wrk case"),
        };
        if (!aim.App.IsRunning)
        {
            Log.Line($"error: {aim.App.Label} died during case {benchCase.Name}; last lines of its log:");
            Log.Line(Child.Tail(aim.App.LogFile));
            throw new BenchFailure();
        }

        return result;
    }

    /// <summary>
    /// wrk over the paths of FILE in turn (paths-file.lua) against AIM, for a case that made its
    /// check requests itself (media:cached-rendition): a warm-up, then the measured run, as every
    /// wrk case. BODY is the size of the body of its check request.
    /// </summary>
    public Task<CaseResult> MeasurePathsAsync(BenchCase benchCase, Aim aim, string file, long? body, CancellationToken cancellationToken) =>
        MeasureAsync(new Run(benchCase, null, aim), new WrkJob("paths-file.lua", [file]), body, cancellationToken);

    /// <summary>One case's run: what it is, which round, against what.</summary>
    internal sealed record Run(BenchCase Case, int? Round, Aim Aim)
    {
        public string Name => Case.Name;

        public CaseResult Failed(string reason, long? body = null, long? rss = null) => CaseResult.Failed(Name, Round, reason, body, rss);
    }

    // ------------------------------------------------------------------ the cases

    // article-by-slug and ref:article-by-slug.
    private async Task<CaseResult> RandomArticlesAsync(Run run, CancellationToken cancellationToken)
    {
        Log.Line($"[{run.Name}] GET {run.Aim.Url}{settings.CheckArticlePath} (and the other bench-article-1..{settings.Articles} at random)");
        var check = await CheckAsync(run, settings.CheckArticlePath, cancellationToken);
        if (check.Code != 200)
        {
            return run.Failed($"GET {settings.CheckArticlePath} answered {check.CodeText}");
        }

        if (SameDocument(run, settings.CheckArticlePath, check) is { } different)
        {
            return run.Failed(different, check.Size);
        }

        return await MeasureAsync(run, new WrkJob("random-article.lua", [$"{settings.Articles}"]), check.Size, cancellationToken);
    }

    /// <summary>
    /// A case and its reference case must answer the same request with the same document, or their
    /// ratio compares different work: the members of the article, or of each list item (not the
    /// cursor, the total, or the search snippets, which each writes its own way). Null when they agree,
    /// or when the other case has not run yet; else why not, logged.
    /// </summary>
    private string? SameDocument(Run run, string path, HttpAnswer answer)
    {
        var pairName = run.Name.StartsWith("ref:", StringComparison.Ordinal) ? run.Name : "ref:" + run.Name;
        if (!Targets.RatioPairs.Any(p => p.Base == pairName && "ref:" + p.Case == pairName))
        {
            return null;
        }

        var document = System.Text.Json.Nodes.JsonNode.Parse(answer.Body)!;
        if (document["items"] is System.Text.Json.Nodes.JsonArray items)
        {
            foreach (var item in items.OfType<System.Text.Json.Nodes.JsonObject>())
            {
                item.Remove("snippet");
            }

            document = items;
        }

        if (!compared.TryGetValue(path, out var first) || first.Case == run.Name)
        {
            compared[path] = (run.Name, document);
            return null;
        }

        if (System.Text.Json.Nodes.JsonNode.DeepEquals(first.Document, document))
        {
            return null;
        }

        Log.Line($"error: {first.Case} and {run.Name} answer GET {path} with different documents; first 200 bytes of {run.Name}'s: {answer.Start}");
        return $"its answer to GET {path} is not the document {first.Case} sent";
    }

    // list-first-page, ref:list-first-page, cached:list-first-page, category-with-descendants, and
    // list-deep-page once its path is known: a list that must answer 200 with some items.
    private async Task<CaseResult> ListPathAsync(Run run, string path, CancellationToken cancellationToken)
    {
        Log.Line($"[{run.Name}] GET {run.Aim.Url}{path}");
        var check = await CheckAsync(run, path, cancellationToken);
        if (check.Code != 200)
        {
            return run.Failed($"GET {path} answered {check.CodeText}");
        }

        if (check.HasNoItems())
        {
            Log.Line($"error: GET {path} returned no items");
            return run.Failed($"GET {path} returned no items", check.Size);
        }

        if (SameDocument(run, path, check) is { } different)
        {
            return run.Failed(different, check.Size);
        }

        return await MeasureAsync(run, new WrkJob("paths.lua", [path]), check.Size, cancellationToken);
    }

    // Walks nextCursor from page 1 to PAGE, then benchmarks that page (the rounds of a case in
    // turns reuse the path).
    private async Task<CaseResult> DeepPageAsync(Run run, int page, CancellationToken cancellationToken)
    {
        if (deepPagePath is not null)
        {
            return await ListPathAsync(run, deepPagePath, cancellationToken);
        }

        var path = $"/v1/articles?limit={Settings.PageSize}";
        var cursor = "";
        Log.Line($"[{run.Name}] walking nextCursor from page 1 to page {page}...");
        var clock = Stopwatch.StartNew();
        for (var current = 1; current < page; current++)
        {
            var answer = await http.GetAsync(run.Aim.Url + path, CheckTimeout, cancellationToken);
            if (answer.Code != 200)
            {
                ReportBadAnswer(run, path, answer);
                return run.Failed($"GET of page {current} answered {answer.CodeText}");
            }

            if (!answer.TryReadNextCursor(out var next))
            {
                Log.Line($"error: page {current} of /v1/articles has no nextCursor; first 200 bytes: {answer.Start}");
                return run.Failed($"page {current} has no nextCursor");
            }

            if (string.IsNullOrEmpty(next))
            {
                var needed = page * Settings.PageSize;
                Log.Line($"error: the list ended at page {current}; list-deep-page needs at least {needed} visible articles (NEWSAPI_BENCH_ARTICLES)");
                return run.Failed($"the list ended at page {current} (fewer than {needed} visible articles)");
            }

            if (next == cursor)
            {
                return run.Failed($"page {current} returned its own cursor again");
            }

            cursor = next;
            path = $"/v1/articles?limit={Settings.PageSize}&cursor={Uri.EscapeDataString(cursor)}";
        }

        Log.Line($"[{run.Name}] walked {page - 1} cursors in {Format.Elapsed(clock.Elapsed)} s");
        deepPagePath = path;
        return await ListPathAsync(run, path, cancellationToken);
    }

    private async Task<CaseResult> SearchAsync(Run run, CancellationToken cancellationToken)
    {
        var queries = File.ReadLines(repo.SearchQueries)
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .ToList();
        if (queries.Count == 0)
        {
            return run.Failed($"no queries in {repo.SearchQueries}");
        }

        Log.Line($"[{run.Name}] checking {queries.Count} queries");
        long? body = null;
        foreach (var query in queries)
        {
            var path = $"/v1/articles?q={Uri.EscapeDataString(query)}&limit={Settings.PageSize}";
            var check = await CheckAsync(run, path, cancellationToken);
            if (check.Code != 200)
            {
                return run.Failed($"GET {path} answered {check.CodeText}", body);
            }

            body = check.Size;
            if (check.HasNoItems())
            {
                Log.Line($"error: GET {path} returned no items");
                return run.Failed($"query '{query}' returned no results", body);
            }

            if (SameDocument(run, path, check) is { } different)
            {
                return run.Failed(different, body);
            }
        }

        return await MeasureAsync(run, new WrkJob("search.lua", [$"{Settings.PageSize}"]), body, cancellationToken);
    }

    private async Task<CaseResult> CachedHotSetAsync(Run run, CancellationToken cancellationToken)
    {
        Log.Line($"[{run.Name}] GET {run.Aim.Url}{settings.CheckArticlePath}");
        var check = await CheckAsync(run, settings.CheckArticlePath, cancellationToken);
        if (check.Code != 200)
        {
            return run.Failed($"GET {settings.CheckArticlePath} answered {check.CodeText}");
        }

        if (await HotSetAsync(run, cancellationToken) is not { } file)
        {
            return run.Failed("could not fetch the hot set's ETags", check.Size);
        }

        return await MeasureAsync(run, new WrkJob("paths-file.lua", [file]), check.Size, cancellationToken);
    }

    // writes-*: a read measured while an editor key saves articles at a steady rate (during its
    // warm-up and its measured run or slices, not between them). Each save is a merge patch of the
    // summary of one of the first 100 bench articles (or of the articles the page shows), in
    // turn, with If-Match: *; a save that fails fails the case.
    private async Task<CaseResult> UnderWritesAsync(Run run, UnderWrites writes, CancellationToken cancellationToken)
    {
        string? file = null;
        long? size = null;
        if (writes.Path is { } path)
        {
            var check = await CheckAsync(run, path, cancellationToken);
            if (check.Code != 200)
            {
                return run.Failed($"GET {path} answered {check.CodeText}");
            }

            size = check.Size;
        }
        else if ((file = await HotSetAsync(run, cancellationToken)) is null)
        {
            return run.Failed("could not fetch the hot set's ETags");
        }

        var job = new WrkJob("paths-file.lua", [file ?? await PathFileAsync(run, writes.Path!)]);
        if (writes.WritesPerSecond <= 0)
        {
            // The base of the write cases: the same read in the same process, with no save.
            Log.Line($"[{run.Name}] no saves while {(writes.Path ?? "the hot set")} is read");
            return await MeasureAsync(run, job, size, cancellationToken);
        }

        writerKey ??= await editorKey(cancellationToken);
        IReadOnlyList<string> saves = Enumerable.Range(1, 100).Select(n => $"bench-article-{n}").ToArray();
        if (writes.SavesWhatIsRead)
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            using var page = JsonDocument.Parse(await client.GetStringAsync($"{run.Aim.Url}{writes.Path}", cancellationToken));
            saves = page.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("slug").GetString()!).ToArray();
            if (saves.Count == 0)
            {
                return run.Failed($"GET {writes.Path} shows no article to save", size);
            }
        }

        Log.Line($"[{run.Name}] an editor key saves {writes.WritesPerSecond:0.#} article(s) a second ({(writes.SavesWhatIsRead ? "the ones the page shows" : "bench-article-1..100")}, in turn) while {(writes.Path ?? "the hot set")} is read");
        return await MeasureAsync(run, job, size, cancellationToken, new SaveLoop(run.Aim.Url, writerKey, saves, writes.WritesPerSecond));
    }

    /// <summary>A file of the one path, for paths-file.lua.</summary>
    private async Task<string> PathFileAsync(Run run, string path)
    {
        var file = Path.Combine(runDir, run.Case.FileStem + ".paths");
        await File.WriteAllTextAsync(file, path + "\n");
        return file;
    }

    private async Task<CaseResult> ConditionalHotSetAsync(Run run, CancellationToken cancellationToken)
    {
        if (await HotSetAsync(run, cancellationToken) is not { } file)
        {
            return run.Failed("could not fetch the hot set's ETags");
        }

        return await ConditionalAsync(run, file, cancellationToken);
    }

    private async Task<CaseResult> ConditionalListAsync(Run run, string path, CancellationToken cancellationToken)
    {
        if (listETagFile is null)
        {
            var paths = Path.Combine(runDir, "list-first-page.paths");
            await File.WriteAllTextAsync(paths, path + "\n", cancellationToken);
            var etags = Path.Combine(runDir, "list-first-page.etags");
            if (!await FetchETagsAsync(run.Aim.Url, paths, etags, cancellationToken))
            {
                return run.Failed("could not fetch the first page's ETag");
            }

            listETagFile = etags;
        }

        return await ConditionalAsync(run, listETagFile, cancellationToken);
    }

    // Checks the first request of the "PATH<TAB>ETAG" FILE with If-None-Match: a 304 is expected;
    // a 200 is reported (the wrk run then counts such answers as misses). Then benchmarks the file.
    private async Task<CaseResult> ConditionalAsync(Run run, string file, CancellationToken cancellationToken)
    {
        var first = File.ReadLines(file).First().Split('\t', 2);
        var (path, etag) = (first[0], first.Length > 1 ? first[1] : "");
        Log.Line($"[{run.Name}] GET {run.Aim.Url}{path} with If-None-Match: {etag}");
        var check = await http.GetAsync(run.Aim.Url + path, CheckTimeout, cancellationToken, [new("If-None-Match", etag)]);
        switch (check.Code)
        {
            case 304:
                break;
            case 200:
                Log.Line($"warning: GET {path} with If-None-Match: {etag} answered 200, not 304; the run counts such answers as misses");
                break;
            default:
                ReportBadAnswer(run, path, check, 304);
                return run.Failed($"GET {path} with If-None-Match answered {check.CodeText}");
        }

        return await MeasureAsync(run, new WrkJob("paths-file.lua", [file, "if-none-match"]), check.Size, cancellationToken);
    }

    // ------------------------------------------------------------------ checks and fixtures

    /// <summary>GET PATH once; prints the answer when it is not 200.</summary>
    private async Task<HttpAnswer> CheckAsync(Run run, string path, CancellationToken cancellationToken)
    {
        var answer = await http.GetAsync(run.Aim.Url + path, CheckTimeout, cancellationToken);
        if (answer.Code != 200)
        {
            ReportBadAnswer(run, path, answer);
        }

        return answer;
    }

    private static void ReportBadAnswer(Run run, string path, HttpAnswer answer, int expected = 200)
    {
        Log.Line($"error: GET {run.Aim.Url}{path} answered {answer.CodeText}, not {expected}; first 200 bytes of the answer:");
        Log.Line(answer.Start);
    }

    /// <summary>
    /// The hot set: HotArticles distinct articles drawn at random, each fetched once (which fills
    /// the response cache) with its ETag kept in a "PATH&lt;TAB&gt;ETAG" file; null when that fails.
    /// </summary>
    private async Task<string?> HotSetAsync(Run run, CancellationToken cancellationToken)
    {
        if (hotSetFile is not null)
        {
            return hotSetFile;
        }

        Log.Line($"[{run.Name}] fetching the hot set: {settings.HotArticles} of bench-article-1..{settings.Articles} drawn at random...");
        var clock = Stopwatch.StartNew();
        var numbers = Enumerable.Range(1, settings.Articles).ToArray();
        Random.Shared.Shuffle(numbers);
        var paths = Path.Combine(runDir, "hot-set.paths");
        await File.WriteAllLinesAsync(paths, numbers.Take(settings.HotArticles).Select(n => $"/v1/articles/bench-article-{n}"), cancellationToken);
        var etags = Path.Combine(runDir, "hot-set.etags");
        if (!await FetchETagsAsync(run.Aim.Url, paths, etags, cancellationToken))
        {
            return null;
        }

        Log.Line($"[{run.Name}] fetched {settings.HotArticles} articles in {Format.Elapsed(clock.Elapsed)} s; their ETags are in {etags}");
        hotSetFile = etags;
        return etags;
    }

    /// <summary>
    /// GETs every path of the file PATHS (one a line), one after the other over one connection,
    /// and writes "PATH&lt;TAB&gt;ETAG" lines to ETAGS. False, with the reason, when an answer is not
    /// 200 or has no ETag.
    /// </summary>
    private async Task<bool> FetchETagsAsync(string url, string paths, string etags, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        var (bad, noETag) = (0, 0);
        string? firstBad = null;
        string? firstNoETag = null;
        foreach (var path in await File.ReadAllLinesAsync(paths, cancellationToken))
        {
            var answer = await http.GetAsync(url + path, CheckTimeout, cancellationToken);
            if (answer.Code != 200)
            {
                firstBad ??= $"{path} answered {answer.CodeText}";
                bad++;
            }
            else if (string.IsNullOrEmpty(answer.ETag))
            {
                firstNoETag ??= path;
                noETag++;
            }
            else
            {
                lines.Add($"{path}\t{answer.ETag}");
            }
        }

        await File.WriteAllLinesAsync(etags, lines, cancellationToken);
        if (bad > 0)
        {
            Log.Line($"error: {bad} of the paths did not answer 200 (first: {firstBad})");
        }

        if (noETag > 0)
        {
            Log.Line($"error: {noETag} answers had no ETag (first: {firstNoETag})");
        }

        return bad == 0 && noETag == 0 && lines.Count > 0;
    }

    // ------------------------------------------------------------------ the measurement

    /// <summary>
    /// wrk for one case: a warm-up, then the measured run, with the serving app's and PostgreSQL's
    /// CPU time around it and the app's peak RSS over both. Responses other than expected (2xx;
    /// 304 for the conditional cases) fail the case, and so does any socket error. While the runner
    /// is preparing cases for <see cref="MeasureInTurnsAsync"/>, the job is kept for it instead.
    /// </summary>
    private async Task<CaseResult> MeasureAsync(Run run, WrkJob job, long? body, CancellationToken cancellationToken, SaveLoop? saves = null)
    {
        if (preparing)
        {
            prepared = new Prepared(run, job, body, ProcFs.NowMs(), saves);
            return run.Failed("prepared, not measured");
        }

        using (saves)
        {
            var start = ProcFs.NowMs();
            var (warmupFailure, rate) = await WhileSavingAsync(saves, () => WarmUpAsync(run, job, cancellationToken));
            if (warmupFailure is not null)
            {
                return run.Failed(warmupFailure, body, run.Aim.App.Rss.PeakMib(start, ProcFs.NowMs()));
            }

            // One run of DURATION seconds, longer for a case too slow for it (see SliceLayout).
            var (count, seconds) = SliceLayout([rate]);
            var duration = Math.Max(settings.DurationSeconds, count * seconds);
            var file = run.Case.FileStem + (run.Round is { } r ? $".round{r}" : "");
            var slice = await WhileSavingAsync(saves, () => SliceAsync(run, job, duration, Path.Combine(runDir, $"{file}.txt"), cancellationToken));
            return Finish(run, saves, Combine(run, [slice], body, start));
        }
    }

    /// <summary>WORK, with SAVES (when there are) running meanwhile.</summary>
    private static async Task<T> WhileSavingAsync<T>(SaveLoop? saves, Func<Task<T>> work)
    {
        saves?.Start();
        try
        {
            return await work();
        }
        finally
        {
            if (saves is not null)
            {
                await saves.StopAsync();
            }
        }
    }

    /// <summary>A case's result with what its saves did: their count logged with its cache hit rate, a failed save failing it.</summary>
    private static CaseResult Finish(Run run, SaveLoop? saves, CaseResult result)
    {
        if (result.CacheHitRate is { } rate)
        {
            Log.Line($"[{run.Name}] {(saves is null ? "" : $"{saves.Saved} saves; ")}responses served from the response cache: {rate:P1}");
        }

        return saves?.Failure is { } failure && result.Ok ? result with { Failure = failure } : result;
    }

    /// <summary>A case made ready to measure (its checks passed): its run, its wrk job, the size of its check answer.</summary>
    internal sealed record Prepared(Run Run, WrkJob Job, long? Body, long StartMs, SaveLoop? Saves);

    /// <summary>A case ready to measure, or the result of one that failed before.</summary>
    internal sealed record Preparation(Prepared? Ready, CaseResult? Failed);

    private bool preparing;
    private Prepared? prepared;

    /// <summary>Runs a case's checks without measuring it, for <see cref="MeasureInTurnsAsync"/>.</summary>
    public async Task<Preparation> PrepareAsync(BenchCase benchCase, int? round, Aim aim, CancellationToken cancellationToken)
    {
        preparing = true;
        prepared = null;
        try
        {
            var result = await RunAsync(benchCase, round, aim, cancellationToken);
            return prepared is { } ready ? new Preparation(ready, null) : new Preparation(null, result);
        }
        finally
        {
            preparing = false;
            prepared = null;
        }
    }

    /// <summary>
    /// Measures prepared cases in turns: each warms up, then each runs <c>Slices</c> slices of
    /// <c>DURATION / Slices</c> seconds, one case after the other (the order reversed every other
    /// slice), so that all of them see the machine as it was over the same minute. Each case's
    /// figures are those of its slices together: requests/s over their total time, CPU times over
    /// their total responses, p50 and p99 as the means of the slices' weighted by their responses.
    /// </summary>
    public async Task<IReadOnlyList<CaseResult>> MeasureInTurnsAsync(IReadOnlyList<Prepared> cases, CancellationToken cancellationToken)
    {
        var failures = new Dictionary<Prepared, string>();
        var warmRates = new List<double?>();
        foreach (var c in cases)
        {
            var (failure, rate) = await WhileSavingAsync(c.Saves, () => WarmUpAsync(c.Run, c.Job, cancellationToken));
            if (failure is not null)
            {
                failures[c] = failure;
            }
            else
            {
                warmRates.Add(rate);
            }
        }

        var (count, seconds) = SliceLayout(warmRates);
        var slices = cases.ToDictionary(c => c, _ => new List<Slice>());
        for (var i = 1; i <= count; i++)
        {
            var order = i % 2 == 1 ? cases : cases.Reverse();
            foreach (var c in order.Where(c => !failures.ContainsKey(c)))
            {
                var file = c.Run.Case.FileStem + (c.Run.Round is { } r ? $".round{r}" : "") + $".slice{i}";
                slices[c].Add(await WhileSavingAsync(c.Saves, () => SliceAsync(c.Run, c.Job, seconds, Path.Combine(runDir, $"{file}.txt"), cancellationToken)));
            }
        }

        var results = cases
            .Select(c => failures.TryGetValue(c, out var failure)
                ? c.Run.Failed(failure, c.Body, c.Run.Aim.App.Rss.PeakMib(c.StartMs, ProcFs.NowMs()))
                : Finish(c.Run, c.Saves, Combine(c.Run, slices[c], c.Body, c.StartMs)))
            .ToList();
        foreach (var c in cases)
        {
            c.Saves?.Dispose();
        }

        return results;
    }

    /// <summary>Responses a slice should complete per connection, so that those still in flight when it ends (lost to it) weigh little.</summary>
    private const int ResponsesPerConnectionAndSlice = 20;

    /// <summary>The longest slice a slow case is given.</summary>
    private const int MaxSliceSeconds = 60;

    /// <summary>
    /// How many slices of how many seconds the cases of a turn are measured in: Slices slices of
    /// DURATION / Slices seconds, unless the slowest case's warm-up (RATES, requests/s) says that
    /// such a slice would complete fewer than <see cref="ResponsesPerConnectionAndSlice"/> responses
    /// per connection. Then the requests in flight when a slice ends, which it loses, would be a
    /// large part of it (a search at 10 requests/s over 32 connections completes about 20 in 2 s
    /// with 32 under way), so the slices are made fewer and longer, up to <see cref="MaxSliceSeconds"/>
    /// seconds each, and the case may be measured for longer than DURATION.
    /// </summary>
    private (int Count, int Seconds) SliceLayout(IEnumerable<double?> rates)
    {
        var seconds = Math.Max(1, settings.DurationSeconds / settings.Slices);
        var slowest = rates.Where(r => r is > 0).Select(r => r!.Value).DefaultIfEmpty(double.PositiveInfinity).Min();
        var needed = (int)Math.Ceiling(ResponsesPerConnectionAndSlice * settings.Connections / slowest);
        if (needed <= seconds)
        {
            return (settings.Slices, seconds);
        }

        var longer = Math.Min(needed, MaxSliceSeconds);
        var count = Math.Max(1, settings.DurationSeconds / longer);
        Log.Line($"slowest warm-up {slowest:F1} requests/s: {count} slice(s) of {longer}s per case instead of {settings.Slices} of {seconds}s");
        return (count, longer);
    }

    /// <summary>The warm-up run of a case: null and its requests/s when it went well, else why not.</summary>
    private async Task<(string? Failure, double? RequestsPerSecond)> WarmUpAsync(Run run, WrkJob job, CancellationToken cancellationToken)
    {
        var file = run.Case.FileStem + (run.Round is { } r ? $".round{r}" : "");
        var warmupOutput = Path.Combine(runDir, $"{file}.warmup.txt");
        Log.Line($"[{run.Name}{(run.Round is { } round ? $" round {round}" : "")}] warm-up {settings.WarmupSeconds}s");
        var exitCode = await Wrk.RunAsync(settings, repo, warmupOutput, settings.WarmupSeconds, run.Aim.Url, job, cancellationToken);
        var text = await File.ReadAllTextAsync(warmupOutput, CancellationToken.None);
        if (exitCode == 0)
        {
            return (null, WrkReport.Parse(text)?.RequestsPerSecond);
        }

        Console.Error.Write(text);
        return ($"wrk failed (exit status {exitCode})", null);
    }

    /// <summary>One measured wrk run and what the app, PostgreSQL and the machine did around it; NOTE tells of one measured again.</summary>
    private sealed record Slice(WrkReport? Report, string? Failure, long? Cpu, long? Db, string Output, string? Note = null);

    /// <summary>
    /// One measured wrk run. A run that got no response at all while wrk reported no error is
    /// measured once more, after logging what the sockets of the app's port and a probe of the app
    /// showed, and the slice keeps a note of it for the report: whether the app stalled or wrk
    /// never got going, the log tells, and the figures are not those of an empty run.
    /// </summary>
    private async Task<Slice> SliceAsync(Run run, WrkJob job, int seconds, string output, CancellationToken cancellationToken)
    {
        var slice = await MeasureSliceAsync(run, job, seconds, output, cancellationToken);
        if (slice.Report is not { Responses: 0 })
        {
            return slice;
        }

        var port = new Uri(run.Aim.Url).Port;
        var clock = Stopwatch.StartNew();
        var ready = await Http.ProbeAsync(port, "/health/ready", cancellationToken);
        var probe = $"GET /health/ready {(ready ? "answered 200" : "did not answer 200")} after {clock.ElapsedMilliseconds} ms";
        var sockets = await Child.CaptureAsync("ss", ["-tan", $"( sport = :{port} or dport = :{port} )"], cancellationToken);
        var states = sockets.ExitCode == 0
            ? string.Join(", ", sockets.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .GroupBy(line => line.Split(' ', 2)[0]).Select(g => $"{g.Key} {g.Count()}"))
            : "ss failed";
        var note = $"a {seconds} s slice got no response ({probe}; sockets of port {port}: {(states.Length == 0 ? "none" : states)}), measured again";
        Log.Line($"[{run.Name}] warning: {note}");
        var again = await MeasureSliceAsync(run, job, seconds, Path.ChangeExtension(output, ".again.txt"), cancellationToken);
        return again with { Note = note };
    }

    private async Task<Slice> MeasureSliceAsync(Run run, WrkJob job, int seconds, string output, CancellationToken cancellationToken)
    {
        var app = run.Aim.App;
        Log.Line($"[{run.Name}] measuring {seconds}s: wrk -t{settings.Threads} -c{settings.Connections} -d{seconds}s --latency {run.Aim.Url}");
        var cpuBefore = ProcFs.CpuTicks(app.Pid);
        var dbBefore = ProcFs.PostgresTicks(clusterDir);
        var machineBefore = MachineSample.Take(app.Pid, clusterDir);
        var exitCode = await Wrk.RunAsync(settings, repo, output, seconds, run.Aim.Url, job, cancellationToken);
        var machineAfter = MachineSample.Take(app.Pid, clusterDir);
        var cpuAfter = ProcFs.CpuTicks(app.Pid);
        var dbAfter = ProcFs.PostgresTicks(clusterDir);
        var text = await File.ReadAllTextAsync(output, CancellationToken.None);
        Console.Error.Write(text);
        if (exitCode != 0)
        {
            return new Slice(null, $"wrk failed (exit status {exitCode})", null, null, output);
        }

        var report = WrkReport.Parse(text);
        if (report is not { RequestsPerSecond: not null, P50Ms: not null, P99Ms: not null })
        {
            return new Slice(null, $"could not parse the wrk output ({output})", null, null, output);
        }

        Log.Line($"[{run.Name}] {MachineSample.Describe(machineBefore, machineAfter, report.Responses, clockTicks)}");
        return new Slice(report, null, cpuAfter - cpuBefore, dbAfter - dbBefore, output);
    }

    /// <summary>A case's figures from its measured slices (one, or several taken in turns with other cases).</summary>
    private CaseResult Combine(Run run, IReadOnlyList<Slice> slices, long? body, long startMs)
    {
        var rss = run.Aim.App.Rss.PeakMib(startMs, ProcFs.NowMs());
        if (slices.FirstOrDefault(s => s.Failure is not null) is { } failed)
        {
            return run.Failed(failed.Failure!, body, rss);
        }

        var reports = slices.Select(s => s.Report!).ToList();
        var responses = reports.Sum(r => r.Responses);
        var requests = reports.Sum(r => r.Requests);
        var durationUs = reports.Sum(r => r.DurationUs);
        double? Weighted(Func<WrkReport, double?> value) =>
            responses > 0 ? reports.Sum(r => (value(r) ?? 0) * r.Responses) / responses : reports.Select(value).FirstOrDefault();
        long? Sum(Func<Slice, long?> value) => slices.All(s => value(s) is not null) ? slices.Sum(s => value(s)!.Value) : null;
        var failure = reports.Select(r => r.Failure).FirstOrDefault(f => f is not null);
        var notes = slices.Where(s => s.Note is not null).Select(s => s.Note!).ToList();
        return new CaseResult(
            run.Name,
            run.Round,
            durationUs > 0 ? requests / (durationUs / 1_000_000) : null,
            Weighted(r => r.P50Ms),
            Weighted(r => r.P99Ms),
            reports.Sum(r => r.Non2xx),
            reports.Sum(r => r.Unexpected),
            reports.Sum(r => r.Errors.Socket),
            body,
            MicrosPerResponse(0, Sum(s => s.Cpu), responses),
            MicrosPerResponse(0, Sum(s => s.Db), responses),
            rss,
            failure,
            responses > 0 ? (double)reports.Sum(r => r.Cached) / responses : null,
            notes.Count > 0 ? string.Join("; ", notes) : null);
    }

    /// <summary>Microseconds per response between two tick counts (whole microseconds), null when either is unknown.</summary>
    private double? MicrosPerResponse(long? from, long? to, long responses) =>
        from is null || to is null || responses < 1 ? null : (to.Value - from.Value) * 1_000_000 / clockTicks / responses;
}
