using NetVips;

namespace Api.Media;

/// <summary>
/// libvips set up for a server that reads files from strangers: only the loaders of the accepted
/// formats may run (SVG, PDF, ImageMagick and the rest are blocked, whatever a file claims to be), and
/// no operation or open file is cached between requests (every upload and render is a different file).
/// </summary>
public static class Imaging
{
    private static readonly string[] Loaders = ["VipsForeignLoadJpeg", "VipsForeignLoadPng", "VipsForeignLoadWebp", "VipsForeignLoadNsgif", "VipsForeignLoadHeif"];
    private static int _configured;

    public static void Configure()
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

        Cache.Max = 0;
        Cache.MaxFiles = 0;
        Cache.MaxMem = 0;
    }
}
