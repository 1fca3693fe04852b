using Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Api.Tests.Media;

/// <summary>
/// The application with <c>Media:*</c> settings of a test's choosing, an editor and an anonymous
/// client, and a scratch folder of its own for the upload spool and the rendition cache (deleted
/// afterwards). To run a second instance on the database of another factory, pass that database's name.
/// </summary>
public class MediaApiFactory : ApiFactory
{
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly string? _database;

    public MediaApiFactory()
        : this(new Dictionary<string, string>())
    {
    }

    internal MediaApiFactory(IReadOnlyDictionary<string, string> settings, string? database = null)
    {
        _settings = settings;
        _database = database;
    }

    /// <summary>A fresh folder of this instance's own; its rendition cache is <see cref="RenditionCacheFolder"/>.</summary>
    public string Scratch { get; } = Directory.CreateTempSubdirectory("newsapi-media-test-").FullName;

    public string RenditionCacheFolder => Path.Combine(Scratch, "renditions");

    public string SpoolFolder => Path.Combine(Scratch, "spool");

    /// <summary>The database the application uses: its own, or the one of the factory it joins.</summary>
    public string Database => _database ?? DatabaseName;

    public HttpClient Editor { get; private set; } = null!;

    public HttpClient Public { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        if (_database is null)
        {
            await base.InitializeAsync();
        }
        else
        {
            _ = Server;
        }

        Editor = CreateClient(await CreateKeyAsync("content:write"));
        Public = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        if (_database is not null)
        {
            builder.UseSetting("ConnectionStrings:Content", TestDatabase.ConnectionStringFor(_database));
        }

        builder.UseSetting("Media:SpoolFolder", SpoolFolder);
        builder.UseSetting("Media:RenditionCacheFolder", RenditionCacheFolder);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(Scratch, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a render that was cut short; the system's temporary folder is cleaned anyway.
        }

        GC.SuppressFinalize(this);
    }
}
