using System.Net;
using System.Net.Http.Json;
using Api.Tests.Infrastructure;
using Api.Tests.Shares;
using Api.Webhooks;

namespace Api.Tests.Webhooks;

/// <summary>The application with its default: webhooks only to public addresses.</summary>
public sealed class PublicOnlyWebhookApiFactory() : WebhookApiFactory(new Dictionary<string, string> { ["Webhooks:AllowPrivateAddresses"] = "false" });

public sealed class WebhookAddressTests(PublicOnlyWebhookApiFactory api) : IClassFixture<PublicOnlyWebhookApiFactory>
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("10.1.2.3", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("172.31.255.255", true)]
    [InlineData("192.168.1.1", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("224.0.0.1", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("::", true)]
    [InlineData("::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fc00::1", true)]
    [InlineData("fd12:3456::1", true)]
    [InlineData("ff02::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("93.184.215.14", false)]
    [InlineData("172.32.0.1", false)]
    [InlineData("8.8.8.8", false)]
    [InlineData("2606:4700::1111", false)]
    public void Loopback_private_link_local_unspecified_and_multicast_addresses_are_forbidden(string address, bool forbidden) =>
        Assert.Equal(forbidden, WebhookAddresses.IsForbidden(IPAddress.Parse(address)));

    [Theory]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("http://localhost/hook")]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("http://192.168.0.10/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://[fd00::1]/hook")]
    [InlineData("http://0.0.0.0/hook")]
    public async Task Registering_a_private_address_is_a_400_on_url(string url)
    {
        var problem = await (await api.Admin.PostAsJsonAsync("/v1/webhooks", new { url, events = new[] { "article.published" } }))
            .AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("public addresses only", Assert.Single(problem.ErrorsFor("url")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_public_address_is_accepted_and_a_patch_to_a_private_one_refused()
    {
        var (id, _) = await api.RegisterAsync("https://93.184.215.14/hook", "article.published");

        var problem = await (await api.Admin.PatchAsync($"/v1/webhooks/{id}", JsonContent.Create(new { url = "http://127.0.0.1/hook" })))
            .AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorsFor("url"));
        Assert.Equal("https://93.184.215.14/hook", (await (await api.Admin.GetAsync($"/v1/webhooks/{id}")).ReadJsonAsync()).GetProperty("url").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await api.Admin.DeleteAsync($"/v1/webhooks/{id}")).StatusCode);
    }

    [Fact]
    public async Task A_host_that_turned_private_after_registration_is_refused_at_delivery_time()
    {
        // As if its DNS had changed: the registered public address now leads to this machine.
        var (id, _) = await api.RegisterAsync("https://93.184.215.14/hook", "article.published");
        var url = api.Receiver.NewUrl("good");
        await api.ExecuteAsync("UPDATE webhooks SET url = @url WHERE id = @id", new { url, id });

        await api.PublishNewAsync("Rebound story");

        var log = await Eventually.WaitForAsync(
            () => api.DeliveriesAsync(id),
            l => l.GetProperty("items").EnumerateArray().Any(d => d.GetProperty("attempts").GetInt32() >= 2),
            "two refused attempts");
        var attempt = log.GetProperty("items").EnumerateArray().Single(d => d.GetProperty("attempts").GetInt32() >= 2).GetProperty("log")[0];
        Assert.Equal(System.Text.Json.JsonValueKind.Null, attempt.GetProperty("statusCode").ValueKind);
        Assert.Contains("loopback, private", attempt.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Empty(api.Receiver.At(url));
        Assert.Equal(HttpStatusCode.NoContent, (await api.Admin.DeleteAsync($"/v1/webhooks/{id}")).StatusCode);
    }
}
