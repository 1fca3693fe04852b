using System.Diagnostics;

namespace Api.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL servers the tests run against: the ones <c>NEWSAPI_TEST_DB</c> and
/// <c>NEWSAPI_TEST_REPLICA</c> name (<c>scripts/test</c> sets both), or, when the tests were started
/// without them (a plain <c>dotnet test</c>, an IDE), the same private cluster and hot standby that
/// <c>scripts/test</c> starts, started by <c>scripts/test-db</c> at first use and stopped after this
/// process exits.
/// </summary>
public static class TestServers
{
    public const string Primary = "NEWSAPI_TEST_DB";
    public const string Replica = "NEWSAPI_TEST_REPLICA";

    private static readonly Lazy<IReadOnlyDictionary<string, string>> Started = new(Start);

    /// <summary>The connection string in <paramref name="variable"/>, starting the private servers if nothing is configured.</summary>
    public static string ConnectionString(string variable)
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } configured)
        {
            return configured;
        }

        return Started.Value.TryGetValue(variable, out var started)
            ? started
            : throw new InvalidOperationException(
                $"{variable} is not set while {Primary} is: set both (see README, \"Test it\"), or neither to let the tests start a private PostgreSQL.");
    }

    private static IReadOnlyDictionary<string, string> Start()
    {
        if (Environment.GetEnvironmentVariable(Primary) is { Length: > 0 })
        {
            return new Dictionary<string, string>();
        }

        var script = Path.Combine(Repository.Root(), "scripts", "test-db");
        var start = new ProcessStartInfo("bash", [script, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment.Remove("ConnectionStrings__Content");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not run scripts/test-db.");
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Primary} is not set and scripts/test-db could not start a private PostgreSQL (exit code {process.ExitCode}); " +
                $"run the tests with scripts/test. It said: {errors.Result.Trim()}");
        }

        var values = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1], StringComparer.Ordinal);
        foreach (var (variable, value) in values)
        {
            Environment.SetEnvironmentVariable(variable, value);
        }

        return values;
    }
}
