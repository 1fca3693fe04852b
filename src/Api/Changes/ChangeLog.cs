using Dapper;
using Npgsql;

namespace Api.Changes;

/// <summary>
/// Records changes in the writer's own transaction (so a change is in the feed exactly when it is in
/// the data), numbered in commit order: see migration 0008. Call it as the last step before commit;
/// the counter's row lock is held until then.
/// </summary>
public static class ChangeLog
{
    public const string Article = "article";
    public const string Category = "category";

    public static Task RecordAsync(NpgsqlConnection connection, string entity, long entityId, string kind, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("""
            WITH next AS (
                UPDATE change_sequence SET last = last + 1 WHERE singleton RETURNING last
            )
            INSERT INTO changes (seq, entity, entity_id, kind)
            SELECT last, @entity, @entityId, @kind FROM next
            """, new { entity, entityId, kind }, cancellationToken: cancellationToken));

    /// <summary>The feed kind of an editorial change.</summary>
    public static string KindOf(string change) => change switch
    {
        "created" => "created",
        "published" => "published",
        "unpublished" => "unpublished",
        "archived" => "archived",
        "deleted" => "deleted",
        "restored" => "restored",
        _ => "updated",
    };
}
