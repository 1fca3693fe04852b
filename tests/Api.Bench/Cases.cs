namespace Api.Bench;

/// <summary>The groups the cases run in, in this order.</summary>
internal enum Group
{
    /// <summary>The reference app (its cases measured in turns with the API's same case when both run).</summary>
    Reference,

    /// <summary>The API with its response cache off.</summary>
    Uncached,

    /// <summary>The API restarted with its response cache on.</summary>
    Cached,

    /// <summary>
    /// Reads while an editor key writes: the API restarted (response cache on, write rate limits
    /// lifted), its memory kept apart from the read cases' (writes allocate what reads never do).
    /// </summary>
    Writes,

    /// <summary>
    /// The media library: the API restarted (response cache on) with a fresh rendition cache, its
    /// memory kept apart from the read cases'.
    /// </summary>
    Media,

    /// <summary>Start-up to ready.</summary>
    Startup,
}

/// <summary>What a case requests, and what it checks before it measures.</summary>
internal abstract record Workload;

/// <summary>GET /v1/articles/bench-article-(random 1..N) (random-article.lua), after one article checked.</summary>
internal sealed record RandomArticles : Workload;

/// <summary>GET one list path (paths.lua), after checking that it answers 200 with some items.</summary>
internal sealed record ListPage(string Path) : Workload;

/// <summary>A list page reached by walking nextCursor from page 1, then as <see cref="ListPage"/>.</summary>
internal sealed record DeepListPage(int Page) : Workload;

/// <summary>Full-text search rotating among the queries of search-queries.txt (search.lua), each checked first.</summary>
internal sealed record SearchQueries : Workload;

/// <summary>The hot set's articles in turn (paths-file.lua), or with If-None-Match and 304 expected.</summary>
internal sealed record HotSet(bool Conditional) : Workload;

/// <summary>
/// A read (one list path, or the hot set's articles when <see cref="Path"/> is null) while an editor
/// key saves articles, WRITES a second, throughout the warm-up and the measured run: the first 100
/// bench articles in turn (spread over five years, so seldom on the page read), or with
/// <see cref="SavesWhatIsRead"/> the articles the list page shows, in turn.
/// </summary>
internal sealed record UnderWrites(string? Path, double WritesPerSecond, bool SavesWhatIsRead = false) : Workload;

/// <summary>One list path with If-None-Match and its ETag (paths-file.lua), 304 expected.</summary>
internal sealed record ConditionalListPage(string Path) : Workload;

/// <summary>
/// Cold renditions one at a time (no wrk): each timed from request to last byte, then libvips' own
/// <c>vips thumbnail</c> doing the same on the same files, the two interleaved.
/// </summary>
internal sealed record ColdRenders : Workload;

/// <summary>Cold renditions, CONCURRENCY requests at a time until each of a fixed set was made once (no wrk).</summary>
internal sealed record ConcurrentColdRenders(int Concurrency) : Workload;

/// <summary>The SPEC.webp renditions of a few photos, already in the rendition cache (paths-file.lua).</summary>
internal sealed record CachedRenditions(string Spec) : Workload;

/// <summary>Uploads of a ~10 MiB JPEG, one at a time, each with distinct bytes (no wrk).</summary>
internal sealed record LargeUploads : Workload;

/// <summary>Starts of the API, timed to its first ready answer; no wrk.</summary>
internal sealed record StartupTimes(int Starts) : Workload;

/// <summary>A case of the bench.</summary>
internal sealed record BenchCase(string Name, Group Group, Workload Workload)
{
    /// <summary>The API's case a reference case is the yardstick of (ref:X → X).</summary>
    public string? Counterpart => Group == Group.Reference ? Name["ref:".Length..] : null;

    /// <summary>The stem of its raw output files ("cached:list-first-page" → "cached-list-first-page").</summary>
    public string FileStem => Name.Replace(':', '-');
}

internal static class Catalog
{
    private const string FirstPage = "/v1/articles?limit=20";
    private const string CategoryPage = "/v1/articles?category=bilateral-relations&limit=20";

    /// <summary>Every case, in the order they run by default.</summary>
    public static readonly IReadOnlyList<BenchCase> All =
    [
        new("ref:article-by-slug", Group.Reference, new RandomArticles()),
        new("ref:list-first-page", Group.Reference, new ListPage(FirstPage)),
        new("ref:category-with-descendants", Group.Reference, new ListPage(CategoryPage)),
        new("ref:search", Group.Reference, new SearchQueries()),
        new("article-by-slug", Group.Uncached, new RandomArticles()),
        new("list-first-page", Group.Uncached, new ListPage(FirstPage)),
        new("list-deep-page", Group.Uncached, new DeepListPage(Settings.DeepPage)),
        new("category-with-descendants", Group.Uncached, new ListPage(CategoryPage)),
        new("search", Group.Uncached, new SearchQueries()),
        new("cached:article-by-slug", Group.Cached, new HotSet(Conditional: false)),
        new("cached:list-first-page", Group.Cached, new ListPage(FirstPage)),
        new("conditional:article-by-slug", Group.Cached, new HotSet(Conditional: true)),
        new("conditional:list-first-page", Group.Cached, new ConditionalListPage(FirstPage)),
        new("writes-0ps:list-first-page", Group.Writes, new UnderWrites(FirstPage, 0)),
        new("writes-1ps:list-first-page", Group.Writes, new UnderWrites(FirstPage, 1)),
        new("writes-10ps:list-first-page", Group.Writes, new UnderWrites(FirstPage, 10)),
        new("writes-1ps-shown:list-first-page", Group.Writes, new UnderWrites(FirstPage, 1, SavesWhatIsRead: true)),
        new("writes-1ps:article-by-slug", Group.Writes, new UnderWrites(null, 1)),
        new("media:cold-render", Group.Media, new ColdRenders()),
        new("media:cold-concurrent-2", Group.Media, new ConcurrentColdRenders(2)),
        new("media:cold-concurrent-8", Group.Media, new ConcurrentColdRenders(8)),
        new("media:cached-rendition", Group.Media, new CachedRenditions("w1200")),
        new("media:cached-thumbnail", Group.Media, new CachedRenditions("w160")),
        new("media:upload-10mib", Group.Media, new LargeUploads()),
        new("startup", Group.Startup, new StartupTimes(Settings.StartupRuns)),
    ];
}

/// <summary>
/// The selected cases by group. The reference group is a list of turns: one case run alone, or a
/// reference case with the API's same case (and list-deep-page with list-first-page) measured in
/// turns, round after round.
/// </summary>
internal sealed record Plan(
    IReadOnlyList<BenchCase> Selected,
    IReadOnlyList<IReadOnlyList<BenchCase>> ReferenceTurns,
    IReadOnlyList<BenchCase> Uncached,
    IReadOnlyList<BenchCase> Cached,
    IReadOnlyList<BenchCase> Writes,
    IReadOnlyList<BenchCase> Media,
    BenchCase? Startup)
{
    public bool AnyReference => ReferenceTurns.Count > 0;

    /// <summary>Whether some cases run in turns (a reference case with the API's).</summary>
    public bool AnyInTurns => ReferenceTurns.Any(turn => turn.Count > 1);

    /// <summary>Whether any case loads the API outside the media group (the whole-run peak RSS target needs one).</summary>
    public bool AnyApiCase => Selected.Any(c => c.Group is Group.Uncached or Group.Cached or Group.Startup);

    public bool WasSelected(string name) => Selected.Any(c => c.Name == name);

    /// <summary>The cases named (every case when none is), by group; unknown names are a usage error.</summary>
    public static Plan From(IReadOnlyList<string> names)
    {
        var selected = new List<BenchCase>();
        foreach (var name in names)
        {
            var known = Catalog.All.FirstOrDefault(c => c.Name == name)
                ?? throw new UsageError($"unknown case '{name}'; cases: {string.Join(' ', Catalog.All.Select(c => c.Name))}");
            if (!selected.Contains(known))
            {
                selected.Add(known);
            }
        }

        if (selected.Count == 0)
        {
            selected.AddRange(Catalog.All);
        }

        var reference = selected.Where(c => c.Group == Group.Reference).ToList();
        var api = selected.Where(c => c.Group == Group.Uncached).ToList();
        var turns = new List<IReadOnlyList<BenchCase>>();
        foreach (var referenceCase in reference)
        {
            var turn = new List<BenchCase> { referenceCase };
            var counterpart = api.FirstOrDefault(c => c.Name == referenceCase.Counterpart);
            if (counterpart is not null)
            {
                turn.Add(counterpart);
                // Keyset pagination: page 1000 is compared with page 1, so it joins that turn.
                var deep = api.FirstOrDefault(c => c.Workload is DeepListPage);
                if (counterpart.Name == "list-first-page" && deep is not null)
                {
                    turn.Add(deep);
                }
            }

            turns.Add(turn);
        }

        var inTurns = turns.SelectMany(t => t).ToHashSet();
        return new Plan(
            selected,
            turns,
            api.Where(c => !inTurns.Contains(c)).ToList(),
            selected.Where(c => c.Group == Group.Cached).ToList(),
            selected.Where(c => c.Group == Group.Writes).ToList(),
            selected.Where(c => c.Group == Group.Media).ToList(),
            selected.FirstOrDefault(c => c.Group == Group.Startup));
    }
}
