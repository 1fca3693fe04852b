using NetVips;

namespace Api.Media;

/// <summary>
/// libvips set up for a server that reads files from strangers: only the loaders of the accepted
/// formats may run (SVG, PDF, ImageMagick and the rest are blocked, whatever a file claims to be), and
/// no operation or open file is cached between requests (every upload and render is a different file),
/// and each render gets <see cref="MediaOptions.RenderThreads"/> threads (renders run side by side already).
/// </summary>
public static class Imaging
{
    /// <summary>
    /// glibc gives each thread that allocates at the same time its own memory pool ("arena", up to 8 per
    /// CPU) and keeps what renders free in them: 8 concurrent renders peaked at 430-490 MiB with the
    /// default and 316 MiB with two arenas, no slower (<c>scripts/bench media:cold-concurrent-8</c>).
    /// Same as <c>MALLOC_ARENA_MAX=2</c>, which still wins when set; nothing happens off glibc.
    /// </summary>
    private static void LimitMallocArenas()
    {
        const int ArenaMax = -8; // M_ARENA_MAX in malloc.h
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is not null)
        {
            return;
        }

        try
        {
            _ = Mallopt(ArenaMax, 2);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // Not glibc (musl has no arenas to limit).
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int parameter, int value);

    private static readonly string[] Loaders = ["VipsForeignLoadJpeg", "VipsForeignLoadPng", "VipsForeignLoadWebp", "VipsForeignLoadNsgif", "VipsForeignLoadHeif"];
    private static int _configured;

    public static void Configure(int threadsPerRender)
    {
        if (Interlocked.Exchange(ref _configured, 1) == 1)
        {
            return;
        }

        if (!ModuleInitializer.VipsInitialized)
        {
            throw new InvalidOperationException("libvips could not be loaded: " + ModuleInitializer.Exception?.Message);
        }

        NetVips.NetVips.BlockUntrusted = true;
        Operation.Block("VipsForeignLoad", true);
        foreach (var loader in Loaders)
        {
            Operation.Block(loader, false);
        }

        NetVips.NetVips.Concurrency = Math.Clamp(threadsPerRender, 1, 64);
        LimitMallocArenas();
        Cache.Max = 0;
        Cache.MaxFiles = 0;
        Cache.MaxMem = 0;
    }
}
