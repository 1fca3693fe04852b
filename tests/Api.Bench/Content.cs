using System.Diagnostics;
using System.Globalization;

namespace Api.Bench;

/// <summary>The benchmark content as the cases find it.</summary>
internal sealed record ContentState(
    string Generation,
    long VisibleInDatabase,
    long BenchInDatabase,
    long TotalInDatabase,
    string PostgresVersion,
    string Buffers);

/// <summary>Generates the content with Sql/generate.sql (topping up what is missing), then prewarms the buffers.</summary>
internal static class Content
{
    public static async Task<ContentState> PrepareAsync(
        Psql psql, Settings settings, RepoPaths repo, string runDir, CancellationToken cancellationToken)
    {
        var missing = long.Parse(await psql.ScalarAsync($"""
            SELECT (SELECT count(*) FROM generate_series(1, {settings.Articles}) g
                     WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.slug = 'bench-article-' || g))
                 + (SELECT count(*) FROM generate_series(1, {settings.Hidden}) g
                     WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.slug = 'bench-hidden-' || g))
            """, cancellationToken), CultureInfo.InvariantCulture);
        string generation;
        if (missing == 0)
        {
            Log.Line($"Benchmark content already present ({settings.Articles} visible + {settings.Hidden} hidden bench articles); not generating");
            generation = "already present";
        }
        else
        {
            generation = await GenerateAsync(psql, settings, repo, runDir, missing, cancellationToken);
        }

        var stats = (await psql.RunAsync(["-tA", "-F", " ", "-c", """
            SELECT count(*) FILTER (WHERE status = 'published' AND published_at <= now() AND deleted_at IS NULL),
                   count(*) FILTER (WHERE slug LIKE 'bench-%'),
                   count(*)
            FROM articles
            """], cancellationToken)).Split(' ').Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var requested = settings.Articles + settings.Hidden;
        if (stats[1] > requested)
        {
            Log.Line($"note: the database holds {stats[1]} bench articles, more than the {requested} requested (an earlier, larger NEWSAPI_BENCH_ARTICLES); the lists see all of them");
        }

        var version = await psql.ScalarAsync("SELECT version()", cancellationToken);
        var buffers = settings.PrivateCluster ? await PrewarmAsync(psql, cancellationToken) : "not done (external database)";
        return new ContentState(generation, stats[0], stats[1], stats[2], version, buffers);
    }

    private static async Task<string> GenerateAsync(
        Psql psql, Settings settings, RepoPaths repo, string runDir, long missing, CancellationToken cancellationToken)
    {
        if (!settings.PrivateCluster)
        {
            var target = ConnectionStrings.Describe(ConnectionStrings.ToLibpq(settings.ExternalConnectionString!));
            Log.Line($"""

                ################################################################################
                #  WARNING: scripts/bench is about to WRITE {missing} benchmark articles
                #  (slugs bench-article-*, bench-hidden-*) and up to 40 tags into the database
                #  of ConnectionStrings__Content ({target}).
                #  They are not removed afterwards.
                ################################################################################

                """);
            if (!Console.IsInputRedirected)
            {
                Log.Line("Continuing in 10 s; press Ctrl-C to abort.");
                await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
            }
        }

        var categories = long.Parse(await psql.ScalarAsync("SELECT count(*) FROM categories", cancellationToken), CultureInfo.InvariantCulture);
        if (categories == 0)
        {
            throw new BenchFailure("the database has no categories; generate.sql spreads articles over the existing ones");
        }

        // One session per CPU (at most 4), each inserting every parts-th article: computing each
        // row's generated search vector and its index entries dominates, and a session uses one CPU.
        var parts = Math.Clamp(Environment.ProcessorCount, 1, 4);
        Log.Line($"Generating {missing} benchmark articles ({settings.Articles} visible + {settings.Hidden} hidden in total) over {categories} categories, {parts} sessions...");
        var clock = Stopwatch.StartNew();
        var sessions = Enumerable.Range(0, parts).Select(part => psql.Start(
            [
                "-v", $"articles={settings.Articles}", "-v", $"hidden={settings.Hidden}", "-v", $"part={part}", "-v", $"parts={parts}",
                "-v", "vacuum=false", "-f", repo.GenerateSql,
            ],
            Path.Combine(runDir, $"generate-{part}.log"))).ToList();
        try
        {
            try
            {
                await Task.WhenAll(sessions.Select(s => s.WaitForExitAsync(cancellationToken)));
            }
            catch (OperationCanceledException)
            {
                // SIGINT makes psql send a cancel request, so the server rolls their transactions back.
                Log.Line("Cancelling the data generation...");
                await Child.StopAllAsync(sessions, Native.SigInt, TimeSpan.FromSeconds(10));
                throw;
            }

            var failed = false;
            for (var part = 0; part < parts; part++)
            {
                if (sessions[part].ExitCode != 0)
                {
                    Log.Line($"error: generation session {part} failed (exit status {sessions[part].ExitCode}):");
                    Log.Line(File.ReadAllText(Path.Combine(runDir, $"generate-{part}.log")).TrimEnd('\n'));
                    failed = true;
                }
            }

            if (failed)
            {
                throw new BenchFailure();
            }
        }
        finally
        {
            foreach (var session in sessions)
            {
                session.Dispose();
            }
        }

        Log.Line($"Inserted in {Format.Elapsed(clock.Elapsed)} s; VACUUM (ANALYZE)...");
        // Fresh planner statistics; the GIN pending lists merged into the indexes; hint bits and the
        // visibility map set, so the first case does not pay for them.
        await psql.RunAsync(["-c", "VACUUM (ANALYZE) articles, article_tags, tags, categories"], cancellationToken);
        if (settings.PrivateCluster)
        {
            // Write the freshly loaded pages out now rather than in a checkpoint that would overlap
            // with the first cases.
            await psql.RunAsync(["-c", "CHECKPOINT"], cancellationToken);
        }

        var seconds = Format.Elapsed(clock.Elapsed);
        Log.Line($"Generated {missing} articles in {seconds} s");
        return $"{missing} articles generated in {seconds} s";
    }

    /// <summary>
    /// Reads the tables and indexes the cases use into PostgreSQL's shared buffers with pg_prewarm
    /// (private cluster only; the extension is dropped again), so that the group that runs first
    /// does not pay for the reads the later ones are spared.
    /// </summary>
    private static async Task<string> PrewarmAsync(Psql psql, CancellationToken cancellationToken)
    {
        Log.Line("Loading the tables and indexes into PostgreSQL's buffers (pg_prewarm)...");
        var run = await psql.TryRunAsync(["-tA", "-F", " "], cancellationToken, """
            CREATE EXTENSION IF NOT EXISTS pg_prewarm;
            -- The tables, their TOAST tables (the bodies) and every index of both.
            WITH tables AS (
                SELECT c.oid, c.reltoastrelid
                FROM pg_class c
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'm')
            ), rels AS (
                SELECT oid FROM tables
                UNION SELECT reltoastrelid FROM tables WHERE reltoastrelid <> 0
            ), all_rels AS (
                SELECT oid FROM rels
                UNION SELECT i.indexrelid FROM pg_index i JOIN rels r ON r.oid = i.indrelid
            )
            SELECT count(*), pg_size_pretty(sum(pg_prewarm(oid)) * current_setting('block_size')::bigint)
            FROM all_rels;
            DROP EXTENSION pg_prewarm;

            """);
        if (run.ExitCode != 0)
        {
            Log.Line($"warning: pg_prewarm failed; the first cases read from disk: {(run.Output + run.Error).TrimEnd('\n')}");
            return "pg_prewarm failed";
        }

        var fields = run.Output.Trim().Split(' ', 2);
        var note = $"{fields[0]} relations ({(fields.Length > 1 ? fields[1] : "?")}) loaded with pg_prewarm";
        Log.Line($"Prewarmed: {note}");
        return note;
    }
}
