using Dapper;
using Npgsql;

namespace Api.Changes;

/// <summary>
/// Records changes in the writer's own transaction (so a change is in the feed exactly when it is in
/// the data), numbered in commit order and dated by the database's clock, with what each did to the
/// public's view of its article: see migrations 0008 and 0011. Call it as the last step before commit;
/// the counter's row lock is held until then.
/// </summary>
public static class ChangeLog
{
    public const string Article = "article";
    public const string Category = "category";

    /// <summary>The change kind of a correction or update note (recorded with the article's update).</summary>
    public const string Corrected = "corrected";

    public static Task RecordAsync(NpgsqlConnection connection, string entity, long entityId, string kind, CancellationToken cancellationToken) =>
        RecordAsync(connection, entity, entityId, [kind], null, cancellationToken);

    /// <summary>
    /// Records the changes of one write, in order. <paramref name="visibleBefore"/> is whether the public
    /// could see the article before the write, as the writer found it; it counts only for an article
    /// with no earlier change (the previous change says it otherwise). Null: the write did not change
    /// what the public can see.
    /// </summary>
    public static Task RecordAsync(
        NpgsqlConnection connection, string entity, long entityId, string[] kinds, bool? visibleBefore, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "SELECT record_changes(@entity, @entityId, @kinds, @visibleBefore)",
            new { entity, entityId, kinds, visibleBefore }, cancellationToken: cancellationToken));

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
