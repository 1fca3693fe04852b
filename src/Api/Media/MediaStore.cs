using Dapper;
using Npgsql;

namespace Api.Media;

public sealed class MediumRow
{
    public long Id { get; init; }
    public required byte[] Sha256 { get; init; }
    public required string Format { get; init; }
    public int Width { get; init; }
    public int Height { get; init; }
    public long ByteSize { get; init; }
    public required string DominantColor { get; init; }
    public required string Placeholder { get; init; }
    public string? FileName { get; init; }
    public string? Alt { get; init; }
    public string? Caption { get; init; }
    public string? Credit { get; init; }
    public string? Copyright { get; init; }
    public string? Source { get; init; }
    public float FocalX { get; init; }
    public float FocalY { get; init; }
    public DateTime? TakenAt { get; init; }
    public required string Storage { get; init; }
    public required string Token { get; init; }
    public int Version { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }
}

/// <summary>
/// Reads the media library. Editors' reads, so they go to the primary: an editor sees a medium the
/// moment the upload is answered.
/// </summary>
public sealed class MediaStore(NpgsqlDataSource dataSource)
{
    public const string Columns = """
        id, sha256, format, width, height, byte_size, dominant_color, placeholder, file_name, alt, caption, credit,
        copyright, source, focal_x, focal_y, taken_at, storage, token, version, created_at, updated_at
        """;

    public async Task<MediumRow?> GetAsync(long id, CancellationToken cancellationToken, NpgsqlConnection? connection = null)
    {
        var command = new CommandDefinition($"SELECT {Columns} FROM media WHERE id = @id", new { id }, cancellationToken: cancellationToken);
        if (connection is not null)
        {
            return await connection.QuerySingleOrDefaultAsync<MediumRow>(command);
        }

        await using var opened = await dataSource.OpenConnectionAsync(cancellationToken);
        return await opened.QuerySingleOrDefaultAsync<MediumRow>(command);
    }

    /// <summary>Newest first, after the medium <paramref name="afterId"/>; with <paramref name="q"/>, only media whose texts hold every word.</summary>
    public async Task<IReadOnlyList<MediumRow>> ListAsync(string? q, long? afterId, int take, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<MediumRow>(new CommandDefinition($"""
            SELECT {Columns} FROM media
            WHERE (@afterId::bigint IS NULL OR id < @afterId)
              AND (@q::text IS NULL OR search_vector @@ plainto_tsquery('simple', @q))
            ORDER BY id DESC
            LIMIT @take
            """, new { q, afterId, take }, cancellationToken: cancellationToken));
        return rows.AsList();
    }
}
