namespace NewsApi.ClientCheck;

/// <summary>Runs the checks one by one, prints one line for each and the failures' causes.</summary>
public sealed class Checks(string tool)
{
    private int _failed;

    public async Task Run(string what, Func<Task<(bool Ok, string Detail)>> check)
    {
        try
        {
            var (ok, detail) = await check();
            if (!ok)
            {
                _failed++;
                Console.WriteLine($"{tool}: FAIL {what}: {detail}");
                return;
            }
            Console.WriteLine($"{tool}: {what}: {detail}");
        }
        catch (Exception e)
        {
            _failed++;
            Console.WriteLine($"{tool}: FAIL {what}: {Describe(e)}");
        }
    }

    public int Finish()
    {
        if (_failed > 0)
        {
            Console.WriteLine($"{tool}: FAILED ({_failed} check(s))");
            return 1;
        }
        Console.WriteLine($"{tool}: ok");
        return 0;
    }

    private static string Describe(Exception e)
    {
        var parts = new List<string>();
        for (var current = e; current is not null; current = current.InnerException)
        {
            var message = current.Message.Split('\n')[0].Trim();
            parts.Add($"{current.GetType().Name}: {message}");
        }
        return string.Join(" <- ", parts);
    }
}
