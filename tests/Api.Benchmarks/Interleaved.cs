using System.Diagnostics;

namespace Api.Benchmarks;

/// <summary>
/// A cross-check for a busy machine: the same benchmark methods, run in rounds that take every way in
/// turn (a batch of operations each), so that load which comes and goes over minutes falls on all of
/// them alike. BenchmarkDotNet runs one method after another, which such load skews. Reports the
/// median time per operation over the rounds and its ratio to the first (the baseline); no memory
/// figures (those are exact in BenchmarkDotNet's run).
/// </summary>
public static class Interleaved
{
    private const int Rounds = 60;

    public static void Run()
    {
        var article = new ArticleJsonBenchmarks();
        article.CheckSameBytes();
        Compare("ArticleJsonBenchmarks", 2000,
            ("Serializer", () => article.Serializer()),
            ("SerializerContextOptions", () => article.SerializerContextOptions()),
            ("HandWritten", () => article.HandWritten()),
            ("HandWrittenStringNames", () => article.HandWrittenStringNames()));

        var list = new ListPageJsonBenchmarks();
        list.CheckSameBytes();
        Compare("ListPageJsonBenchmarks", 500,
            ("Serializer", () => list.Serializer()),
            ("SerializerContextOptions", () => list.SerializerContextOptions()),
            ("HandWritten", () => list.HandWritten()));

        foreach (var body in Enum.GetValues<Body>())
        {
            var bodies = new ResponseBodyBenchmarks { Body = body };
            bodies.Setup();
            Compare($"ResponseBodyBenchmarks, {body}", 500,
                ("NewArray", () => bodies.NewArray()),
                ("NewArrayNoCopy", () => bodies.NewArrayNoCopy()),
                ("MemoryStream", () => bodies.MemoryStream()),
                ("Pooled", () => bodies.Pooled()));

            var hashes = new EtagHashBenchmarks { Body = body };
            hashes.Setup();
            Compare($"EtagHashBenchmarks, {body}", 2000,
                ("Sha256", () => hashes.Sha256()),
                ("XxHash128", () => hashes.XxHash128()),
                ("XxHash3", () => hashes.XxHash3()));
        }
    }

    private static void Compare(string title, int batch, params (string Name, Func<object> Operation)[] ways)
    {
        var times = ways.Select(_ => new List<double>(Rounds)).ToArray();
        foreach (var way in ways)
        {
            for (var i = 0; i < batch; i++)
            {
                way.Operation();
            }
        }

        for (var round = 0; round < Rounds; round++)
        {
            for (var k = 0; k < ways.Length; k++)
            {
                // Each round starts with a different way, so none is always first after the others.
                var which = (k + round) % ways.Length;
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < batch; i++)
                {
                    ways[which].Operation();
                }

                times[which].Add(clock.Elapsed.TotalMicroseconds / batch);
            }
        }

        Console.WriteLine(title);
        var baseline = Median(times[0]);
        for (var k = 0; k < ways.Length; k++)
        {
            var median = Median(times[k]);
            Console.WriteLine($"  {ways[k].Name,-26} median {median,10:F3} us   min {times[k].Min(),10:F3} us   ratio {median / baseline:F2}");
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
