using System.IO.Hashing;
using System.Security.Cryptography;
using Api.Infrastructure;
using BenchmarkDotNet.Attributes;

namespace Api.Benchmarks;

/// <summary>
/// The strong ETag of a body that is already written: the hash and its base64url text. SHA-256 is
/// what <see cref="HttpCaching.StrongETag"/> did before <c>a609fa2</c> (first 18 bytes of the digest);
/// XXH3-128 is what it does now; XXH3-64 is the narrower hash of the same family.
/// </summary>
[MemoryDiagnoser]
public class EtagHashBenchmarks
{
    [Params(Body.Article, Body.ListPage)]
    public Body Body { get; set; }

    private byte[] _body = [];

    [GlobalSetup]
    public void Setup() => _body = Samples.Bytes(json => Samples.WriteHandWritten(json, Body));

    /// <summary>The plain way (before <c>a609fa2</c>), copied as it was.</summary>
    [Benchmark(Baseline = true)]
    public string Sha256()
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(_body, hash);
        return "\"" + Convert.ToBase64String(hash[..18]).Replace('+', '-').Replace('/', '_') + "\"";
    }

    /// <summary>What the API does: <see cref="HttpCaching.StrongETag"/> (XXH3-128).</summary>
    [Benchmark]
    public string XxHash128() => HttpCaching.StrongETag(_body);

    /// <summary>XXH3-64, formatted the same way.</summary>
    [Benchmark]
    public string XxHash3()
    {
        Span<byte> hash = stackalloc byte[8];
        System.IO.Hashing.XxHash3.Hash(_body, hash);
        Span<char> text = stackalloc char[12];
        Convert.TryToBase64Chars(hash, text, out var written);
        text = text[..written].TrimEnd('=');
        text.Replace('+', '-');
        text.Replace('/', '_');
        return string.Concat("\"", text, "\"");
    }
}
