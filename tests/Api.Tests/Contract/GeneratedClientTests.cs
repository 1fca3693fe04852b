using System.Diagnostics;
using Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Api.Tests.Contract;

/// <summary>The application on a real Kestrel port on loopback, for clients in other processes.</summary>
public class KestrelApiFactory : ApiFactory
{
    public string BaseUrl { get; private set; } = "";

    public override async Task InitializeAsync()
    {
        await TestDatabase.CreateAsync(DatabaseName);
        UseKestrel(0);
        StartServer();
        BaseUrl = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Single().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
    }
}

/// <summary>
/// Clients generated from the committed <c>openapi.json</c> by other people's tools, with their default
/// settings, compile unedited and read the running API (<c>scripts/clients/run</c>): openapi-typescript
/// with openapi-fetch under <c>tsc --strict</c>, NSwag and Kiota for C#. What they read is also held to
/// the contract by the application's <see cref="ContractCheck"/>.
/// </summary>
public sealed class GeneratedClientTests(KestrelApiFactory api) : IClassFixture<KestrelApiFactory>
{
    [Theory]
    [InlineData("typescript")]
    [InlineData("nswag")]
    [InlineData("kiota")]
    public async Task A_client_generated_from_the_contract_compiles_and_reads_the_api(string client)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(Repository.Root(), "scripts", "clients", "run"), client, api.BaseUrl])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 0, $"scripts/clients/run {client} failed ({process.ExitCode}):\n{await output}\n{await errors}");
        Assert.Contains("clients: ok", await output, StringComparison.Ordinal);
        Assert.Empty(api.Contract.Violations);
    }
}
