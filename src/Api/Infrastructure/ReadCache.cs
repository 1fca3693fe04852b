using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Api.Infrastructure;

/// <summary>Settings of the <c>ResponseCache</c> section.</summary>
public sealed class ResponseCacheOptions
{
    /// <summary>Keeps the answers to anonymous public reads in memory until a write changes them.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Memory the cached bodies and headers may take; the least recently used are dropped beyond it.</summary>
    public int SizeLimitMegabytes { get; set; } = 48;

    /// <summary>The longest an answer is kept even when nothing changes it.</summary>
    public int MaxLifetimeSeconds { get; set; } = 300;
}

/// <summary>
/// Marks a public read whose answer the response cache may keep. <see cref="ArticleScoped"/> reads
/// show one article (and its translations' ids and slugs): a write to another article leaves them as
/// they are. Every other cached read (lists, feeds, sitemaps, categories) may change with any write.
/// </summary>
public sealed record CachedReadMetadata(bool ArticleScoped);

/// <summary>
/// The response cache: ASP.NET Core's output caching middleware, with a policy that admits only
/// anonymous reads of marked endpoints and a store (<see cref="ReadCacheStore"/>) that
/// <see cref="ContentCache"/> empties as writes happen, here or on any other instance.
/// </summary>
public static class ReadCaching
{
    /// <summary>Tag of every cached answer that is not about a single article, except plain lists.</summary>
    public const string CollectionTag = "collection";

    /// <summary>
    /// Tag of the plain lists (see <see cref="ShowsOnlyListedArticles"/>): dropped when an article may
    /// have moved in lists, kept when only the content of articles they do not show changed.
    /// </summary>
    public const string ListingTag = "listing";

    private const string GenerationTagPrefix = "generation:";

    public static TBuilder CacheRead<TBuilder>(this TBuilder builder, bool articleScoped = false)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new CachedReadMetadata(articleScoped));

    /// <summary>
    /// Declares that this answer is a plain list: which articles it holds, and in what order, depend
    /// only on what decides where articles are listed (visibility, times, category, tags, authors,
    /// kind, language, slug; see migration 0026), and it shows nothing of other articles than those
    /// in its surrogate keys. Searches and sorts by title or update time are not plain lists.
    /// </summary>
    public static void ShowsOnlyListedArticles(HttpContext http) => http.Features.Set(PlainList.Instance);

    public static string ArticleTag(long id) => "article-" + id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static WebApplicationBuilder AddReadCache(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<ResponseCacheOptions>(builder.Configuration.GetSection("ResponseCache"));
        builder.Services.AddSingleton<ReadCacheStore>();
        builder.Services.AddSingleton<IOutputCacheStore>(services => services.GetRequiredService<ReadCacheStore>());
        builder.Services.AddSingleton<ContentCache>();
        builder.Services.AddHostedService<ChangeListener>();
        builder.Services.AddOutputCache(options =>
        {
            // Slugs are case-sensitive: /v1/articles/Abc is not /v1/articles/abc.
            options.UseCaseSensitivePaths = true;
            options.MaximumBodySize = 4 * 1024 * 1024;
            options.AddBasePolicy(new ReadCachePolicy());
        });
        return builder;
    }

    public static WebApplication UseReadCache(this WebApplication app)
    {
        // Switched off, the middleware would still cost every request its bookkeeping.
        if (app.Services.GetRequiredService<IOptions<ResponseCacheOptions>>().Value.Enabled)
        {
            app.UseOutputCache();
        }

        return app;
    }

    internal static string GenerationTag(long generation) =>
        GenerationTagPrefix + generation.ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal static long? GenerationIn(string[]? tags)
    {
        foreach (var tag in tags ?? [])
        {
            if (tag.StartsWith(GenerationTagPrefix, StringComparison.Ordinal)
                && long.TryParse(tag.AsSpan(GenerationTagPrefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var generation))
            {
                return generation;
            }
        }

        return null;
    }

    /// <summary>
    /// Which requests are looked up and stored: GET (not HEAD) without credentials, on endpoints marked
    /// with <see cref="CacheRead{TBuilder}"/>, while <see cref="ContentCache"/> hears about every write.
    /// Answers vary by path, query, the representation <c>Accept</c> picks (JSON or ninjs) and
    /// <c>Accept-Encoding</c> (compressed bodies have their own ETags); only 200s without cookies are kept.
    /// </summary>
    private sealed class ReadCachePolicy : IOutputCachePolicy
    {
        private static readonly StringValues VaryHeaders = new(HeaderNames.AcceptEncoding);

        public ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
        {
            var http = context.HttpContext;
            var metadata = http.GetEndpoint()?.Metadata.GetMetadata<CachedReadMetadata>();
            var cache = http.RequestServices.GetRequiredService<ContentCache>();
            if (metadata is null
                || !HttpMethods.IsGet(http.Request.Method)
                || HttpCaching.IsHead(http)
                || http.Request.Headers.Authorization.Count > 0
                || !cache.Serving)
            {
                context.EnableOutputCaching = false;
                return ValueTask.CompletedTask;
            }

            context.EnableOutputCaching = true;
            context.AllowCacheLookup = true;
            context.AllowLocking = true;
            context.CacheVaryByRules.QueryKeys = "*";
            context.CacheVaryByRules.HeaderNames = VaryHeaders;
            // Accept only chooses between JSON and ninjs: keyed by that choice rather than by the raw
            // header, browsers, curl and clients that send none share one entry.
            context.CacheVaryByRules.VaryByValues["representation"] = Api.Syndication.NinjsResults.IsRequested(http.Request) ? "ninjs" : "json";
            if (cache.BeginFill() is { } fill)
            {
                context.AllowCacheStorage = true;
                context.ResponseExpirationTimeSpan = fill.Lifetime;
                context.Tags.Add(GenerationTag(fill.Generation));
            }
            else
            {
                context.AllowCacheStorage = false;
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

        public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
        {
            var response = context.HttpContext.Response;
            if (response.StatusCode != StatusCodes.Status200OK || response.Headers.SetCookie.Count > 0)
            {
                context.AllowCacheStorage = false;
                return ValueTask.CompletedTask;
            }

            var http = context.HttpContext;
            var metadata = http.GetEndpoint()?.Metadata.GetMetadata<CachedReadMetadata>();
            var plainList = http.Features.Get<PlainList>() is not null;
            var articleTags = 0;
            if ((metadata is { ArticleScoped: true } || plainList) && http.Features.Get<SurrogateKeys>() is { } keys)
            {
                foreach (var key in keys.Keys)
                {
                    if (key.StartsWith("article-", StringComparison.Ordinal))
                    {
                        context.Tags.Add(key);
                        articleTags++;
                    }
                }
            }

            if (plainList)
            {
                // An empty page too: only an article moving into the list changes it.
                context.Tags.Add(ListingTag);
            }
            else if (articleTags == 0)
            {
                context.Tags.Add(CollectionTag);
            }

            return ValueTask.CompletedTask;
        }
    }

    private sealed class PlainList
    {
        public static readonly PlainList Instance = new();
    }
}

/// <summary>
/// Cached answers in memory, bounded in size, findable by tag. An answer is stored only if no write
/// was heard of since its request began (its generation tag is still current), so a read that saw
/// the data before a write can never put the old answer back after the write emptied the cache.
/// </summary>
public sealed class ReadCacheStore : IOutputCacheStore, IDisposable
{
    private readonly long _sizeLimit;
    private readonly Lock _sync = new();
    private readonly MemoryCache _entries;
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, Entry>> _keysByTag = new(StringComparer.Ordinal);
    private readonly Counter<long> _evictions;

    /// <summary>Set by <see cref="ContentCache"/>: whether answers read at a generation may still be stored.</summary>
    internal Func<long, bool> IsCurrent { get; set; } = _ => false;

    public ReadCacheStore(IOptions<ResponseCacheOptions> options, IMeterFactory meters)
    {
        _sizeLimit = Math.Max(1, options.Value.SizeLimitMegabytes) * 1024L * 1024L;
        _entries = new MemoryCache(new MemoryCacheOptions { SizeLimit = _sizeLimit, CompactionPercentage = 0.25, TrackStatistics = true });
        var meter = meters.Create(Telemetry.MeterName);
        meter.CreateObservableCounter("newsapi.cache.lookups", ObserveLookups, "{lookup}",
            "Look-ups of anonymous reads in the response cache, by result: hit (answered from memory) or miss");
        meter.CreateObservableGauge("newsapi.cache.entries", () => _entries.GetCurrentStatistics()?.CurrentEntryCount ?? 0, "{entry}",
            "Answers held in the response cache");
        meter.CreateObservableGauge("newsapi.cache.size", () => _entries.GetCurrentStatistics()?.CurrentEstimatedSize ?? 0, "By",
            "Memory the response cache's answers take, as estimated from their sizes");
        _evictions = meter.CreateCounter<long>("newsapi.cache.evictions", "{entry}",
            "Answers dropped from the response cache, by reason: invalidated (a change, or a read refreshed it), expired, or capacity (the size limit)");
    }

    private IEnumerable<Measurement<long>> ObserveLookups()
    {
        if (_entries.GetCurrentStatistics() is { } statistics)
        {
            yield return new Measurement<long>(statistics.TotalHits, new KeyValuePair<string, object?>("result", "hit"));
            yield return new Measurement<long>(statistics.TotalMisses, new KeyValuePair<string, object?>("result", "miss"));
        }
    }

    public int Count => _entries.Count;

    public ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_entries.TryGetValue(key, out Entry? entry) ? entry!.Value : null);

    public ValueTask SetAsync(string key, byte[] value, string[]? tags, TimeSpan validFor, CancellationToken cancellationToken)
    {
        if (ReadCaching.GenerationIn(tags) is not { } generation || !IsCurrent(generation) || validFor <= TimeSpan.Zero)
        {
            return ValueTask.CompletedTask;
        }

        var contentTags = (tags ?? []).Where(t => !t.StartsWith("generation:", StringComparison.Ordinal)).ToArray();
        lock (_sync)
        {
            // Checked again under the lock that evictions take: an eviction either ran before (and
            // moved the generation on, so this is refused) or runs after and finds the entry.
            if (!IsCurrent(generation))
            {
                return ValueTask.CompletedTask;
            }

            var stored = new Entry(value, contentTags);
            using (var entry = _entries.CreateEntry(key))
            {
                entry.Value = stored;
                entry.Size = value.Length + (key.Length * 2) + 64;
                entry.AbsoluteExpirationRelativeToNow = validFor;
                entry.RegisterPostEvictionCallback(static (evictedKey, evicted, reason, state) =>
                {
                    if (reason != EvictionReason.Replaced && evicted is Entry e)
                    {
                        var store = (ReadCacheStore)state!;
                        store.Unindex((string)evictedKey, e);
                        store._evictions.Add(1, new KeyValuePair<string, object?>("reason", reason switch
                        {
                            EvictionReason.Expired => "expired",
                            EvictionReason.Capacity => "capacity",
                            _ => "invalidated",
                        }));
                    }
                }, this);
            }

            foreach (var tag in contentTags)
            {
                _keysByTag.GetOrAdd(tag, _ => new ConcurrentDictionary<string, Entry>(StringComparer.Ordinal))[key] = stored;
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask EvictByTagAsync(string tag, CancellationToken cancellationToken)
    {
        Evict(tag);
        return ValueTask.CompletedTask;
    }

    /// <summary>Drops every answer carrying <paramref name="tag"/>; run under the generation change (see <see cref="ContentCache"/>).</summary>
    internal void Evict(string tag)
    {
        lock (_sync)
        {
            if (_keysByTag.TryRemove(tag, out var keys))
            {
                foreach (var key in keys.Keys)
                {
                    _entries.Remove(key);
                }
            }
        }
    }

    /// <summary>Drops everything.</summary>
    internal void Clear()
    {
        lock (_sync)
        {
            // Emptied in place: a reader on another thread never meets a disposed cache. (Removed one by
            // one rather than compacted, which would count them as dropped for capacity.)
            foreach (var key in _entries.Keys)
            {
                _entries.Remove(key);
            }

            _keysByTag.Clear();
        }
    }

    /// <summary>Runs <paramref name="change"/> (which moves the generation on) under the lock stores take.</summary>
    internal void Exclusive(Action change)
    {
        lock (_sync)
        {
            change();
        }
    }

    public void Dispose() => _entries.Dispose();

    /// <summary>
    /// Forgets an entry the cache dropped (size, expiry). Eviction callbacks run later on the thread
    /// pool, so only this very entry is forgotten, never a newer one stored under the same key since.
    /// </summary>
    private void Unindex(string key, Entry entry)
    {
        foreach (var tag in entry.Tags)
        {
            if (_keysByTag.TryGetValue(tag, out var keys))
            {
                keys.TryRemove(new KeyValuePair<string, Entry>(key, entry));
                if (keys.IsEmpty)
                {
                    // Under the lock stores add keys under, so no key lands in a set being dropped.
                    lock (_sync)
                    {
                        if (keys.IsEmpty)
                        {
                            _keysByTag.TryRemove(new KeyValuePair<string, ConcurrentDictionary<string, Entry>>(tag, keys));
                        }
                    }
                }
            }
        }
    }

    private sealed record Entry(byte[] Value, string[] Tags);
}
