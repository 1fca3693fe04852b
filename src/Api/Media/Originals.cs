using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Api.Media;

/// <summary>
/// Where original files live. The database (the default) needs nothing shared between instances; a
/// folder is faster to read but every instance must see the same one. Either way a file is written
/// once per distinct content and read back as a stream, never whole in memory.
/// </summary>
public interface IOriginals
{
    /// <summary>The <c>media.storage</c> value of what this store writes.</summary>
    string Kind { get; }

    /// <summary>Keeps the spooled file as the original of medium <paramref name="id"/>, inside the caller's transaction when it writes to the database.</summary>
    Task SaveAsync(NpgsqlConnection connection, long id, string sha256Hex, string extension, string spooledFile, CancellationToken cancellationToken);

    /// <summary>Copies the original to <paramref name="destination"/>.</summary>
    Task CopyToAsync(MediumRow medium, Stream destination, CancellationToken cancellationToken);

    /// <summary>Forgets the original of a medium that was deleted (after the delete committed).</summary>
    Task ForgetAsync(MediumRow medium, CancellationToken cancellationToken);
}

/// <summary>Originals in <c>media_chunks</c>, 1 MiB a row, written with binary COPY and read back row by row.</summary>
public sealed class DatabaseOriginals(NpgsqlDataSource dataSource) : IOriginals
{
    public const int ChunkBytes = 1024 * 1024;

    public string Kind => MediaOptions.DatabaseStorage;

    public async Task SaveAsync(NpgsqlConnection connection, long id, string sha256Hex, string extension, string spooledFile, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(spooledFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var buffer = new byte[ChunkBytes];
        await using var copy = await connection.BeginBinaryImportAsync("COPY media_chunks (media_id, seq, data) FROM STDIN (FORMAT BINARY)", cancellationToken);
        for (var seq = 0; ; seq++)
        {
            var filled = await file.ReadAtLeastAsync(buffer, ChunkBytes, throwOnEndOfStream: false, cancellationToken);
            if (filled == 0)
            {
                break;
            }

            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(id, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(seq, NpgsqlDbType.Integer, cancellationToken);
            await copy.WriteAsync(new ArraySegment<byte>(buffer, 0, filled), NpgsqlDbType.Bytea, cancellationToken);
            if (filled < ChunkBytes)
            {
                break;
            }
        }

        await copy.CompleteAsync(cancellationToken);
    }

    public async Task CopyToAsync(MediumRow medium, Stream destination, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT data FROM media_chunks WHERE media_id = @id ORDER BY seq", connection);
        command.Parameters.AddWithValue("id", medium.Id);
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            await using var chunk = await reader.GetStreamAsync(0, cancellationToken);
            await chunk.CopyToAsync(destination, cancellationToken);
        }
    }

    /// <summary>The chunks go with the row (ON DELETE CASCADE).</summary>
    public Task ForgetAsync(MediumRow medium, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Originals as files in a folder, named by their SHA-256 (two-character sub-folders), written to a temporary name and renamed into place.</summary>
public sealed class FolderOriginals(IOptions<MediaOptions> options) : IOriginals
{
    public string Kind => "folder";

    private string Root => Path.GetFullPath(options.Value.Storage);

    private string PathOf(string sha256Hex, string extension) => Path.Combine(Root, sha256Hex[..2], sha256Hex + "." + extension);

    private string PathOf(MediumRow medium) => PathOf(Convert.ToHexStringLower(medium.Sha256), ImageFormat.Named(medium.Format).Extension);

    public async Task SaveAsync(NpgsqlConnection connection, long id, string sha256Hex, string extension, string spooledFile, CancellationToken cancellationToken)
    {
        var target = PathOf(sha256Hex, extension);
        if (File.Exists(target))
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temporary = target + ".part-" + Guid.NewGuid().ToString("N");
        try
        {
            await using (var from = new FileStream(spooledFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan))
            await using (var to = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
            {
                await from.CopyToAsync(to, 81920, cancellationToken);
                await to.FlushAsync(cancellationToken);
            }

            File.Move(temporary, target, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public async Task CopyToAsync(MediumRow medium, Stream destination, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(PathOf(medium), FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await file.CopyToAsync(destination, 81920, cancellationToken);
    }

    public Task ForgetAsync(MediumRow medium, CancellationToken cancellationToken)
    {
        File.Delete(PathOf(medium));
        return Task.CompletedTask;
    }

    /// <summary>The file itself, for libvips to read in place.</summary>
    public string FileOf(MediumRow medium) => PathOf(medium);
}

/// <summary>The store new originals go to (<see cref="MediaOptions.Storage"/>), and the one each medium's original is in.</summary>
public sealed class OriginalStores(DatabaseOriginals database, FolderOriginals folder, IOptions<MediaOptions> options)
{
    public IOriginals Current => options.Value.InDatabase ? database : folder;

    public IOriginals Of(MediumRow medium) => medium.Storage == MediaOptions.DatabaseStorage ? database : folder;

    public FolderOriginals Folder => folder;
}
