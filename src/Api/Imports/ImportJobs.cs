using Dapper;
using Npgsql;

namespace Api.Imports;

/// <summary>An import job as stored.</summary>
public sealed record ImportJobRow(
    long Id,
    string Format,
    bool DryRun,
    string? FileName,
    byte[] FileSha256,
    long FileSize,
    string? SiteUrl,
    string Status,
    int? Total,
    string? Error,
    long? KeyId,
    DateTime CreatedAt,
    DateTime? StartedAt,
    DateTime? FinishedAt);

/// <summary>What became of the items of a job so far, by outcome.</summary>
public sealed record ImportCounts(int Processed, int Created, int Updated, int Unchanged, int Matched, int Recorded, int Skipped, int Failed);

/// <summary>One item's line in a job's report.</summary>
public sealed record ImportItemRow(
    int Position, string ItemType, string SourceId, string? Title, string Outcome, string? Target, long? TargetId, string[] Notes, string? Error);

/// <summary>
/// The import jobs and their items' outcomes in the database. A job of the API keeps its file in
/// its row until it ends, so any instance can run it, and another takes it up when the one running
/// it stops holding it (its lease runs out) — which is how a job survives its process being killed.
/// </summary>
public sealed class ImportJobs(NpgsqlDataSource dataSource)
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    private const string Columns = """
        id AS Id, format AS Format, dry_run AS DryRun, file_name AS FileName, file_sha256 AS FileSha256, file_size AS FileSize,
        site_url AS SiteUrl, status AS Status, total AS Total, error AS Error, key_id AS KeyId, created_at AS CreatedAt, started_at AS StartedAt, finished_at AS FinishedAt
        """;

    /// <summary>
    /// A new job. <paramref name="file"/> is kept for a job the API runs (null for the command line,
    /// which reads its file from disk); <paramref name="running"/> marks it as held by the caller at once.
    /// </summary>
    public async Task<ImportJobRow> CreateAsync(
        string format, bool dryRun, string? fileName, byte[] sha256, long size, string? siteUrl, byte[]? file, long? keyId, bool running, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<ImportJobRow>(new CommandDefinition($"""
            INSERT INTO import_jobs (format, dry_run, file_name, file_sha256, file_size, site_url, file, key_id, status, started_at, lease_until)
            VALUES (@format, @dryRun, @fileName, @sha256, @size, @siteUrl, @file, @keyId,
                    CASE WHEN @running THEN 'running' ELSE 'queued' END,
                    CASE WHEN @running THEN now() END,
                    CASE WHEN @running THEN now() + @lease END)
            RETURNING {Columns}
            """, new { format, dryRun, fileName, sha256, size, siteUrl, file, keyId, running, lease = Lease }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// The command line's unfinished job for the same file (same format, bytes and mode) that nobody
    /// holds: its process was stopped before the end. Taken over by the caller, which resumes it.
    /// </summary>
    public async Task<ImportJobRow?> TakeOverAsync(string format, bool dryRun, byte[] sha256, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ImportJobRow>(new CommandDefinition($"""
            UPDATE import_jobs SET status = 'running', lease_until = now() + @lease, error = NULL
            WHERE id = (
                SELECT id FROM import_jobs
                WHERE format = @format AND dry_run = @dryRun AND file_sha256 = @sha256 AND file IS NULL
                  AND (status = 'running' AND lease_until < now() OR status = 'failed')
                ORDER BY created_at DESC LIMIT 1
                FOR UPDATE SKIP LOCKED)
            RETURNING {Columns}
            """, new { format, dryRun, sha256, lease = Lease }, cancellationToken: cancellationToken));
    }

    /// <summary>The next job of the API to run: queued, or running but no longer held. Held by the caller for <see cref="Lease"/>.</summary>
    public async Task<(ImportJobRow Job, byte[] File)?> ClaimAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var claimed = await connection.QuerySingleOrDefaultAsync<ClaimedRow>(new CommandDefinition($"""
            UPDATE import_jobs SET status = 'running', started_at = coalesce(started_at, now()), lease_until = now() + @lease
            WHERE id = (
                SELECT id FROM import_jobs
                WHERE file IS NOT NULL AND (status = 'queued' OR status = 'running' AND lease_until < now())
                ORDER BY created_at LIMIT 1
                FOR UPDATE SKIP LOCKED)
            RETURNING {Columns}, file AS File
            """, new { lease = Lease }, cancellationToken: cancellationToken));
        return claimed is null
            ? null
            : (new ImportJobRow(claimed.Id, claimed.Format, claimed.DryRun, claimed.FileName, claimed.FileSha256, claimed.FileSize, claimed.SiteUrl, claimed.Status,
                claimed.Total, claimed.Error, claimed.KeyId, claimed.CreatedAt, claimed.StartedAt, claimed.FinishedAt), claimed.File);
    }

    private sealed record ClaimedRow(
        long Id, string Format, bool DryRun, string? FileName, byte[] FileSha256, long FileSize, string? SiteUrl, string Status, int? Total, string? Error,
        long? KeyId, DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt, byte[] File);

    /// <summary>Sets the job's number of items and keeps holding it; false when another took it meanwhile.</summary>
    public async Task<bool> HoldAsync(long id, int? total, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE import_jobs SET lease_until = now() + @lease, total = coalesce(@total, total)
            WHERE id = @id AND status = 'running'
            """, new { id, total, lease = Lease }, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>Ends the job (its file is dropped): succeeded, or failed with the reason (a file that cannot be read).</summary>
    public async Task FinishAsync(long id, string? error, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE import_jobs SET status = CASE WHEN @error IS NULL THEN 'succeeded' ELSE 'failed' END, error = @error,
                   finished_at = now(), lease_until = NULL, file = NULL
            WHERE id = @id
            """, new { id, error }, cancellationToken: cancellationToken));
    }

    /// <summary>Lets go of a job that stopped half-way (the database away): another run takes it up.</summary>
    public async Task ReleaseAsync(long id, string error, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE import_jobs SET error = @error, lease_until = now() WHERE id = @id AND status = 'running'",
            new { id, error }, cancellationToken: cancellationToken));
    }

    public async Task<ImportJobRow?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ImportJobRow>(new CommandDefinition(
            $"SELECT {Columns} FROM import_jobs WHERE id = @id", new { id }, cancellationToken: cancellationToken));
    }

    public async Task<ImportCounts> CountsAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<ImportCounts>(new CommandDefinition("""
            SELECT count(*)::int AS Processed,
                   count(*) FILTER (WHERE outcome = 'created')::int AS Created,
                   count(*) FILTER (WHERE outcome = 'updated')::int AS Updated,
                   count(*) FILTER (WHERE outcome = 'unchanged')::int AS Unchanged,
                   count(*) FILTER (WHERE outcome = 'matched')::int AS Matched,
                   count(*) FILTER (WHERE outcome = 'recorded')::int AS Recorded,
                   count(*) FILTER (WHERE outcome = 'skipped')::int AS Skipped,
                   count(*) FILTER (WHERE outcome = 'failed')::int AS Failed
            FROM import_job_items WHERE job_id = @id
            """, new { id }, cancellationToken: cancellationToken));
    }

    /// <summary>The positions of the job's items already done: a resumed job goes on after them.</summary>
    public async Task<HashSet<int>> DoneAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<int>(new CommandDefinition(
            "SELECT position FROM import_job_items WHERE job_id = @id", new { id }, cancellationToken: cancellationToken))).ToHashSet();
    }

    /// <summary>A page of the job's items after position <paramref name="after"/>, of one outcome or all.</summary>
    public async Task<IReadOnlyList<ImportItemRow>> ItemsAsync(long id, string? outcome, int after, int take, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<StoredItem>(new CommandDefinition("""
            SELECT position AS Position, item_type AS ItemType, source_id AS SourceId, title AS Title, outcome AS Outcome,
                   target AS Target, target_id AS TargetId, notes AS Notes, error AS Error
            FROM import_job_items
            WHERE job_id = @id AND position > @after AND (@outcome::text IS NULL OR outcome = @outcome)
            ORDER BY position LIMIT @take
            """, new { id, outcome, after, take }, cancellationToken: cancellationToken));
        return rows.Select(r => new ImportItemRow(r.Position, r.ItemType, r.SourceId, r.Title, r.Outcome, r.Target, r.TargetId, r.Notes, r.Error)).ToList();
    }

    /// <summary>Records what became of an item, in the caller's transaction (the same as the item's own writes).</summary>
    public static Task RecordAsync(NpgsqlConnection connection, long jobId, int position, ImportUnit unit, ImportItemResult result, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO import_job_items (job_id, position, item_type, source_id, title, outcome, target, target_id, notes, error)
            VALUES (@jobId, @position, @itemType, @sourceId, @title, @outcome, @target, @targetId, @notes, @error)
            ON CONFLICT (job_id, position) DO NOTHING
            """,
            new
            {
                jobId,
                position,
                itemType = unit.ItemType,
                sourceId = Clip(unit.SourceId, 500),
                title = Clip(unit.Title, 500),
                outcome = result.Outcome,
                target = result.Target,
                targetId = result.TargetId,
                notes = result.Notes.ToArray(),
                error = Clip(result.Error, 2000),
            },
            cancellationToken: cancellationToken));

    private sealed class StoredItem
    {
        public int Position { get; init; }

        public string ItemType { get; init; } = "";

        public string SourceId { get; init; } = "";

        public string? Title { get; init; }

        public string Outcome { get; init; } = "";

        public string? Target { get; init; }

        public long? TargetId { get; init; }

        public string[] Notes { get; init; } = [];

        public string? Error { get; init; }
    }

    private static string? Clip(string? text, int max) => text is null || text.Length <= max ? text : text[..max];
}
