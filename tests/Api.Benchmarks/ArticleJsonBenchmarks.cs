using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Api.Articles;
using Api.Infrastructure;
using BenchmarkDotNet.Attributes;

namespace Api.Benchmarks;

/// <summary>
/// Writing the JSON of answers, and nothing else: each way writes the same bytes (checked before the
/// run) with one <see cref="Utf8JsonWriter"/> into one buffer, both reset between operations, so the
/// figures are the writing alone. The buffer and the writer per response are measured in
/// <see cref="ResponseBodyBenchmarks"/>.
/// </summary>
public abstract class JsonWritingBenchmarks
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256 * 1024);
    private Utf8JsonWriter? _json;

    protected Utf8JsonWriter Begin()
    {
        _buffer.ResetWrittenCount();
        if (_json is null)
        {
            _json = new Utf8JsonWriter(_buffer, Samples.WriterOptions);
        }
        else
        {
            _json.Reset();
        }

        return _json;
    }

    protected int End()
    {
        _json!.Flush();
        return _buffer.WrittenCount;
    }
}

/// <summary>
/// The single-article read (<c>GET /v1/articles/{slug}</c>): the seed's article (about 3 KB of HTML
/// body and 3 KB of text, five tags) written by the API's hand-written writer against the serializer.
/// </summary>
[MemoryDiagnoser]
public class ArticleJsonBenchmarks : JsonWritingBenchmarks
{
    private readonly ArticleDto _article = Samples.Article;
    private readonly JsonSerializerOptions _options = Samples.ApiOptions;
    private readonly JsonTypeInfo<ArticleDto> _viaApiOptions = (JsonTypeInfo<ArticleDto>)Samples.ApiOptions.GetTypeInfo(typeof(ArticleDto));

    [GlobalSetup]
    public void CheckSameBytes()
    {
        var expected = Samples.Bytes(json => JsonSerializer.Serialize(json, _article, _viaApiOptions));
        Samples.RequireSameBytes("context's own options", expected, Samples.Bytes(json => JsonSerializer.Serialize(json, _article, AppJsonContext.Default.ArticleDto)));
        Samples.RequireSameBytes("ArticleFields.WriteArticle", expected, Samples.Bytes(json => ArticleFields.WriteArticle(json, _article, _options)));
        Samples.RequireSameBytes("string names", expected, Samples.Bytes(json => StringNamesWriter.WriteArticle(json, _article)));
    }

    /// <summary>The plain way: the source-generated metadata through the API's options (what <c>CachedJson</c> does without a writer).</summary>
    [Benchmark(Baseline = true)]
    public int Serializer()
    {
        JsonSerializer.Serialize(Begin(), _article, _viaApiOptions);
        return End();
    }

    /// <summary>The source-generated serializer with <c>AppJsonContext</c>'s own options, where its fast path applies.</summary>
    [Benchmark]
    public int SerializerContextOptions()
    {
        JsonSerializer.Serialize(Begin(), _article, AppJsonContext.Default.ArticleDto);
        return End();
    }

    /// <summary>What the API does: <see cref="ArticleFields.WriteArticle"/>, pre-encoded names.</summary>
    [Benchmark]
    public int HandWritten()
    {
        ArticleFields.WriteArticle(Begin(), _article, _options);
        return End();
    }

    /// <summary>The same writer with names passed as strings (before <c>44fa926</c>).</summary>
    [Benchmark]
    public int HandWrittenStringNames()
    {
        StringNamesWriter.WriteArticle(Begin(), _article);
        return End();
    }
}

/// <summary>
/// A first list page (<c>GET /v1/articles</c>, default fields, twenty items): the API's field-by-field
/// writer against the serializer writing records of the same shape.
/// </summary>
[MemoryDiagnoser]
public class ListPageJsonBenchmarks : JsonWritingBenchmarks
{
    private readonly IReadOnlyList<ArticleDto> _page = Samples.Page;
    private readonly ListPage _records = new([.. Samples.Page.Select(ListItem.From)], Samples.NextCursor, null);
    private readonly JsonSerializerOptions _options = Samples.ApiOptions;
    private readonly JsonTypeInfo<ListPage> _viaApiOptions = (JsonTypeInfo<ListPage>)ListPageJson.ApiOptions.GetTypeInfo(typeof(ListPage));

    [GlobalSetup]
    public void CheckSameBytes()
    {
        var expected = Samples.Bytes(json => JsonSerializer.Serialize(json, _records, _viaApiOptions));
        Samples.RequireSameBytes("context's own options", expected, Samples.Bytes(json => JsonSerializer.Serialize(json, _records, ListPageJsonContext.Default.ListPage)));
        Samples.RequireSameBytes("ArticleFields.Write", expected, Samples.Bytes(json => Samples.WriteListPage(json, _page, _options)));
    }

    /// <summary>The plain way: records of the default shape, source-generated metadata through the API's options.</summary>
    [Benchmark(Baseline = true)]
    public int Serializer()
    {
        JsonSerializer.Serialize(Begin(), _records, _viaApiOptions);
        return End();
    }

    /// <summary>The same with the context's own options, where the serializer's fast path applies.</summary>
    [Benchmark]
    public int SerializerContextOptions()
    {
        JsonSerializer.Serialize(Begin(), _records, ListPageJsonContext.Default.ListPage);
        return End();
    }

    /// <summary>What the API does: <see cref="ArticleFields.Write"/> per item, with the default field set.</summary>
    [Benchmark]
    public int HandWritten()
    {
        Samples.WriteListPage(Begin(), _page, _options);
        return End();
    }
}
