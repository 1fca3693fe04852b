using System.Globalization;
using Dapper;
using Npgsql;

namespace Api.Infrastructure;

/// <summary>
/// The connection pools. With one host in the connection string both are the same pool. With
/// several (<c>Host=primary,replica1,replica2</c>) writes and editors' reads go to the primary
/// (<c>Target Session Attributes=primary</c>) and public reads to a standby when one is up
/// (<c>prefer-standby</c>), the primary otherwise.
/// </summary>
public sealed class DataSources : IAsyncDisposable
{
    private readonly NpgsqlDataSource _root;

    private DataSources(NpgsqlDataSource root, NpgsqlDataSource primary, NpgsqlDataSource reads, string connectionString, bool hasReplicas)
    {
        _root = root;
        Primary = primary;
        Reads = reads;
        ConnectionString = connectionString;
        HasReplicas = hasReplicas;
    }

    public NpgsqlDataSource Primary { get; }

    public NpgsqlDataSource Reads { get; }

    /// <summary>The connection string with the service's defaults applied.</summary>
    public string ConnectionString { get; }

    /// <summary>Whether the connection string names more than one host.</summary>
    public bool HasReplicas { get; }

    public static DataSources Create(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.ApplicationName ??= "news-api";
        // The pool's name in Npgsql's metrics (db.client.connection.pool.name), instead of the connection string.
        builder.Name = "content";
        if (builder.ConnectionStringBuilder.Host?.Contains(',', StringComparison.Ordinal) != true)
        {
            var single = builder.Build();
            return new DataSources(single, single, single, connectionString, hasReplicas: false);
        }

        var multi = builder.BuildMultiHost();
        return new DataSources(
            multi,
            multi.WithTargetSession(TargetSessionAttributes.Primary),
            multi.WithTargetSession(TargetSessionAttributes.PreferStandby),
            connectionString,
            hasReplicas: true);
    }

    public ValueTask DisposeAsync() => _root.DisposeAsync();
}

/// <summary>Connections for reads: a replica's during a public read (see <see cref="Database.UseReadRouting"/>), the primary's otherwise.</summary>
public sealed class ReadSource(DataSources sources)
{
    private static readonly AsyncLocal<bool> PublicRead = new();

    public static async Task AsPublicRead(RequestDelegate next, HttpContext context)
    {
        PublicRead.Value = true;
        try
        {
            await next(context);
        }
        finally
        {
            PublicRead.Value = false;
        }
    }

    /// <summary>Whether the current request is a public read that may be served by a replica.</summary>
    public static bool IsPublicRead => PublicRead.Value;

    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) =>
        (PublicRead.Value ? sources.Reads : sources.Primary).OpenConnectionAsync(cancellationToken);
}
