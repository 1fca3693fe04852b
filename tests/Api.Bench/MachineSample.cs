using System.Globalization;
using System.Text;

namespace Api.Bench;

/// <summary>
/// What the machine did around one measured run, beside the figures the report keeps: the whole
/// machine's CPU time by kind (/proc/stat: busy, idle, steal by the hypervisor), the serving app's
/// threads and context switches, and the private cluster's CPU time by process role (backends,
/// autovacuum workers, checkpointer, exited children...). A round that is slower than its
/// neighbours shows here whether the app did more work, PostgreSQL did other work (a checkpoint,
/// an autovacuum), or the machine had less to give (steal, other processes).
/// </summary>
internal sealed record MachineSample(
    long[] Cpu,
    long AppTicks,
    long AppThreads,
    long AppVoluntarySwitches,
    long AppInvoluntarySwitches,
    IReadOnlyDictionary<string, long> PostgresTicks)
{
    /// <summary>Reads the sample now; parts that cannot be read count as zero.</summary>
    public static MachineSample Take(int appPid, string? clusterDir) =>
        new(
            MachineCpu(),
            ProcFs.CpuTicks(appPid) ?? 0,
            ProcFs.StatusKb(appPid, "Threads") ?? 0,
            ThreadsSum(appPid, "voluntary_ctxt_switches"),
            ThreadsSum(appPid, "nonvoluntary_ctxt_switches"),
            PostgresByRole(clusterDir));

    /// <summary>
    /// One line telling what happened between BEFORE and AFTER for RESPONSES responses: the
    /// machine's shares of busy, steal and idle time; the CPU time per response of the app, of
    /// each PostgreSQL role and of everything else (wrk and other processes); the app's threads and
    /// context switches per response.
    /// </summary>
    public static string Describe(MachineSample before, MachineSample after, long responses, long clockTicks)
    {
        var cpu = after.Cpu.Zip(before.Cpu, (a, b) => a - b).ToArray();
        // user nice system idle iowait irq softirq steal
        long At(int i) => i < cpu.Length ? cpu[i] : 0;
        var busy = At(0) + At(1) + At(2) + At(5) + At(6);
        var total = busy + At(3) + At(4) + At(7);
        string Share(long part) => total > 0 ? (100.0 * part / total).ToString("F1", CultureInfo.InvariantCulture) + "%" : "?";
        string PerResponse(long ticks) =>
            responses > 0 ? (ticks * 1_000_000.0 / clockTicks / responses).ToString("F1", CultureInfo.InvariantCulture) : "?";

        var app = after.AppTicks - before.AppTicks;
        var roles = after.PostgresTicks.Keys.Union(before.PostgresTicks.Keys).Order(StringComparer.Ordinal)
            .Select(role => (Role: role, Ticks: after.PostgresTicks.GetValueOrDefault(role) - before.PostgresTicks.GetValueOrDefault(role)))
            .Where(r => r.Ticks != 0)
            .ToList();
        var postgres = roles.Sum(r => r.Ticks);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"machine busy {Share(busy)} steal {Share(At(7))} idle {Share(At(3) + At(4))}");
        text.Append(CultureInfo.InvariantCulture, $"; µs/response: app {PerResponse(app)}, db {PerResponse(postgres)}");
        if (roles.Count > 0)
        {
            text.Append(" (").AppendJoin(", ", roles.Select(r => $"{r.Role} {PerResponse(r.Ticks)}")).Append(')');
        }

        text.Append(CultureInfo.InvariantCulture, $", rest {PerResponse(busy - app - postgres)}");
        string Switches(long a, long b) =>
            responses > 0 ? ((a - b) / (double)responses).ToString("F2", CultureInfo.InvariantCulture) : "?";
        text.Append(CultureInfo.InvariantCulture, $"; app threads {after.AppThreads}, context switches/response {Switches(after.AppVoluntarySwitches, before.AppVoluntarySwitches)} voluntary, {Switches(after.AppInvoluntarySwitches, before.AppInvoluntarySwitches)} forced");
        return text.ToString();
    }

    /// <summary>A counter of /proc/PID/task/*/status summed over the process's threads (the process's own status counts its main thread only).</summary>
    private static long ThreadsSum(int pid, string field)
    {
        try
        {
            return Directory.EnumerateDirectories($"/proc/{pid}/task")
                .Sum(task => int.TryParse(Path.GetFileName(task), CultureInfo.InvariantCulture, out var tid) ? ProcFs.StatusKb(tid, field) ?? 0 : 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static long[] MachineCpu()
    {
        try
        {
            var line = File.ReadLines("/proc/stat").FirstOrDefault(l => l.StartsWith("cpu ", StringComparison.Ordinal));
            return line is null
                ? []
                : line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                    .Select(f => long.TryParse(f, CultureInfo.InvariantCulture, out var v) ? v : 0).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>
    /// The cluster's CPU time so far by role: each child of the postmaster by the title it sets
    /// ("postgres: checkpointer", "postgres: autovacuum worker", a backend's "postgres: USER DB
    /// ..." counts as "backend"), the postmaster itself, and its exited children ("exited").
    /// </summary>
    private static Dictionary<string, long> PostgresByRole(string? clusterDir)
    {
        var roles = new Dictionary<string, long>(StringComparer.Ordinal);
        if (ProcFs.PostmasterPid(clusterDir) is not { } master)
        {
            return roles;
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out var pid) || ProcFs.Times(pid) is not { } stat)
            {
                continue;
            }

            if (pid == master)
            {
                Add(roles, "postmaster", stat.UserTicks + stat.SystemTicks);
                Add(roles, "exited", stat.ChildrenUserTicks + stat.ChildrenSystemTicks);
            }
            else if (stat.ParentPid == master)
            {
                Add(roles, Role(pid), stat.UserTicks + stat.SystemTicks);
            }
        }

        return roles;
    }

    private static void Add(Dictionary<string, long> roles, string role, long ticks) =>
        roles[role] = roles.GetValueOrDefault(role) + ticks;

    private static readonly string[] KnownRoles =
    [
        "checkpointer", "background writer", "walwriter", "autovacuum launcher", "autovacuum worker",
        "logical replication launcher", "stats collector", "archiver", "walsender", "walreceiver",
    ];

    private static string Role(int pid)
    {
        string title;
        try
        {
            title = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "gone";
        }

        const string prefix = "postgres: ";
        var rest = title.StartsWith(prefix, StringComparison.Ordinal) ? title[prefix.Length..] : title;
        return KnownRoles.FirstOrDefault(r => rest.StartsWith(r, StringComparison.Ordinal)) ?? "backend";
    }
}
