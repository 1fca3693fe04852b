using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Api.Bench;

/// <summary>What the media cases ran against: the two libvips, the renders the API lets run at once, the photos.</summary>
internal sealed record MediaSetup(
    string ApiLibvips,
    VipsCli? Reference,
    string RendersAtOnce,
    int Images,
    int Uploads)
{
    /// <summary>
    /// The API's libvips: the version of the NetVips.Native.linux-x64 package src/Api/Api.csproj
    /// references (the bench loads the same package: its version as loaded is the second part).
    /// </summary>
    public static MediaSetup Describe(RepoPaths repo, Settings settings, VipsCli? reference)
    {
        var csproj = File.Exists(repo.ApiProject) ? File.ReadAllText(repo.ApiProject) : "";
        var package = Regex.Match(csproj, "\"NetVips\\.Native\\.linux-x64\" Version=\"([^\"]+)\"") is { Success: true } match ? match.Groups[1].Value : "unknown";
        var configured = Environment.GetEnvironmentVariable("Media__MaxConcurrentRenders");
        var atOnce = configured is { Length: > 0 }
            ? $"{configured} (Media__MaxConcurrentRenders from the environment)"
            : $"{Environment.ProcessorCount} (the API's default: the number of CPUs)";
        return new MediaSetup(
            $"libvips {package} bundled by NetVips.Native.linux-x64 (as loaded here: {Photos.LoadedLibvips()})",
            reference,
            atOnce,
            settings.MediaImages,
            settings.MediaUploads);
    }
}

/// <summary>The media group's results: its wrk-like rows for the main table, and its one-at-a-time timings.</summary>
internal sealed record MediaResults(IReadOnlyList<CaseSummary> Cases, IReadOnlyList<TimedResult> Timed);

/// <summary>
/// The media cases, against an API restarted for them with a fresh rendition cache (so every
/// rendition is rendered on its first request) and its memory logged apart. Before the first case:
/// the bench media of earlier runs deleted, an API key with content:write made by the API's own
/// command, NEWSAPI_BENCH_MEDIA_IMAGES distinct 4000 x 3000 JPEGs uploaded, and a small w160
/// rendition of each fetched (which copies each original from PostgreSQL into the instance's
/// cache and runs every code path once), none of it timed. Afterwards the bench media, the key,
/// the rendition cache and the photos' files are deleted.
/// </summary>
internal sealed class MediaGroup(
    Settings settings, RepoPaths repo, string runDir, Servers servers, Psql psql, CaseRunner runner, string? clusterDir, VipsCli? vips)
{
    /// <summary>The prefix of the file names of the bench's uploads (what the clean-up deletes by).</summary>
    private const string FilePrefix = "bench-media-";

    private const string KeyName = "bench-media";

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Specs that all make the same 1200 x 900 WebP of a 4000 x 3000 photo with the same settings
    /// (quality 80, effort 4; the crops and pads of cover and contain are empty at 4:3) yet are
    /// distinct renditions, each rendered on its first request. media:cold-render takes the first,
    /// media:cold-concurrent-2 the next two, media:cold-concurrent-8 the next four, so each case
    /// finds its own renditions cold whichever ran before it.
    /// </summary>
    private static readonly (string Spec, int? Height, string Fit, int? Quality)[] Variants =
    [
        ("w1200", null, "inside", null),
        ("w1200-q80", null, "inside", 80),
        ("w1200-h900", 900, "inside", null),
        ("w1200-h900-q80", 900, "inside", 80),
        ("w1200-h900-cover", 900, "cover", null),
        ("w1200-h900-cover-q80", 900, "cover", 80),
        ("w1200-h900-contain", 900, "contain", null),
    ];

    private readonly string stamp = DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
    private readonly string scratch = Path.Combine(runDir, "media-files");
    private readonly string renditions = Path.Combine(runDir, "renditions");
    private readonly long clockTicks = Native.ClockTicks();
    private readonly HttpClient client = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private string? key;
    private List<Photo>? photos;

    /// <summary>An uploaded photo: its medium's id, its rendition template ("/media/ID/TOKEN/{spec}.{format}"), its file here.</summary>
    private sealed record Photo(long Id, string Template, string File, long Bytes)
    {
        public string Path(string spec) => Template.Replace("{spec}", spec, StringComparison.Ordinal).Replace("{format}", "webp", StringComparison.Ordinal);
    }

    /// <summary>What a request came to: its status (0 without an answer), its wall time, its body, its content type.</summary>
    private sealed record Answer(int Code, double Ms, byte[] Body, string? ContentType, string? ETag, string? Error)
    {
        public string Describe() => Code == 0
            ? $"no answer ({Error})"
            : $"{Code} {(Code is >= 200 and < 300 ? "" : System.Text.Encoding.UTF8.GetString(Body, 0, Math.Min(200, Body.Length)))}".TrimEnd();
    }

    public async Task<MediaResults> RunAsync(IReadOnlyList<BenchCase> cases, CancellationToken cancellationToken)
    {
        var rows = new List<CaseSummary>();
        var timed = new List<TimedResult>();
        Directory.CreateDirectory(scratch);
        try
        {
            var app = await servers.StartMediaApiAsync(renditions, cancellationToken);
            var aim = new Aim(settings.ApiUrl, app);
            await CleanUpAsync(cancellationToken);
            key = await servers.CreateKeyAsync(KeyName, "content:write", cancellationToken);
            foreach (var benchCase in cases)
            {
                Log.Line();
                switch (benchCase.Workload)
                {
                    case ColdRenders:
                        timed.Add(await GuardAsync(benchCase, () => ColdRenderAsync(benchCase, cancellationToken), reason => TimedResult.Failed(benchCase.Name, "", reason)));
                        break;
                    case ConcurrentColdRenders concurrent:
                        rows.Add(CaseSummary.Single(await GuardAsync(
                            benchCase, () => ConcurrentAsync(benchCase, concurrent.Concurrency, aim, cancellationToken), reason => CaseResult.Failed(benchCase.Name, null, reason))));
                        break;
                    case CachedRenditions cached:
                        rows.Add(CaseSummary.Single(await GuardAsync(
                            benchCase, () => CachedAsync(benchCase, cached.Spec, aim, cancellationToken), reason => CaseResult.Failed(benchCase.Name, null, reason))));
                        break;
                    case LargeUploads:
                        timed.Add(await GuardAsync(benchCase, () => UploadsAsync(benchCase, cancellationToken), reason => TimedResult.Failed(benchCase.Name, "", reason)));
                        break;
                    default:
                        throw new InvalidOperationException($"{benchCase.Name} is not a media case");
                }

                if (!app.IsRunning)
                {
                    Log.Line($"error: the News API died during case {benchCase.Name}; last lines of its log:");
                    Log.Line(Child.Tail(app.LogFile));
                    throw new BenchFailure();
                }
            }

            await servers.StopApiAsync();
            await CleanUpAsync(CancellationToken.None);
        }
        finally
        {
            client.Dispose();
            TryDelete(scratch);
            TryDelete(renditions);
        }

        return new MediaResults(rows, timed);
    }

    /// <summary>Runs a case; a preparation that failed (an upload refused...) fails that case, not the run.</summary>
    private static async Task<T> GuardAsync<T>(BenchCase benchCase, Func<Task<T>> run, Func<string, T> failed)
    {
        try
        {
            return await run();
        }
        catch (MediaFailure e)
        {
            Log.Line($"error: [{benchCase.Name}] {e.Message}");
            return failed(e.Message);
        }
    }

    /// <summary>A step of a media case that failed: that case fails, the others go on.</summary>
    private sealed class MediaFailure(string message) : Exception(message);

    // ------------------------------------------------------------------ the cases

    /// <summary>
    /// media:cold-render: the w1200.webp of each photo, one at a time, each rendered on its request;
    /// and `vips thumbnail` on the same files with the same output, as many times. The two take turns
    /// (API first for even photos, vips first for odd ones), so that a machine whose speed drifts
    /// weighs on both alike.
    /// </summary>
    private async Task<TimedResult> ColdRenderAsync(BenchCase benchCase, CancellationToken cancellationToken)
    {
        var what = $"GET {Variants[0].Spec}.webp of a {Settings.PhotoWidth} x {Settings.PhotoHeight} JPEG, not yet rendered";
        if (vips is null)
        {
            throw new InvalidOperationException("vips is not prepared");
        }

        var all = await PhotosAsync(cancellationToken);
        var startup = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            await Child.CaptureAsync("vips", ["--version"], cancellationToken);
            startup.Add(clock.Elapsed.TotalMilliseconds);
        }

        var note = $"of which starting the process and libvips (`vips --version`): median {Format.Fixed(Stats.Median(startup.Select(v => (double?)v)), 1)} ms of 3";
        Log.Line($"[{benchCase.Name}] vips {note}");
        Log.Line($"[{benchCase.Name}] {all.Count} cold renders of {Variants[0].Spec}.webp, each followed or preceded by `vips thumbnail IN OUT{vips.SaveOptions} {Settings.RenditionWidth}` on the same file");
        var api = new List<double>();
        var reference = new List<double>();
        var apiBytes = new List<double?>();
        var referenceBytes = new List<double?>();
        for (var i = 0; i < all.Count; i++)
        {
            var photo = all[i];
            var output = Path.Combine(scratch, $"vips-{i}.webp");
            for (var turn = 0; turn < 2; turn++)
            {
                if ((turn == 0) == (i % 2 == 0))
                {
                    var path = photo.Path(Variants[0].Spec);
                    var answer = await GetAsync(path, cancellationToken);
                    CheckRendition(path, answer);
                    api.Add(answer.Ms);
                    apiBytes.Add(answer.Body.Length);
                }
                else
                {
                    var (ms, failure) = await vips.ThumbnailAsync(photo.File, output, Settings.RenditionWidth, cancellationToken);
                    if (failure is not null)
                    {
                        throw new MediaFailure(failure);
                    }

                    var made = await File.ReadAllBytesAsync(output, cancellationToken);
                    if (Photos.Size(made) is not (Settings.RenditionWidth, _))
                    {
                        throw new MediaFailure($"vips thumbnail made {Photos.Size(made)?.ToString() ?? "no image"}, not a {Settings.RenditionWidth}-wide WebP");
                    }

                    reference.Add(ms);
                    referenceBytes.Add(made.Length);
                    File.Delete(output);
                }
            }

            Log.Line($"[{benchCase.Name}] photo {i + 1}/{all.Count}: API {Format.Fixed(api[^1], 1)} ms, vips {Format.Fixed(reference[^1], 1)} ms");
        }

        var result = new TimedResult(
            benchCase.Name,
            what,
            new Timings(api),
            all[0].Bytes,
            (long?)Stats.Median(apiBytes),
            vips.Description,
            new Timings(reference),
            (long?)Stats.Median(referenceBytes),
            note,
            null);
        Log.Line($"[{benchCase.Name}] API median {Format.Fixed(result.Api.MedianMs, 1)} ms, vips thumbnail median {Format.Fixed(result.Reference!.MedianMs, 1)} ms: ratio {Format.Fixed(result.RatioToReference, 3)}");
        return result;
    }

    /// <summary>
    /// media:cold-concurrent-N: the case's own variants of every photo (none rendered yet), N
    /// requests at a time until each was made once; requests/s over the whole, latency percentiles,
    /// the API's and PostgreSQL's CPU time per render, and the API's peak RSS (its VmHWM, reset
    /// just before through /proc/PID/clear_refs, and the samples of every 0.2 s).
    /// </summary>
    private async Task<CaseResult> ConcurrentAsync(BenchCase benchCase, int concurrency, Aim aim, CancellationToken cancellationToken)
    {
        var all = await PhotosAsync(cancellationToken);
        var variants = concurrency <= 2 ? Variants[1..3] : Variants[3..7];
        Log.Line($"[{benchCase.Name}] signing {variants.Length} specs ({string.Join(", ", variants.Select(v => v.Spec))}) of each of the {all.Count} photos...");
        var paths = new List<string>();
        foreach (var variant in variants)
        {
            foreach (var photo in all)
            {
                paths.Add(await SignAsync(photo, variant, cancellationToken));
            }
        }

        Random.Shared.Shuffle(CollectionsMarshalList(paths));
        Log.Line($"[{benchCase.Name}] {paths.Count} cold renders, {concurrency} requests at a time (renders at once in the API: {MediaSetup.Describe(repo, settings, vips).RendersAtOnce})");
        var pid = aim.App.Pid;
        var resetHwm = ResetHighWaterMark(pid);
        var cpuBefore = ProcFs.CpuTicks(pid);
        var dbBefore = ProcFs.PostgresTicks(clusterDir);
        var start = ProcFs.NowMs();
        var clock = Stopwatch.StartNew();
        var next = -1;
        var answers = new Answer[paths.Count];
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < paths.Count)
            {
                answers[i] = await GetAsync(paths[i], cancellationToken);
            }
        }, cancellationToken)).ToList();
        await Task.WhenAll(workers);
        var seconds = clock.Elapsed.TotalSeconds;
        var cpuAfter = ProcFs.CpuTicks(pid);
        var dbAfter = ProcFs.PostgresTicks(clusterDir);
        var end = ProcFs.NowMs();
        var hwm = resetHwm ? ProcFs.KbToMib(ProcFs.StatusKb(pid, "VmHWM")) : null;
        var sampled = aim.App.Rss.PeakMib(start, end);
        var rss = hwm is null ? sampled : sampled is null ? hwm : Math.Max(hwm.Value, sampled.Value);
        Log.Line($"[{benchCase.Name}] peak RSS {Format.Count(rss)} MiB (VmHWM since the case began: {(resetHwm ? Format.Count(hwm) : "could not reset it")}; sampled: {Format.Count(sampled)})");

        var failed = answers.Where(a => a.Code != 200 || a.ContentType != "image/webp").ToList();
        var latencies = answers.Select(a => a.Ms).ToList();
        var responses = answers.Count(a => a.Code != 0);
        string? failure = null;
        if (failed.Count > 0)
        {
            var statuses = failed.GroupBy(a => a.Code).OrderBy(g => g.Key).Select(g => $"{g.Key}:{g.Count()}");
            failure = $"{failed.Count} of {answers.Length} answers were not a 200 image/webp (status:count {string.Join(',', statuses)}); first: {failed[0].Describe()}";
            Log.Line($"error: [{benchCase.Name}] {failure}");
        }

        var ok = answers.FirstOrDefault(a => a.Code == 200);
        var result = new CaseResult(
            benchCase.Name,
            null,
            answers.Length / seconds,
            Stats.Percentile(latencies, 50),
            Stats.Percentile(latencies, 99),
            answers.Count(a => a.Code is not (0 or (>= 200 and < 300))),
            failed.Count(a => a.Code != 0),
            answers.Count(a => a.Code == 0),
            ok?.Body.Length,
            MicrosPerResponse(cpuBefore, cpuAfter, responses),
            MicrosPerResponse(dbBefore, dbAfter, responses),
            rss,
            failure);
        Log.Line($"[{benchCase.Name}] {answers.Length} renders in {Format.Fixed(seconds, 2)} s: {Format.Fixed(result.RequestsPerSecond, 2)}/s, "
            + $"latency p50 {Format.Fixed(result.P50Ms, 1)} ms, p90 {Format.Fixed(Stats.Percentile(latencies, 90), 1)} ms, p99 {Format.Fixed(result.P99Ms, 1)} ms");
        return result;
    }

    /// <summary>
    /// media:cached-rendition and media:cached-thumbnail: the SPEC.webp of up to four photos,
    /// rendered beforehand (the w1200 by media:cold-render or else by this case's check, the w160 by
    /// the preparation), fetched with wrk as the article cases are.
    /// </summary>
    private async Task<CaseResult> CachedAsync(BenchCase benchCase, string spec, Aim aim, CancellationToken cancellationToken)
    {
        var all = await PhotosAsync(cancellationToken);
        var paths = all.Take(4).Select(p => p.Path(spec)).ToList();
        var width = int.Parse(spec[1..], CultureInfo.InvariantCulture);
        Log.Line($"[{benchCase.Name}] GET {settings.ApiUrl}{paths[0]} (and {paths.Count - 1} more photos' {spec}.webp in turn)");
        long? body = null;
        foreach (var path in paths)
        {
            var answer = await GetAsync(path, cancellationToken);
            CheckRendition(path, answer, width);
            if (answer.ETag is null)
            {
                throw new MediaFailure($"GET {path} answered without an ETag");
            }

            body ??= answer.Body.Length;
        }

        var file = Path.Combine(runDir, benchCase.FileStem + ".paths");
        await File.WriteAllLinesAsync(file, paths, cancellationToken);
        return await runner.MeasurePathsAsync(benchCase, aim, file, body, cancellationToken);
    }

    /// <summary>
    /// media:upload-10mib: POST /v1/media of a 6000 x 4000 JPEG of about 10 MiB, one at a time, each
    /// with its own comment (so its own hash: no upload finds the medium of another), timed from
    /// the request to the last byte of the 201; one untimed upload first.
    /// </summary>
    private async Task<TimedResult> UploadsAsync(BenchCase benchCase, CancellationToken cancellationToken)
    {
        Log.Line($"[{benchCase.Name}] making a {Photos.LargeWidth} x {Photos.LargeHeight} JPEG (quality {Photos.LargeQuality})...");
        var clock = Stopwatch.StartNew();
        var large = Photos.Jpeg(Photos.LargeWidth, Photos.LargeHeight, Photos.LargeQuality);
        var size = $"{Format.Fixed(large.Length / 1048576.0, 2)} MiB";
        var what = $"POST /v1/media of a {Photos.LargeWidth} x {Photos.LargeHeight} JPEG, new bytes each time";
        Log.Line($"[{benchCase.Name}] made {size} in {Format.Elapsed(clock.Elapsed)} s; one untimed upload, then {settings.MediaUploads} timed, one at a time");
        await UploadAsync(Photos.WithComment(large, $"{FilePrefix}{stamp} upload warm-up"), $"{FilePrefix}upload-warm-up.jpg", (Photos.LargeWidth, Photos.LargeHeight), cancellationToken);
        var times = new List<double>();
        for (var i = 1; i <= settings.MediaUploads; i++)
        {
            var bytes = Photos.WithComment(large, $"{FilePrefix}{stamp} upload {i}");
            var (answer, _) = await UploadAsync(bytes, $"{FilePrefix}upload-{i}.jpg", (Photos.LargeWidth, Photos.LargeHeight), cancellationToken);
            times.Add(answer.Ms);
            Log.Line($"[{benchCase.Name}] upload {i}/{settings.MediaUploads}: {Format.Fixed(answer.Ms, 1)} ms");
        }

        var result = new TimedResult(benchCase.Name, what, new Timings(times), large.Length, null, null, null, null, null, null);
        Log.Line($"[{benchCase.Name}] median {Format.Fixed(result.Api.MedianMs, 1)} ms, p90 {Format.Fixed(result.Api.P90Ms, 1)} ms ({Format.Fixed(result.MibPerSecond, 1)} MiB/s)");
        return result;
    }

    // ------------------------------------------------------------------ fixtures

    /// <summary>The uploaded photos (uploaded, and their w160 fetched, by the first case that needs them).</summary>
    private async Task<List<Photo>> PhotosAsync(CancellationToken cancellationToken)
    {
        if (photos is not null)
        {
            return photos;
        }

        var count = settings.MediaImages;
        Log.Line($"[media] making a {Settings.PhotoWidth} x {Settings.PhotoHeight} photo-like JPEG (quality {Photos.PhotoQuality})...");
        var clock = Stopwatch.StartNew();
        var picture = Photos.Jpeg(Settings.PhotoWidth, Settings.PhotoHeight, Photos.PhotoQuality);
        Log.Line($"[media] made {Format.Fixed(picture.Length / 1048576.0, 2)} MiB in {Format.Elapsed(clock.Elapsed)} s; uploading {count} copies, each with its own JPEG comment...");
        clock.Restart();
        var list = new List<Photo>();
        for (var i = 0; i < count; i++)
        {
            var bytes = Photos.WithComment(picture, $"{FilePrefix}{stamp} photo {i}");
            var file = Path.Combine(scratch, $"photo-{i}.jpg");
            await File.WriteAllBytesAsync(file, bytes, cancellationToken);
            var (_, medium) = await UploadAsync(bytes, $"{FilePrefix}photo-{i}.jpg", (Settings.PhotoWidth, Settings.PhotoHeight), cancellationToken);
            list.Add(new Photo(medium.Id, medium.Template, file, bytes.Length));
        }

        Log.Line($"[media] uploaded {count} photos in {Format.Elapsed(clock.Elapsed)} s; fetching the w160.webp of each (copies each original into the rendition cache)...");
        clock.Restart();
        var first = new List<double>();
        foreach (var photo in list)
        {
            var path = photo.Path("w160");
            var answer = await GetAsync(path, cancellationToken);
            CheckRendition(path, answer, 160);
            first.Add(answer.Ms);
        }

        Log.Line($"[media] fetched in {Format.Elapsed(clock.Elapsed)} s (median {Format.Fixed(Stats.Median(first.Select(v => (double?)v)), 1)} ms, the first {Format.Fixed(first[0], 1)} ms)");
        photos = list;
        return list;
    }

    private sealed record Medium(long Id, string Template);

    /// <summary>POST /v1/media of BYTES as FILENAME; the timed answer (a 201 is required) and the medium it made.</summary>
    private async Task<(Answer Answer, Medium Medium)> UploadAsync(byte[] bytes, string fileName, (int Width, int Height) size, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, settings.ApiUrl + "/v1/media");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        request.Content = new ByteArrayContent(bytes);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        request.Content.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileName = fileName };
        var answer = await SendAsync(request, cancellationToken);
        if (answer.Code != 201)
        {
            throw new MediaFailure($"POST /v1/media of {fileName} answered {answer.Describe()}, not 201");
        }

        try
        {
            using var json = JsonDocument.Parse(answer.Body);
            var root = json.RootElement;
            var (width, height, length) = (root.GetProperty("width").GetInt32(), root.GetProperty("height").GetInt32(), root.GetProperty("bytes").GetInt64());
            if ((width, height) != size || length != bytes.Length)
            {
                throw new MediaFailure($"POST /v1/media of {fileName} made a medium of {width} x {height} pixels and {length} bytes, not {size.Width} x {size.Height} and {bytes.Length}");
            }

            return (answer, new Medium(root.GetProperty("id").GetInt64(), PathOf(root.GetProperty("renditions").GetProperty("template").GetString()!)));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new MediaFailure($"POST /v1/media of {fileName}: cannot read the medium in the answer ({e.Message})");
        }
    }

    /// <summary>The path of a rendition, signed when its spec is off the allow-list, from GET /v1/media/{id}/renditions.</summary>
    private async Task<string> SignAsync(Photo photo, (string Spec, int? Height, string Fit, int? Quality) variant, CancellationToken cancellationToken)
    {
        var query = $"width={Settings.RenditionWidth}&format=webp"
            + (variant.Height is { } h ? $"&height={h}" : "")
            + (variant.Fit != "inside" ? $"&fit={variant.Fit}" : "")
            + (variant.Quality is { } q ? $"&quality={q}" : "");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{settings.ApiUrl}/v1/media/{photo.Id}/renditions?{query}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var answer = await SendAsync(request, cancellationToken);
        if (answer.Code != 200)
        {
            throw new MediaFailure($"GET /v1/media/{photo.Id}/renditions?{query} answered {answer.Describe()}");
        }

        using var json = JsonDocument.Parse(answer.Body);
        var path = PathOf(json.RootElement.GetProperty("url").GetString()!);
        if (!path.Contains($"/{variant.Spec}.webp", StringComparison.Ordinal))
        {
            throw new MediaFailure($"GET /v1/media/{photo.Id}/renditions?{query} gave {path}, not a {variant.Spec}.webp");
        }

        return path;
    }

    /// <summary>GET PATH of the API (no key: renditions are public), timed to the last byte.</summary>
    private async Task<Answer> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, settings.ApiUrl + path);
        return await SendAsync(request, cancellationToken);
    }

    private async Task<Answer> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(RequestTimeout);
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, limit.Token);
            var body = await response.Content.ReadAsByteArrayAsync(limit.Token);
            var ms = clock.Elapsed.TotalMilliseconds;
            return new Answer((int)response.StatusCode, ms, body, response.Content.Headers.ContentType?.MediaType, response.Headers.ETag?.ToString(), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Answer(0, clock.Elapsed.TotalMilliseconds, [], null, null, $"no answer within {RequestTimeout.TotalSeconds:F0} s");
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return new Answer(0, clock.Elapsed.TotalMilliseconds, [], null, null, e.Message);
        }
    }

    /// <summary>Fails the case unless ANSWER is a 200 WebP of WIDTH pixels.</summary>
    private static void CheckRendition(string path, Answer answer, int width = Settings.RenditionWidth)
    {
        if (answer.Code != 200 || answer.ContentType != "image/webp")
        {
            throw new MediaFailure($"GET {path} answered {answer.Describe()} ({answer.ContentType ?? "no type"}), not a 200 image/webp");
        }

        if (Photos.Size(answer.Body) is not { } size || size.Width != width)
        {
            throw new MediaFailure($"GET {path} gave {(Photos.Size(answer.Body) is { } s ? $"a {s.Width} x {s.Height} image" : "no readable image")}, not {width} pixels wide");
        }
    }

    /// <summary>A URL's path and query (the API gives absolute URLs when Media:PublicBaseUrl is set).</summary>
    private static string PathOf(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri.PathAndQuery : url;

    /// <summary>Deletes the bench's media (by their file names) and its key, from this run or an earlier one.</summary>
    private async Task CleanUpAsync(CancellationToken cancellationToken)
    {
        var deleted = await psql.ScalarAsync($"""
            WITH gone AS (DELETE FROM media WHERE file_name LIKE '{FilePrefix}%' RETURNING 1)
            SELECT count(*) FROM gone
            """, cancellationToken);
        await psql.RunAsync(["-c", $"DELETE FROM api_keys WHERE name = '{KeyName}'"], cancellationToken);
        if (deleted != "0")
        {
            Log.Line($"[media] deleted {deleted} bench media and the bench's key");
        }
    }

    /// <summary>Resets PID's VmHWM to its current RSS (writing 5 to /proc/PID/clear_refs, Linux 4.0 on); false when that is not allowed.</summary>
    private static bool ResetHighWaterMark(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private double? MicrosPerResponse(long? from, long? to, long responses) =>
        from is null || to is null || responses < 1 ? null : Math.Round((to.Value - from.Value) * 1_000_000.0 / clockTicks / responses);

    private static Span<string> CollectionsMarshalList(List<string> list) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list);

    private static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Line($"warning: could not delete {folder}: {e.Message}");
        }
    }
}
