using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Api.Tests.Contract;

/// <summary>
/// Checks every answer a test application gives against the committed <c>openapi.json</c>: a
/// middleware in front of the whole pipeline holds the answer until it is complete, then asks
/// <see cref="OpenApiContract"/> whether the routed operation documents its status, its media type
/// and its body. An answer that breaks the contract is replaced by a 500 problem that says how, so
/// the test that provoked it fails. Every test class's application carries one (see <c>ApiFactory</c>),
/// so every answer any test provokes, good or bad, is held to the contract.
/// </summary>
public sealed class ContractCheck
{
    private readonly ConcurrentQueue<string> _violations = new();
    private readonly ConcurrentDictionary<string, byte> _answered = new(StringComparer.Ordinal);

    /// <summary>What broke the contract, one entry per answer.</summary>
    public IReadOnlyCollection<string> Violations => _violations.ToArray();

    /// <summary>Every "METHOD /template status" the application answered and the contract accepted.</summary>
    public IReadOnlyCollection<string> Answered => _answered.Keys.ToArray();

    public void AddTo(IServiceCollection services) => services.AddSingleton<IStartupFilter>(new Filter(this));

    private sealed class Filter(ContractCheck check) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(check.InvokeAsync);
            next(app);
        };
    }

    private async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var method = context.Request.Method;
        var original = context.Features.Get<IHttpResponseBodyFeature>()!;
        using var buffer = new MemoryStream();
        // The whole answer is held until it has been checked, so that one that breaks the contract can
        // be replaced by a 500 naming what is wrong: the test that provoked it fails there.
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(buffer));
        try
        {
            await next(context);
        }
        finally
        {
            context.Features.Set(original);
        }

        var errors = Check(context, method, buffer);
        if (errors is null)
        {
            await original.Stream.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
            return;
        }

        var violation = $"{method} {context.Request.Path}{context.Request.QueryString}: {errors}";
        _violations.Enqueue(violation);
        context.Response.Headers.Clear();
        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        context.Response.ContentType = "application/problem+json";
        await context.Response.WriteAsync(
            System.Text.Json.JsonSerializer.Serialize(new { type = "urn:test:openapi-contract", title = "The answer broke openapi.json", status = 500, detail = violation }),
            context.RequestAborted);
    }

    /// <summary>What is wrong with the answer, or null when it keeps the contract (or no documented operation answered).</summary>
    private string? Check(HttpContext context, string method, MemoryStream body)
    {
        if (context.GetEndpoint() is not RouteEndpoint { RoutePattern.RawText: { } pattern })
        {
            return null;
        }

        var template = OpenApiContract.DocumentTemplate(pattern);
        // HEAD is answered by the GET operation (same status and headers, no body).
        method = HttpMethods.IsHead(method) ? HttpMethods.Get : method;
        if (!OpenApiContract.Committed.Has(method, template))
        {
            return null;
        }

        var status = context.Response.StatusCode;
        var readable = !HttpMethods.IsHead(context.Request.Method) && !context.Response.Headers.ContainsKey("Content-Encoding");
        var text = readable ? Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length) : null;
        var errors = OpenApiContract.Committed.Check(method, template, status, context.Response.ContentType, text);
        if (errors.Count > 0)
        {
            return string.Join("\n", errors);
        }

        _answered.TryAdd($"{method} {template} {status}", 0);
        return null;
    }
}
