using System.Collections;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Api.Bench;

/// <summary>Ends the run with exit status 1; the message, when there is one, is printed as "error: ...".</summary>
internal sealed class BenchFailure(string? message = null) : Exception(message ?? "the run failed")
{
    /// <summary>False when whoever failed has printed why already.</summary>
    public bool HasMessage { get; } = message is not null;
}

/// <summary>A wrong argument or setting: exit status 2.</summary>
internal sealed class UsageError(string message) : Exception(message);

/// <summary>Progress and diagnostics, on standard error (standard output carries the report).</summary>
internal static class Log
{
    public static void Line(string text = "") => Console.Error.WriteLine(text);
}

/// <summary>Where the repository's parts are.</summary>
internal sealed record RepoPaths(string Root)
{
    public string ApiProject => Path.Combine(Root, "src/Api/Api.csproj");
    public string ApiBin => Path.Combine(Root, "src/Api/bin/Release/net10.0");
    public string BenchDir => Path.Combine(Root, "tests/Api.Bench");
    public string ReferenceProject => Path.Combine(BenchDir, "Reference/Reference.csproj");
    public string ReferenceBin => Path.Combine(BenchDir, "Reference/bin/Release/net10.0");
    public string WrkScripts => Path.Combine(BenchDir, "Wrk");
    public string SearchQueries => Path.Combine(WrkScripts, "search-queries.txt");
    public string GenerateSql => Path.Combine(BenchDir, "Sql/generate.sql");
    public string PostgresLib => Path.Combine(Root, "scripts/lib/postgres.sh");

    /// <summary>The repository holding this program: the nearest folder up from it with src/Api and scripts/lib.</summary>
    public static RepoPaths Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "src/Api/Api.csproj"))
                && File.Exists(Path.Combine(dir.FullName, "scripts/lib/postgres.sh")))
            {
                return new RepoPaths(Native.RealPath(dir.FullName));
            }
        }

        throw new BenchFailure($"cannot find the repository (src/Api/Api.csproj) above {AppContext.BaseDirectory}");
    }
}

/// <summary>The run's settings: NEWSAPI_BENCH_* and ConnectionStrings__Content, with their defaults.</summary>
internal sealed partial record Settings(
    int ApiPort,
    int ReferencePort,
    string PgPort,
    string DataDir,
    int Articles,
    int DurationSeconds,
    int WarmupSeconds,
    int Rounds,
    int Slices,
    int Connections,
    int Threads,
    string? ExternalConnectionString,
    int MediaImages,
    int MediaUploads)
{
    /// <summary>The page whose cursor list-deep-page requests.</summary>
    public const int DeepPage = 1000;

    /// <summary>The page size of the lists.</summary>
    public const int PageSize = 20;

    /// <summary>
    /// Requests slower than this count as wrk timeouts (socket errors); well above the latencies
    /// expected here, so slow answers are measured, not dropped.
    /// </summary>
    public const string WrkTimeout = "10s";

    /// <summary>Starts of the startup case.</summary>
    public const int StartupRuns = 3;

    /// <summary>The interval of the startup case's readiness polls.</summary>
    public static readonly TimeSpan StartupPoll = TimeSpan.FromMilliseconds(20);

    /// <summary>How long any start of either app may take before the run gives up.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Width of the photos the media cases render from (4000 x 3000, 12 megapixels).</summary>
    public const int PhotoWidth = 4000;

    public const int PhotoHeight = 3000;

    /// <summary>Width the cold renditions are made at, as WebP (the API's defaults: quality 80, effort 4).</summary>
    public const int RenditionWidth = 1200;

    /// <summary>The database of the benchmark in the private cluster.</summary>
    public const string BenchDatabase = "newsapi_bench";

    /// <summary>
    /// Articles in the hot set of cached:article-by-slug and conditional:article-by-slug (at most
    /// N): enough to spread the load, few enough for any response cache to hold.
    /// </summary>
    public int HotArticles => Math.Min(3000, Articles);

    /// <summary>Hidden articles (drafts and scheduled ones): 2% of the visible ones.</summary>
    public int Hidden => Articles / 50;

    public string ApiUrl => $"http://127.0.0.1:{ApiPort}";

    public string ReferenceUrl => $"http://127.0.0.1:{ReferencePort}";

    public bool PrivateCluster => ExternalConnectionString is null;

    /// <summary>The article every article case checks first (and whose body size it reports).</summary>
    public string CheckArticlePath => $"/v1/articles/bench-article-{(Articles + 1) / 2}";

    /// <summary>Reads and checks the settings; throws <see cref="UsageError"/> for a wrong one.</summary>
    public static Settings FromEnvironment(RepoPaths repo, IDictionary environment)
    {
        string? Get(string name) => environment[name] is string { Length: > 0 } value ? value : null;

        var apiPort = Port("NEWSAPI_BENCH_PORT", Get("NEWSAPI_BENCH_PORT") ?? "5081");
        var referencePort = Port("NEWSAPI_BENCH_REFERENCE_PORT", Get("NEWSAPI_BENCH_REFERENCE_PORT") ?? "5082");
        var articles = Count("NEWSAPI_BENCH_ARTICLES", Get("NEWSAPI_BENCH_ARTICLES") ?? "100000", 1);
        var duration = Count("NEWSAPI_BENCH_DURATION", Get("NEWSAPI_BENCH_DURATION") ?? "10", 1);
        // .NET's tiered compilation with dynamic PGO keeps recompiling hot methods for tens of
        // seconds under load on a small machine (the API's CPU time per list page fell from 960 to
        // 290 us over its first 40 s), so a short warm-up would measure the JIT rather than the
        // app; both apps get the same.
        var warmup = Count("NEWSAPI_BENCH_WARMUP", Get("NEWSAPI_BENCH_WARMUP") ?? "20", 1);
        var rounds = Count("NEWSAPI_BENCH_ROUNDS", Get("NEWSAPI_BENCH_ROUNDS") ?? "3", 1);
        // The machine's speed drifts by a fifth from one half-minute to the next (wrk's own CPU time
        // per response moves with it), so a case and its reference are measured in short slices in
        // turns rather than one after the other.
        var slices = Count("NEWSAPI_BENCH_SLICES", Get("NEWSAPI_BENCH_SLICES") ?? "5", 1);
        var connections = Count("NEWSAPI_BENCH_CONNECTIONS", Get("NEWSAPI_BENCH_CONNECTIONS") ?? "32", 1);
        var threads = Count("NEWSAPI_BENCH_THREADS", Get("NEWSAPI_BENCH_THREADS") ?? "2", 1);
        // Cold renders are a few hundred milliseconds each: enough of them for a median and a p90
        // without the media cases taking minutes on a small machine.
        var mediaImages = Count("NEWSAPI_BENCH_MEDIA_IMAGES", Get("NEWSAPI_BENCH_MEDIA_IMAGES") ?? "12", 2);
        var mediaUploads = Count("NEWSAPI_BENCH_MEDIA_UPLOADS", Get("NEWSAPI_BENCH_MEDIA_UPLOADS") ?? "6", 1);
        if (mediaImages > 500 || mediaUploads > 100)
        {
            throw new UsageError("NEWSAPI_BENCH_MEDIA_IMAGES may be at most 500 and NEWSAPI_BENCH_MEDIA_UPLOADS at most 100");
        }

        if (connections < threads)
        {
            throw new UsageError($"NEWSAPI_BENCH_CONNECTIONS ({connections}) must be at least NEWSAPI_BENCH_THREADS ({threads})");
        }

        if (apiPort == referencePort)
        {
            throw new UsageError($"NEWSAPI_BENCH_PORT and NEWSAPI_BENCH_REFERENCE_PORT must differ (both {apiPort})");
        }

        return new Settings(
            apiPort,
            referencePort,
            // Checked where the cluster starts (scripts/lib/postgres.sh), and only when it does.
            Get("NEWSAPI_BENCH_PG_PORT") ?? "55434",
            Get("NEWSAPI_BENCH_DATA_DIR") ?? Path.Combine(repo.Root, ".data/bench"),
            articles,
            duration,
            warmup,
            rounds,
            slices,
            connections,
            threads,
            Get("ConnectionStrings__Content"),
            mediaImages,
            mediaUploads);
    }

    private static int Count(string name, string value, int min)
    {
        if (!Digits().IsMatch(value) || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < min)
        {
            throw new UsageError($"{name} must be an integer >= {min}, got '{value}'");
        }

        if (number > int.MaxValue)
        {
            throw new UsageError($"{name} is too large, got '{value}'");
        }

        return (int)number;
    }

    private static int Port(string name, string value)
    {
        var port = Count(name, value, 1);
        if (port > 65535)
        {
            throw new UsageError($"{name} must be a TCP port number (1-65535), got '{value}'");
        }

        return port;
    }

    [GeneratedRegex("^[0-9]+$")]
    private static partial Regex Digits();
}
