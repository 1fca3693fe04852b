using System.Net;
using System.Text;
using Api.Keys;
using Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Api.Tests.Keys;

/// <summary>
/// Walks the application's route table: every endpoint that writes must name a scope, and every
/// endpoint that names one answers 401 without a key and 403 with a key of another scope, so a
/// future endpoint cannot forget its check.
/// </summary>
public sealed class AuthorizationMatrixTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly string[] WriteMethods = ["POST", "PUT", "PATCH", "DELETE"];

    private List<(string Method, string Route, RequiredScope? Scope, string ContentType, PublicWrite? Public)> Endpoints() =>
        api.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => (m, "/" + e.RoutePattern.RawText!.TrimStart('/'), e.Metadata.GetMetadata<RequiredScope>(),
                    e.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.ContentTypes.FirstOrDefault() ?? "application/json",
                    e.Metadata.GetMetadata<PublicWrite>())))
            .ToList();

    [Fact]
    public void Every_write_endpoint_requires_a_scope_or_is_declared_public_with_a_reason()
    {
        var writes = Endpoints().Where(e => WriteMethods.Contains(e.Method)).ToList();

        Assert.NotEmpty(writes);
        Assert.All(writes.Where(e => e.Public is not null), e => Assert.False(string.IsNullOrWhiteSpace(e.Public!.Reason)));
        Assert.All(writes.Where(e => e.Public is not null), e => Assert.Null(e.Scope));
        var unprotected = writes.Where(e => e.Scope is null && e.Public is null).Select(e => $"{e.Method} {e.Route}").ToList();
        Assert.True(writes.Count >= 10, $"only {writes.Count} write endpoints found");
        Assert.True(unprotected.Count == 0, "Write endpoints without a scope: " + string.Join(", ", unprotected));
    }

    [Fact]
    public async Task Every_scoped_endpoint_answers_401_without_a_key_and_403_with_another_scope()
    {
        var keys = new Dictionary<string, string>
        {
            [Scopes.ContentWrite] = await api.CreateKeyAsync(Scopes.ContentWrite),
            [Scopes.Partner] = await api.CreateKeyAsync(Scopes.Partner),
        };
        var scoped = Endpoints().Where(e => e.Scope is not null).ToList();
        Assert.NotEmpty(scoped);
        var failures = new List<string>();
        var articlesBefore = await api.ScalarAsync<long>("SELECT count(*) FROM articles");

        foreach (var (method, route, scope, contentType, _) in scoped)
        {
            var path = Concrete(route);
            var anonymous = await api.CreateClient().SendAsync(Request(method, path, contentType));
            if (anonymous.StatusCode != HttpStatusCode.Unauthorized)
            {
                failures.Add($"{method} {route} without a key: {(int)anonymous.StatusCode}");
            }

            // Who is asking comes first: an anonymous caller learns nothing about the body's format.
            if (method is not ("GET" or "DELETE"))
            {
                var misfiled = await api.CreateClient().SendAsync(Request(method, path, "text/plain"));
                if (misfiled.StatusCode != HttpStatusCode.Unauthorized)
                {
                    failures.Add($"{method} {route} without a key and with a text/plain body: {(int)misfiled.StatusCode}");
                }
            }

            var other = scope!.Scope == Scopes.ContentWrite ? Scopes.Partner : Scopes.ContentWrite;
            var wrong = await api.CreateClient(keys[other]).SendAsync(Request(method, path, contentType));
            if (wrong.StatusCode != HttpStatusCode.Forbidden)
            {
                failures.Add($"{method} {route} with a '{other}' key: {(int)wrong.StatusCode}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(articlesBefore, await api.ScalarAsync<long>("SELECT count(*) FROM articles"));
    }

    private static HttpRequestMessage Request(string method, string path, string contentType) =>
        new(new HttpMethod(method), path)
        {
            Content = method is "GET" or "DELETE" ? null : new StringContent("{}", Encoding.UTF8, contentType),
        };

    /// <summary>Fills route parameters with plausible values: ids with 1, everything else with a slug.</summary>
    private static string Concrete(string route) =>
        System.Text.RegularExpressions.Regex.Replace(route, @"\{([^}:]+)(:[^}]+)?\}", m =>
            m.Groups[2].Value.Contains("long") || m.Groups[1].Value.EndsWith("id", StringComparison.OrdinalIgnoreCase) && !m.Groups[1].Value.Contains("Slug")
                ? "1"
                : "t1453741");
}
