using System.Collections.Concurrent;
using System.IO.Hashing;
using Microsoft.Extensions.Options;

namespace Api.Media;

/// <summary>A file this instance keeps: a rendered image, or a local copy of an original to render from.</summary>
public sealed record CachedFile(string Path, long Length, string ETag)
{
    internal long LastUse;

    /// <summary>The file's bytes when this instance also keeps it in memory (small renditions), else null.</summary>
    internal volatile byte[]? Bytes;
}

/// <summary>
/// This instance's disk cache of renditions and of the originals they are made from (so that the
/// sizes of one photo are rendered from one local copy). Files are named by a hash of what they are,
/// written under a temporary name and renamed into place; past <see cref="MediaOptions.RenditionCacheBytes"/>
/// the least recently used are deleted. Each distinct file is produced once at a time: concurrent
/// requests for the same one wait for the first.
/// </summary>
public sealed class RenditionCache
{
    private readonly ConcurrentDictionary<string, CachedFile> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<CachedFile?>>> _producing = new(StringComparer.Ordinal);
    private readonly string _root;
    private readonly long _budget;
    private long _bytes;
    private long _memoryBytes;
    private readonly long _memoryBudget;

    /// <summary>Files up to this size are also kept in memory (within <see cref="MediaOptions.RenditionMemoryBytes"/>).</summary>
    private const int MaxInMemory = 1024 * 1024;
    private long _clock;
    private int _evicting;

    public RenditionCache(IOptions<MediaOptions> options)
    {
        _root = options.Value.RenditionCachePath;
        _budget = options.Value.RenditionCacheBytes;
        _memoryBudget = options.Value.RenditionMemoryBytes;
        Directory.CreateDirectory(_root);
    }

    public long Bytes => Interlocked.Read(ref _bytes);

    public int Count => _files.Count;

    /// <summary>
    /// The file for <paramref name="key"/>, made by <paramref name="produce"/> (which writes it to the path
    /// it is given, or returns false when it cannot be made) if this instance does not have it yet.
    /// </summary>
    public async Task<CachedFile?> GetOrAddAsync(string key, Func<string, Task<bool>> produce)
    {
        if (Find(key) is { } held)
        {
            return held;
        }

        var production = _producing.GetOrAdd(key, k => new Lazy<Task<CachedFile?>>(() => ProduceAsync(k, produce)));
        try
        {
            return await production.Value;
        }
        finally
        {
            _producing.TryRemove(new KeyValuePair<string, Lazy<Task<CachedFile?>>>(key, production));
        }
    }

    private CachedFile? Find(string key)
    {
        if (_files.TryGetValue(key, out var file))
        {
            // A file held in memory is served from there: no disk access at all.
            if (file.Bytes is not null || File.Exists(file.Path))
            {
                file.LastUse = Interlocked.Increment(ref _clock);
                return file;
            }

            Forget(key, file);
        }

        var path = PathOf(key);
        return File.Exists(path) ? Remember(key, path) : null;
    }

    private async Task<CachedFile?> ProduceAsync(string key, Func<string, Task<bool>> produce)
    {
        if (Find(key) is { } held)
        {
            return held;
        }

        var path = PathOf(key);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var temporary = path + ".part-" + Guid.NewGuid().ToString("N");
        try
        {
            if (!await produce(temporary))
            {
                return null;
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        var file = Remember(key, path);
        EvictIfOver();
        return file;
    }

    private CachedFile Remember(string key, string path)
    {
        var hash = new XxHash128();
        long length;
        byte[]? bytes = null;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, FileOptions.SequentialScan))
        {
            length = stream.Length;
            if (length <= MaxInMemory && _memoryBudget > 0)
            {
                bytes = new byte[length];
                stream.ReadExactly(bytes);
                hash.Append(bytes);
            }
            else
            {
                hash.Append(stream);
            }
        }

        var file = new CachedFile(path, length, "\"" + Convert.ToHexStringLower(hash.GetCurrentHash()) + "\"") { LastUse = Interlocked.Increment(ref _clock), Bytes = bytes };
        if (_files.TryAdd(key, file))
        {
            Interlocked.Add(ref _bytes, file.Length);
            if (bytes is not null && Interlocked.Add(ref _memoryBytes, bytes.Length) > _memoryBudget)
            {
                ReleaseMemory();
            }

            return file;
        }

        return _files[key];
    }

    private void Forget(string key, CachedFile file)
    {
        if (_files.TryRemove(new KeyValuePair<string, CachedFile>(key, file)))
        {
            Interlocked.Add(ref _bytes, -file.Length);
            if (Interlocked.Exchange(ref file.Bytes, null) is { } held)
            {
                Interlocked.Add(ref _memoryBytes, -held.Length);
            }
        }
    }

    /// <summary>Past the memory budget, the least recently used files are served from disk again.</summary>
    private void ReleaseMemory()
    {
        foreach (var file in _files.Values.Where(f => f.Bytes is not null).OrderBy(f => f.LastUse).ToList())
        {
            if (Interlocked.Read(ref _memoryBytes) <= _memoryBudget * 9 / 10)
            {
                break;
            }

            if (Interlocked.Exchange(ref file.Bytes, null) is { } held)
            {
                Interlocked.Add(ref _memoryBytes, -held.Length);
            }
        }
    }

    private void EvictIfOver()
    {
        if (Bytes <= _budget || Interlocked.Exchange(ref _evicting, 1) == 1)
        {
            return;
        }

        try
        {
            foreach (var (key, file) in _files.OrderBy(f => f.Value.LastUse).ToList())
            {
                if (Bytes <= _budget * 9 / 10)
                {
                    break;
                }

                Forget(key, file);
                File.Delete(file.Path);
            }
        }
        finally
        {
            Volatile.Write(ref _evicting, 0);
        }
    }

    private string PathOf(string key)
    {
        var name = Convert.ToHexStringLower(XxHash128.Hash(System.Text.Encoding.UTF8.GetBytes(key)));
        return System.IO.Path.Combine(_root, name[..2], name);
    }
}
