using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Api.Bench;

/// <summary>
/// psql on the benchmark database (the private cluster's, or that of ConnectionStrings__Content),
/// reached through the libpq environment made from the Npgsql connection string.
/// </summary>
internal sealed class Psql(string path, IReadOnlyDictionary<string, string> environment)
{
    private static readonly string[] CommonArgs = ["-X", "-q", "-v", "ON_ERROR_STOP=1"];

    /// <summary>psql for CONNECTIONSTRING; BINDIR, when given, is looked in first (the private cluster's binaries).</summary>
    public static async Task<Psql> ForAsync(string connectionString, string? binDir, RepoPaths repo, CancellationToken cancellationToken)
    {
        var path = binDir is not null && File.Exists(Path.Combine(binDir, "psql")) ? Path.Combine(binDir, "psql") : Child.Which("psql");
        if (path is null)
        {
            // The server's binaries, where scripts/lib/postgres.sh finds them (/usr/lib/postgresql/*/bin...).
            var found = await Child.CaptureAsync(
                "bash", ["-c", "source \"$1\" && pg_find_bindir", "bash", repo.PostgresLib], cancellationToken);
            var dir = found.Output.Trim();
            if (found.ExitCode == 0 && File.Exists(Path.Combine(dir, "psql")))
            {
                path = Path.Combine(dir, "psql");
            }
        }

        if (path is null)
        {
            throw new BenchFailure("psql not found (install postgresql-client)");
        }

        var environment = new Dictionary<string, string>(ConnectionStrings.ToLibpq(connectionString))
        {
            ["PGCONNECT_TIMEOUT"] = "10",
            ["PGAPPNAME"] = "newsapi-bench",
        };
        return new Psql(path, environment);
    }

    /// <summary>Runs psql with ARGS (and INPUT on its standard input); its output, or the run fails with psql's message.</summary>
    public async Task<string> RunAsync(IEnumerable<string> args, CancellationToken cancellationToken, string? input = null)
    {
        var run = await TryRunAsync(args, cancellationToken, input);
        if (run.ExitCode != 0)
        {
            Console.Error.Write(run.Error);
            throw new BenchFailure($"psql failed (exit status {run.ExitCode})");
        }

        return run.Output.TrimEnd('\n');
    }

    /// <summary>Runs psql with ARGS, whatever its outcome.</summary>
    public Task<Captured> TryRunAsync(IEnumerable<string> args, CancellationToken cancellationToken, string? input = null) =>
        Child.CaptureAsync(path, [.. CommonArgs, .. args], cancellationToken, environment, input);

    /// <summary>One value: psql -tA -c SQL.</summary>
    public Task<string> ScalarAsync(string sql, CancellationToken cancellationToken) => RunAsync(["-tA", "-c", sql], cancellationToken);

    /// <summary>Starts psql with ARGS, its output to OUTPUTFILE; does not wait.</summary>
    public Process Start(IEnumerable<string> args, string outputFile) =>
        Child.StartToFile(path, [.. CommonArgs, .. args], outputFile, environment: environment);
}

internal static class ConnectionStrings
{
    /// <summary>
    /// An Npgsql connection string → the libpq environment psql needs (PGHOST, ...). Keys are
    /// case-insensitive; values may not contain ';'.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ToLibpq(string connectionString)
    {
        var environment = new Dictionary<string, string>();
        foreach (var part in connectionString.Split(';'))
        {
            var equals = part.IndexOf('=');
            if (equals < 0)
            {
                continue;
            }

            var key = string.Concat(part[..equals].Where(c => !char.IsWhiteSpace(c))).ToLowerInvariant();
            var value = part[(equals + 1)..].Trim();
            var variable = key switch
            {
                "host" or "server" => "PGHOST",
                "port" => "PGPORT",
                "username" or "userid" or "user" or "uid" => "PGUSER",
                "password" or "pwd" or "psw" => "PGPASSWORD",
                "database" or "db" => "PGDATABASE",
                "sslmode" => "PGSSLMODE",
                _ => null,
            };
            if (variable is not null)
            {
                environment[variable] = variable == "PGSSLMODE" ? value.ToLowerInvariant() : value;
            }
        }

        return environment;
    }

    /// <summary>The libpq environment as "KEY=VALUE ..." with the password masked, for messages.</summary>
    public static string Describe(IReadOnlyDictionary<string, string> libpq) =>
        string.Join(' ', libpq.Select(e => e.Key == "PGPASSWORD" ? "PGPASSWORD=***" : $"{e.Key}={e.Value}"));
}

/// <summary>
/// The private PostgreSQL cluster in the data dir, started (or reused) and stopped with the
/// functions of scripts/lib/postgres.sh, as scripts/run and scripts/test do: it installs
/// PostgreSQL when missing (as root), runs the server as an unprivileged user when root, and
/// keeps the data for the next run. Disposing it stops the server.
/// </summary>
internal sealed class PrivateCluster : IAsyncDisposable
{
    // pg_up and pg_ensure_database, their messages on standard error; the variables the bench
    // needs on standard output, also when pg_up fails half-way (the server may run by then).
    private const string UpScript = """
        set -euo pipefail
        source "$1"
        trap 'exit 130' INT
        trap 'exit 143' TERM
        trap 'printf "PG_BINDIR=%s\nPG_CLUSTER_DIR=%s\nPG_LOG_FILE=%s\nPG_RUN_USER=%s\n" "$PG_BINDIR" "$PG_CLUSTER_DIR" "$PG_LOG_FILE" "$PG_RUN_USER"' EXIT
        pg_up "$2" "$3" NEWSAPI_BENCH_PG_PORT "$4" >&2
        pg_ensure_database "$5" >&2
        printf 'CONNECTION_STRING=%s\n' "$(pg_connection_string "$5")"
        """;

    // pg_down, not to be interrupted by another Ctrl-C (its children inherit the ignored signals).
    private const string DownScript = """
        set -uo pipefail
        trap '' INT TERM
        source "$1"
        PG_BINDIR=$2
        PG_CLUSTER_DIR=$3
        PG_RUN_USER=$4
        pg_down
        """;

    private readonly RepoPaths repo;
    private readonly IReadOnlyDictionary<string, string> variables;

    private PrivateCluster(RepoPaths repo, IReadOnlyDictionary<string, string> variables)
    {
        this.repo = repo;
        this.variables = variables;
    }

    public string ConnectionString => variables["CONNECTION_STRING"];

    /// <summary>The folder of the server binaries (initdb, pg_ctl, psql).</summary>
    public string? BinDir => Get("PG_BINDIR");

    /// <summary>The cluster (PGDATA), whose postmaster.pid names the server process.</summary>
    public string? ClusterDir => Get("PG_CLUSTER_DIR");

    public string? LogFile => Get("PG_LOG_FILE");

    /// <summary>Starts the cluster on PORT with the extra server OPTIONS and makes sure DATABASE exists.</summary>
    public static async Task<PrivateCluster> UpAsync(
        RepoPaths repo, string dataDir, string port, string options, string database, CancellationToken cancellationToken)
    {
        using var up = Child.Start(
            "bash", ["-c", UpScript, "bash", repo.PostgresLib, dataDir, port, options, database], Streams.CaptureOutput);
        var output = up.StandardOutput.ReadToEndAsync(CancellationToken.None);
        OperationCanceledException? stopped = null;
        var exitCode = 1;
        try
        {
            exitCode = await Child.WaitAsync(up, cancellationToken, Native.SigInt);
        }
        catch (OperationCanceledException e)
        {
            stopped = e;
        }

        var cluster = new PrivateCluster(repo, ParseVariables(await output));
        if (stopped is not null || exitCode != 0 || !cluster.variables.ContainsKey("CONNECTION_STRING"))
        {
            // The server may be up all the same.
            await cluster.DisposeAsync();
            if (stopped is not null)
            {
                ExceptionDispatchInfo.Throw(stopped);
            }

            // It printed why.
            throw new BenchFailure();
        }

        return cluster;
    }

    public async ValueTask DisposeAsync()
    {
        if (ClusterDir is null || BinDir is null)
        {
            return;
        }

        var exitCode = await Child.RunAsync(
            "bash", ["-c", DownScript, "bash", repo.PostgresLib, BinDir, ClusterDir, Get("PG_RUN_USER") ?? ""], CancellationToken.None);
        if (exitCode != 0)
        {
            Log.Line($"warning: could not stop PostgreSQL cleanly; see {LogFile}");
        }
    }

    private string? Get(string name) => variables.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    private static Dictionary<string, string> ParseVariables(string output)
    {
        var variables = new Dictionary<string, string>();
        foreach (var line in output.Split('\n'))
        {
            var equals = line.IndexOf('=');
            if (equals > 0)
            {
                variables[line[..equals]] = line[(equals + 1)..];
            }
        }

        return variables;
    }
}
