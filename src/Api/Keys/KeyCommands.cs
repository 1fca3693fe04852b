using Microsoft.Extensions.Logging.Console;

namespace Api.Keys;

/// <summary>
/// Command-line key management, run instead of the web server:
/// <c>dotnet Api.dll keys create --name NAME --scope SCOPE [--scope SCOPE] [--if-none]</c>.
/// The new key's secret is the only thing written to standard output (logs go to standard error),
/// so scripts can capture it. <c>--if-none</c> creates the key only when the database has none.
/// </summary>
public static class KeyCommands
{
    public static bool IsCommand(string[] args) => args is ["keys", ..];

    /// <summary>Keeps standard output for a command's result (also used by the import command).</summary>
    public static void ConfigureLogging(WebApplicationBuilder builder)
    {
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    }

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        if (args is not ["keys", "create", .. var options])
        {
            await Console.Error.WriteLineAsync("usage: keys create --name NAME --scope SCOPE [--scope SCOPE] [--if-none]");
            return 2;
        }

        string? name = null;
        var scopes = new List<string>();
        var ifNone = false;
        for (var i = 0; i < options.Length; i++)
        {
            switch (options[i])
            {
                case "--name" when i + 1 < options.Length:
                    name = options[++i];
                    break;
                case "--scope" when i + 1 < options.Length:
                    scopes.Add(options[++i]);
                    break;
                case "--if-none":
                    ifNone = true;
                    break;
                default:
                    await Console.Error.WriteLineAsync($"unexpected argument '{options[i]}'");
                    return 2;
            }
        }

        var validation = new CreateApiKeyRequestValidator().Validate(new CreateApiKeyRequest(name!, [.. scopes]));
        if (!validation.IsValid)
        {
            foreach (var error in validation.Errors)
            {
                await Console.Error.WriteLineAsync(error.ErrorMessage);
            }

            return 2;
        }

        var keys = app.Services.GetRequiredService<ApiKeyStore>();
        if (ifNone && await keys.AnyAsync(CancellationToken.None))
        {
            await Console.Error.WriteLineAsync("The database has API keys already; none created.");
            return 0;
        }

        var (key, secret) = await keys.CreateAsync(name!.Trim(), [.. scopes], CancellationToken.None);
        await Console.Error.WriteLineAsync($"Created API key {key.Id} '{key.Name}' with scopes {string.Join(", ", key.Scopes)}. Its secret (shown once):");
        Console.WriteLine(secret);
        return 0;
    }
}
