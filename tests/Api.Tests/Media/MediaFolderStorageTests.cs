using System.Net;
using Api.Tests.Editorial;
using Api.Tests.Infrastructure;

namespace Api.Tests.Media;

/// <summary>The application with <c>Media:Storage</c> set to a fresh folder of its own (deleted afterwards).</summary>
public sealed class FolderStorageFactory : MediaApiFactory
{
    public FolderStorageFactory()
        : this(Directory.CreateTempSubdirectory("newsapi-media-originals-").FullName)
    {
    }

    private FolderStorageFactory(string folder)
        : base(new Dictionary<string, string> { ["Media:Storage"] = folder }) => Folder = folder;

    public string Folder { get; }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}

public sealed class MediaFolderStorageTests(FolderStorageFactory api) : IClassFixture<FolderStorageFactory>
{
    private string[] FilesInFolder() => Directory.GetFiles(api.Folder, "*", SearchOption.AllDirectories).Order().ToArray();

    [Fact]
    public async Task Originals_are_files_in_the_folder_served_byte_for_byte_rendered_and_deleted_with_their_medium()
    {
        var before = FilesInFolder();
        var bytes = TestImages.Jpeg(300, 200, seed: 4001);
        var medium = await MediaUploadTests.UploadAsync(api.Editor, bytes);
        var id = medium.GetProperty("id").GetInt64();
        var sha = medium.GetProperty("sha256").GetString()!;
        var file = Path.Combine(api.Folder, sha[..2], sha + ".jpg");

        Assert.Equal(before.Append(file).Order(), FilesInFolder());
        Assert.Equal(bytes, await File.ReadAllBytesAsync(file));
        Assert.Equal(["folder"], await api.QueryAsync<string>("SELECT storage FROM media WHERE id = @id", new { id }));
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM media_chunks"));

        var original = await api.Editor.GetAsync($"/v1/media/{id}/original");
        Assert.Equal(HttpStatusCode.OK, original.StatusCode);
        Assert.Equal("image/jpeg", original.Content.Headers.ContentType!.MediaType);
        Assert.Equal(bytes, await original.Content.ReadAsByteArrayAsync());

        var url = medium.GetProperty("renditions").GetProperty("template").GetString()!.Replace("{spec}", "w160").Replace("{format}", "png");
        var rendition = await api.Public.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, rendition.StatusCode);
        using (var image = NetVips.Image.NewFromBuffer(await rendition.Content.ReadAsByteArrayAsync()))
        {
            Assert.Equal((160, 107), (image.Width, image.Height));
        }

        // Rendering read the file in place: nothing else was written to the folder.
        Assert.Equal(before.Append(file).Order(), FilesInFolder());

        var read = await api.Editor.GetAsync($"/v1/media/{id}");
        var deleted = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Delete, $"/v1/media/{id}", null, read.Headers.ETag));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.False(File.Exists(file));
        Assert.Equal(before, FilesInFolder());
        await (await api.Editor.GetAsync($"/v1/media/{id}/original")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await api.Public.GetAsync(url)).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM media_chunks"));
    }

    [Fact]
    public async Task A_multipart_PNG_is_kept_under_its_hash_with_its_extension_and_the_same_file_again_adds_nothing()
    {
        var bytes = TestImages.Png(40, 30, seed: 4002);
        var form = new MultipartFormDataContent { { new ByteArrayContent(bytes), "file", "chart.png" }, { new StringContent("A chart"), "alt" } };
        var response = await api.Editor.PostAsync("/v1/media", form);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var medium = await response.ReadJsonAsync();
        var sha = medium.GetProperty("sha256").GetString()!;
        var file = Path.Combine(api.Folder, sha[..2], sha + ".png");
        Assert.Equal(bytes, await File.ReadAllBytesAsync(file));

        var again = await MediaUploadTests.UploadAsync(api.Editor, bytes, "image/png", HttpStatusCode.OK);

        Assert.Equal(medium.GetProperty("id").GetInt64(), again.GetProperty("id").GetInt64());
        Assert.Single(FilesInFolder(), f => Path.GetFileName(f).StartsWith(sha, StringComparison.Ordinal));
        Assert.Equal(bytes, await (await api.Editor.GetAsync($"/v1/media/{medium.GetProperty("id").GetInt64()}/original")).Content.ReadAsByteArrayAsync());
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM media_chunks"));
    }
}
