using System.Buffers;
using System.Text.Json;
using Api.Infrastructure;
using BenchmarkDotNet.Attributes;

namespace Api.Benchmarks;

/// <summary>
/// A response body from start to ETag, as <c>CachedJson</c> and <c>ArticleLists</c> make one: a new
/// <see cref="Utf8JsonWriter"/> writes the hand-written body into a buffer, then
/// <see cref="HttpCaching.StrongETag"/> hashes it. Only the buffer differs. Sending the body is not
/// measured (each way hands the same bytes to the response).
/// </summary>
[MemoryDiagnoser]
public class ResponseBodyBenchmarks
{
    [Params(Body.Article, Body.ListPage)]
    public Body Body { get; set; }

    private int _sizeHint;

    [GlobalSetup]
    public void Setup()
    {
        _sizeHint = Samples.SizeHint(Body);
        var expected = Samples.Bytes(json => Samples.WriteHandWritten(json, Body));
        using var pooled = new PooledBody(_sizeHint);
        using (var json = new Utf8JsonWriter(pooled, Samples.WriterOptions))
        {
            Samples.WriteHandWritten(json, Body);
        }

        Samples.RequireSameBytes("PooledBody", expected, pooled.Written.ToArray());
    }

    /// <summary>The plain way, as lists did before <c>50f633a</c>: an <see cref="ArrayBufferWriter{T}"/>, its bytes copied to a new array.</summary>
    [Benchmark(Baseline = true)]
    public string NewArray()
    {
        var buffer = new ArrayBufferWriter<byte>(_sizeHint);
        using (var json = new Utf8JsonWriter(buffer, Samples.WriterOptions))
        {
            Samples.WriteHandWritten(json, Body);
        }

        var body = buffer.WrittenSpan.ToArray();
        return HttpCaching.StrongETag(body);
    }

    /// <summary>An <see cref="ArrayBufferWriter{T}"/> whose written memory is used as it is, without the copy.</summary>
    [Benchmark]
    public string NewArrayNoCopy()
    {
        var buffer = new ArrayBufferWriter<byte>(_sizeHint);
        using (var json = new Utf8JsonWriter(buffer, Samples.WriterOptions))
        {
            Samples.WriteHandWritten(json, Body);
        }

        return HttpCaching.StrongETag(buffer.WrittenSpan);
    }

    /// <summary>A <see cref="MemoryStream"/>, then <see cref="MemoryStream.ToArray"/>.</summary>
    [Benchmark]
    public string MemoryStream()
    {
        var stream = new MemoryStream(_sizeHint);
        using (var json = new Utf8JsonWriter(stream, Samples.WriterOptions))
        {
            Samples.WriteHandWritten(json, Body);
        }

        var body = stream.ToArray();
        return HttpCaching.StrongETag(body);
    }

    /// <summary>What the API does: <see cref="PooledBody"/>, hashed in place, returned to the pool.</summary>
    [Benchmark]
    public string Pooled()
    {
        using var body = new PooledBody(_sizeHint);
        using (var json = new Utf8JsonWriter(body, Samples.WriterOptions))
        {
            Samples.WriteHandWritten(json, Body);
        }

        return HttpCaching.StrongETag(body.Written.Span);
    }
}
