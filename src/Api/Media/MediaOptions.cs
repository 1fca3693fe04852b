namespace Api.Media;

/// <summary>Settings of the <c>Media</c> section.</summary>
public sealed class MediaOptions
{
    public const string Section = "Media";

    /// <summary>Largest upload, in bytes (default 25 MiB); a larger one is a 413.</summary>
    public long MaxUploadBytes { get; set; } = 25L * 1024 * 1024;

    /// <summary>Most pixels (width x height) an image may have (default 50 megapixels); more is a 422, decided from the header before any pixel is decoded.</summary>
    public long MaxPixels { get; set; } = 50_000_000;

    /// <summary>
    /// Where originals are kept: <c>database</c> (the default: in PostgreSQL, so every instance reaches
    /// them with no shared disk) or the path of a folder (which every instance must then share).
    /// </summary>
    public string Storage { get; set; } = DatabaseStorage;

    /// <summary>Folder for uploads while they are checked (default: a folder under the system's temporary folder).</summary>
    public string? SpoolFolder { get; set; }

    /// <summary>
    /// Base of the public URLs of renditions in the JSON (e.g. <c>https://img.example.com</c> when a CDN
    /// fronts <c>/media/</c>); empty for paths relative to this API.
    /// </summary>
    public string PublicBaseUrl { get; set; } = "";

    /// <summary>Rendition widths anyone may ask for, in pixels; other sizes need a signed URL.</summary>
    public int[] Widths { get; set; } = [160, 320, 480, 640, 800, 1024, 1200, 1600, 2048];

    /// <summary>Renders that may run at once on this instance (default: the number of CPUs).</summary>
    public int MaxConcurrentRenders { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Threads libvips gives one render (default 1). Renders run side by side already, one per CPU; one
    /// thread each was as fast for a single render and kept 8 concurrent renders in 315 MiB instead of 561
    /// (<c>scripts/bench media:cold-concurrent-8</c>, 2 CPUs).
    /// </summary>
    public int RenderThreads { get; set; } = 1;

    /// <summary>Renders that may wait for a turn; past that a request is a 503 with Retry-After.</summary>
    public int MaxQueuedRenders { get; set; } = 32;

    /// <summary>Longest a render (or the checks of an upload) may take, in seconds.</summary>
    public int RenderTimeoutSeconds { get; set; } = 20;

    /// <summary>Folder for this instance's cache of rendered images (default: under the system's temporary folder).</summary>
    public string? RenditionCacheFolder { get; set; }

    /// <summary>Of the cached renditions, how many bytes (those under 1 MiB, most recently used) are also kept in memory (default 64 MiB; 0: none).</summary>
    public long RenditionMemoryBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Most bytes the rendition cache keeps on disk before it drops the least recently used (default 1 GiB).</summary>
    public long RenditionCacheBytes { get; set; } = 1024L * 1024 * 1024;

    public const string DatabaseStorage = "database";

    public bool InDatabase => string.Equals(Storage, DatabaseStorage, StringComparison.OrdinalIgnoreCase);

    public string SpoolPath => SpoolFolder is { Length: > 0 } folder ? folder : Path.Combine(Path.GetTempPath(), "newsapi-media-spool");

    public string RenditionCachePath => RenditionCacheFolder is { Length: > 0 } folder ? folder : Path.Combine(Path.GetTempPath(), "newsapi-renditions");
}
