using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Api.Bench;

/// <summary>The few libc calls .NET has no API for: signals other than SIGKILL, realpath, sysconf.</summary>
internal static class Native
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    private const int ScClkTck = 2;
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);

    [DllImport("libc", EntryPoint = "realpath", SetLastError = true)]
    private static extern IntPtr SysRealPath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "free")]
    private static extern void SysFree(IntPtr pointer);

    [DllImport("libc", EntryPoint = "sysconf")]
    private static extern long SysConf(int name);

    [DllImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static extern int SysFlock(int fd, int operation);

    /// <summary>Sends a signal; false when the process is gone.</summary>
    public static bool Kill(int pid, int signal) => SysKill(pid, signal) == 0;

    /// <summary>The path with every symbolic link resolved (as `pwd -P`), or the full path when that fails.</summary>
    public static string RealPath(string path)
    {
        var resolved = SysRealPath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            return Path.GetFullPath(path);
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved) ?? Path.GetFullPath(path);
        }
        finally
        {
            SysFree(resolved);
        }
    }

    /// <summary>Clock ticks per second, the unit of the CPU times in /proc/PID/stat.</summary>
    public static long ClockTicks()
    {
        var ticks = SysConf(ScClkTck);
        return ticks > 0 ? ticks : 100;
    }

    /// <summary>
    /// Takes an exclusive flock on the open FILE without waiting (as `flock -n`, which
    /// newsapi_lock of scripts/lib/postgres.sh uses); false when another process holds it.
    /// </summary>
    public static bool TryLockExclusive(FileStream file) =>
        SysFlock((int)file.SafeFileHandle.DangerousGetHandle(), LockExclusive | LockNonBlocking) == 0;

    /// <summary>Whether this process runs as root (apt-get can install what is missing).</summary>
    public static bool IsRoot => Environment.IsPrivilegedProcess;
}

/// <summary>What a child process printed, and how it ended.</summary>
internal sealed record Captured(int ExitCode, string Output, string Error);

/// <summary>Where a child's standard output and error go (a file: see <see cref="Child.StartToFile"/>).</summary>
internal enum Streams
{
    /// <summary>To this process' own.</summary>
    Inherited,

    /// <summary>Both to this process' standard error: its standard output carries the report alone.</summary>
    ToStandardError,

    /// <summary>Standard output to a pipe for the caller, standard error to this process' own.</summary>
    CaptureOutput,

    /// <summary>Both to pipes for the caller.</summary>
    Capture,
}

/// <summary>
/// Child processes. They inherit standard input and the environment, as a shell's would, with
/// the variables given on top.
/// </summary>
internal static class Child
{
    /// <summary>Starts FILE ARGS, its output where STREAMS says.</summary>
    public static Process Start(
        string file,
        IEnumerable<string> args,
        Streams streams = Streams.Inherited,
        string? workingDirectory = null,
        IEnumerable<KeyValuePair<string, string>>? environment = null,
        bool redirectInput = false)
    {
        var info = new ProcessStartInfo { UseShellExecute = false, RedirectStandardInput = redirectInput };
        if (streams == Streams.ToStandardError)
        {
            // Through `sh -c exec`, so that the process started is the program itself.
            info.FileName = "/bin/sh";
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add("exec \"$@\" >&2");
            info.ArgumentList.Add("sh");
            info.ArgumentList.Add(file);
        }
        else
        {
            info.FileName = file;
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        if (workingDirectory is not null)
        {
            info.WorkingDirectory = workingDirectory;
        }

        foreach (var (key, value) in environment ?? [])
        {
            info.Environment[key] = value;
        }

        if (streams is Streams.CaptureOutput or Streams.Capture)
        {
            info.RedirectStandardOutput = true;
            info.StandardOutputEncoding = Encoding.UTF8;
        }

        if (streams == Streams.Capture)
        {
            info.RedirectStandardError = true;
            info.StandardErrorEncoding = Encoding.UTF8;
        }

        return Process.Start(info) ?? throw new BenchFailure($"could not start {file}");
    }

    /// <summary>
    /// Starts FILE ARGS with its standard output and error to OUTPUTFILE (replaced), through
    /// `sh -c exec`, so that the process started is the program itself; does not wait.
    /// </summary>
    public static Process StartToFile(
        string file,
        IEnumerable<string> args,
        string outputFile,
        string? workingDirectory = null,
        IEnumerable<KeyValuePair<string, string>>? environment = null) =>
        Start(
            "/bin/sh",
            ["-c", "out=$1; shift; exec \"$@\" >\"$out\" 2>&1", "sh", outputFile, file, .. args],
            workingDirectory: workingDirectory,
            environment: environment);

    /// <summary>Whether the process still runs (one already disposed of counts as gone).</summary>
    public static bool IsRunning(Process process)
    {
        try
        {
            return !process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    public static void Signal(Process process, int signal)
    {
        if (IsRunning(process))
        {
            Native.Kill(process.Id, signal);
        }
    }

    /// <summary>Sends SIGNAL, waits up to GRACE for the process to exit, then kills it.</summary>
    /// <returns>Whether it exited within GRACE.</returns>
    public static Task<bool> StopAsync(Process process, int signal, TimeSpan grace) => StopAllAsync([process], signal, grace);

    /// <summary>Sends SIGNAL to each process, then waits up to GRACE for each to exit and kills those that did not.</summary>
    /// <returns>Whether all exited within GRACE.</returns>
    public static async Task<bool> StopAllAsync(IReadOnlyList<Process> processes, int signal, TimeSpan grace)
    {
        foreach (var process in processes)
        {
            Signal(process, signal);
        }

        var all = true;
        foreach (var process in processes)
        {
            using var timeout = new CancellationTokenSource(grace);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                all = false;
                Signal(process, Native.SigKill);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }

        return all;
    }

    /// <summary>
    /// Waits for the process to exit. When the run is stopped meanwhile, stops the process (SIGNAL,
    /// then SIGKILL after 10 s) before the cancellation goes on.
    /// </summary>
    public static async Task<int> WaitAsync(Process process, CancellationToken cancellationToken, int signal = Native.SigTerm)
    {
        try
        {
            await process.WaitForExitAsync(cancellationToken);
            return process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await StopAsync(process, signal, TimeSpan.FromSeconds(10));
            throw;
        }
    }

    /// <summary>
    /// Runs FILE ARGS to its end, all its output on this process' standard error (standard output
    /// carries the report alone).
    /// </summary>
    public static async Task<int> RunAsync(
        string file,
        IEnumerable<string> args,
        CancellationToken cancellationToken,
        IEnumerable<KeyValuePair<string, string>>? environment = null,
        string? workingDirectory = null)
    {
        using var process = Start(file, args, Streams.ToStandardError, workingDirectory, environment);
        return await WaitAsync(process, cancellationToken, Native.SigInt);
    }

    /// <summary>Runs FILE ARGS to its end, its output captured, INPUT (if any) on its standard input.</summary>
    public static async Task<Captured> CaptureAsync(
        string file,
        IEnumerable<string> args,
        CancellationToken cancellationToken,
        IEnumerable<KeyValuePair<string, string>>? environment = null,
        string? input = null,
        string? workingDirectory = null)
    {
        using var process = Start(file, args, Streams.Capture, workingDirectory, environment, redirectInput: input is not null);
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        if (input is not null)
        {
            try
            {
                await process.StandardInput.WriteAsync(input);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // It exited without reading all of it; its exit status and messages tell why.
            }
        }

        var exitCode = await WaitAsync(process, cancellationToken, Native.SigInt);
        return new Captured(exitCode, await output, await error);
    }

    /// <summary>The path of COMMAND on PATH, or null.</summary>
    public static string? Which(string command)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, command);
            if (File.Exists(path) && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
            {
                return path;
            }
        }

        return null;
    }

    /// <summary>The last LINES lines of a file (for a log after a failure), "" when unreadable.</summary>
    public static string Tail(string file, int lines = 30)
    {
        try
        {
            var all = File.ReadAllLines(file);
            return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
        }
        catch (IOException)
        {
            return "";
        }
    }
}
