// tests/Api.Bench - the program behind scripts/bench: load-tests the News API's public read endpoints
// with wrk, next to a bare reference app, on a private PostgreSQL cluster with generated content,
// times its media library next to libvips' own command line, and checks the performance targets. `scripts/bench --help` (Usage.txt) tells what it does.
//
// Exit status: 0 when every case ran without errors and every target was met, 1 otherwise, 2 on
// a usage error; 130 or 143 when stopped by SIGINT or SIGTERM (after stopping what it started).

using System.Collections;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

// It reads /proc and signals processes: Linux only, as the bench has always been.
[assembly: SupportedOSPlatform("linux")]

namespace Api.Bench;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Any(a => a is "-h" or "--help"))
        {
            Console.Out.Write(Usage());
            return 0;
        }

        RepoPaths repo;
        Plan plan;
        Settings settings;
        try
        {
            repo = RepoPaths.Locate();
            plan = Plan.From(args);
            settings = Settings.FromEnvironment(repo, (IDictionary)Environment.GetEnvironmentVariables());
        }
        catch (UsageError e)
        {
            Log.Line($"error: {e.Message}");
            return 2;
        }
        catch (BenchFailure e)
        {
            Log.Line($"error: {e.Message}");
            return 1;
        }

        using var stop = new StopSignals();
        try
        {
            var end = await new BenchRun(repo, settings, plan).RunAsync(stop.Token);
            if (stop.ExitCode is { } signalled)
            {
                return signalled;
            }

            Log.Line($"JSON report: {end.JsonReport}");
            return end.ExitCode;
        }
        catch (Exception e) when (stop.ExitCode is { } signalled)
        {
            // Stopped: whatever was running has been stopped on the way out.
            if (e is not OperationCanceledException and not BenchFailure)
            {
                Log.Line($"error: {e.Message}");
            }

            return signalled;
        }
        catch (BenchFailure e)
        {
            if (e.HasMessage)
            {
                Log.Line($"error: {e.Message}");
            }

            return 1;
        }
        catch (Exception e)
        {
            Log.Line($"error: {e}");
            return 1;
        }
    }

    private static string Usage()
    {
        using var stream = typeof(Program).Assembly.GetManifestResourceStream("Usage.txt")
            ?? throw new InvalidOperationException("Usage.txt is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

/// <summary>
/// SIGINT (Ctrl-C), SIGTERM and SIGHUP cancel the run instead of ending the process at once, so
/// that wrk, the apps and the private cluster are stopped first; the exit status is then 130, 143
/// or 129, as a shell's. Later signals are ignored while that clean-up runs.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource source = new();
    private readonly PosixSignalRegistration[] registrations;
    private int exitCode;

    public StopSignals()
    {
        registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Stop(context, 130)),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Stop(context, 143)),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, context => Stop(context, 129)),
        ];
    }

    public CancellationToken Token => source.Token;

    /// <summary>The exit status the signal received asks for, null while none came.</summary>
    public int? ExitCode => Volatile.Read(ref exitCode) is var code and > 0 ? code : null;

    private void Stop(PosixSignalContext context, int code)
    {
        context.Cancel = true;
        if (Interlocked.CompareExchange(ref exitCode, code, 0) == 0)
        {
            Log.Line();
            Log.Line($"Stopping the run ({context.Signal})...");
            // Not on the signal's thread: the cancellation's callbacks run wherever Cancel is called.
            _ = Task.Run(source.Cancel);
        }
    }

    public void Dispose()
    {
        foreach (var registration in registrations)
        {
            registration.Dispose();
        }

        source.Dispose();
    }
}
