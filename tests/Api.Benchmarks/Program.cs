using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Api.Articles;
using Api.Benchmarks;
using Api.Infrastructure;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

if (args is ["check"])
{
    Check();
    return;
}

if (args is ["interleaved"])
{
    Interleaved.Run();
    return;
}

// Each run builds a copy of this project and the API first; on a busy 2-CPU machine that can take
// longer than BenchmarkDotNet's default two minutes.
BenchmarkSwitcher.FromAssembly(typeof(Samples).Assembly)
    .Run(args, ManualConfig.Create(DefaultConfig.Instance).WithBuildTimeout(TimeSpan.FromMinutes(10)));

// `dotnet run -c Release --project tests/Api.Benchmarks -- check`: what is written, and whether the
// serializer can take its fast path with each set of options, without running the benchmarks.
static void Check()
{
    foreach (var body in Enum.GetValues<Body>())
    {
        var bytes = Samples.Bytes(json => Samples.WriteHandWritten(json, body));
        var pooled = new PooledBody(Samples.SizeHint(body));
        using (var json = new Utf8JsonWriter(pooled, Samples.WriterOptions))
        {
            Samples.WriteHandWritten(json, body);
        }

        var buffer = (byte[])typeof(PooledBody).GetField("_buffer", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(pooled)!;
        Console.WriteLine($"{body}: {bytes.Length:N0} bytes; PooledBody({Samples.SizeHint(body):N0}) ends in a {buffer.Length:N0}-byte pooled array");
        pooled.Dispose();
    }

    var first = Samples.Bytes(json => ArticleFields.Write(json, Samples.Page[0], null, Samples.ListFields, Samples.ApiOptions));
    Console.WriteLine($"First list item ({first.Length:N0} bytes): {System.Text.Encoding.UTF8.GetString(first)}");
    Console.WriteLine($"Seed article: bodyHtml {Samples.Article.BodyHtml.Length:N0} chars, bodyText {Samples.Article.BodyText.Length:N0} chars, {Samples.Article.Tags.Count} tags");
    FastPath("ArticleDto, API options", Samples.ApiOptions.GetTypeInfo(typeof(ArticleDto)));
    FastPath("ArticleDto, AppJsonContext's options", AppJsonContext.Default.ArticleDto);
    var withoutConverters = new JsonSerializerOptions(Samples.ApiOptions);
    withoutConverters.Converters.Clear();
    FastPath("ArticleDto, API options without their JsonStringEnumConverter", withoutConverters.GetTypeInfo(typeof(ArticleDto)));
    FastPath("ListPage, API options", ListPageJson.ApiOptions.GetTypeInfo(typeof(ListPage)));
    FastPath("ListPage, context's options", ListPageJsonContext.Default.ListPage);
}

static void FastPath(string what, JsonTypeInfo typeInfo)
{
    // Internal to System.Text.Json: whether the generated serialization code is used for this type.
    var property = typeof(JsonTypeInfo).GetProperty("CanUseSerializeHandler", BindingFlags.NonPublic | BindingFlags.Instance);
    var value = property?.GetValue(typeInfo);
    Console.WriteLine($"{what}: generated fast path {(value is null ? "unknown" : (bool)value ? "used" : "not used")}");
}
