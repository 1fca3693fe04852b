using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Api.Tests.Infrastructure;

namespace Api.Tests.Editorial;

/// <summary>An application with an editor key ready, and helpers to write articles through the API.</summary>
public sealed class EditorialFixture : ApiFactory
{
    public HttpClient Editor { get; private set; } = null!;

    public HttpClient Public { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Editor = CreateClient(await CreateKeyAsync("content:write"));
        Public = CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
    }

    public async Task<(JsonElement Article, EntityTagHeaderValue ETag)> CreateAsync(object article)
    {
        var response = await Editor.PostAsJsonAsync("/v1/articles", article);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != System.Net.HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"Create failed: {(int)response.StatusCode} {body}");
        }

        return (JsonDocument.Parse(body).RootElement.Clone(), response.Headers.ETag!);
    }

    public static HttpRequestMessage Write(HttpMethod method, string path, object? body, EntityTagHeaderValue? ifMatch, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body as string ?? JsonSerializer.Serialize(body, JsonSerializerOptions.Web), Encoding.UTF8, contentType);
        }

        if (ifMatch is not null)
        {
            request.Headers.IfMatch.Add(ifMatch);
        }

        return request;
    }
}
