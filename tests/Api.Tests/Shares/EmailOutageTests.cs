using System.Text.Json;
using Api.Tests.Infrastructure;

namespace Api.Tests.Shares;

/// <summary>
/// "An SMTP outage or an API restart loses no queued mail and sends none twice." Each test has its
/// own application and SMTP server, since they stop them.
/// </summary>
public sealed class EmailOutageTests
{
    private sealed record OutboxState(string Status, int Attempts, string? LastError, string? Recipient);

    private static async Task<OutboxState> StateAsync(EmailApiFactory api, string id) =>
        (await api.QueryDatabaseAsync<OutboxState>(
            "SELECT status, attempts, last_error, recipient FROM share_email_outbox WHERE request_id = @id::uuid", new { id })).Single();

    [Fact]
    public async Task Mail_queued_during_an_SMTP_outage_waits_retries_and_is_sent_once_when_the_server_is_back()
    {
        var api = new EmailApiFactory();
        await api.InitializeAsync();
        try
        {
            var client = api.CreateEmailClient();
            await api.Smtp.StopAsync();
            var friend = EmailRequests.NewAddress("outage");

            var id = await client.SuggestToAsync([friend]);

            var queued = await client.WaitForStatusAsync(id, s => s.GetProperty("attempts").GetInt32() >= 3, "three failed attempts");
            Assert.Equal("queued", queued.GetProperty("status").GetString());
            Assert.Equal(JsonValueKind.Null, queued.GetProperty("sentAt").ValueKind);
            var state = await StateAsync(api, id);
            Assert.Equal("queued", state.Status);
            Assert.Equal(friend, state.Recipient);
            Assert.StartsWith("could not connect to the SMTP server", state.LastError);
            Assert.DoesNotContain("@", state.LastError);
            Assert.Empty(api.Smtp.Received);

            api.Smtp.Start();
            await api.Smtp.WaitForMessageToAsync(friend);
            var sent = await client.WaitUntilSentAsync(id);

            Assert.True(sent.GetProperty("attempts").GetInt32() >= 4);
            var after = await StateAsync(api, id);
            Assert.Null(after.LastError);
            Assert.Null(after.Recipient);

            // Once a later message has arrived too, the first has still arrived exactly once.
            var later = EmailRequests.NewAddress("later");
            await client.SuggestToAsync([later]);
            await api.Smtp.WaitForMessageToAsync(later);
            Assert.Single(api.Smtp.MessagesTo(friend));
        }
        finally
        {
            await ((IAsyncLifetime)api).DisposeAsync();
        }
    }

    [Fact]
    public async Task Mail_queued_when_the_API_stops_is_sent_once_by_the_next_start_on_the_same_database()
    {
        await using var smtp = new EmailSmtpServer();
        var first = new EmailApiFactory(new Dictionary<string, string>(), smtp);
        await first.InitializeAsync();
        EmailApiFactory? second = null;
        try
        {
            var friend = EmailRequests.NewAddress("restart");
            var id = await first.CreateEmailClient().SuggestToAsync([friend]);
            await Eventually.WaitForAsync(() => StateAsync(first, id), s => s.Attempts >= 1, "a failed attempt while the SMTP server is down");
            await first.DisposeAsync();

            smtp.Start();
            second = new EmailApiFactory(new Dictionary<string, string>(), smtp, database: first.DatabaseName);
            await second.InitializeAsync();

            await smtp.WaitForMessageToAsync(friend);
            var sent = await second.CreateEmailClient().WaitUntilSentAsync(id);
            Assert.Equal(id, sent.GetProperty("id").GetString());

            var later = EmailRequests.NewAddress("later");
            await second.CreateEmailClient().SuggestToAsync([later]);
            await smtp.WaitForMessageToAsync(later);
            Assert.Single(smtp.MessagesTo(friend));
        }
        finally
        {
            if (second is not null)
            {
                await second.DisposeAsync();
            }

            await ((IAsyncLifetime)first).DisposeAsync();
        }
    }

    [Fact]
    public async Task Two_instances_on_one_database_share_the_outbox_and_send_every_message_once()
    {
        await using var smtp = new EmailSmtpServer();
        smtp.Start();
        var first = new EmailApiFactory(new Dictionary<string, string>(), smtp);
        await first.InitializeAsync();
        var second = new EmailApiFactory(new Dictionary<string, string>(), smtp, database: first.DatabaseName);
        await second.InitializeAsync();
        try
        {
            var friends = Enumerable.Range(0, 24).Select(i => EmailRequests.NewAddress($"m{i}")).ToList();
            var clients = new[] { first.CreateEmailClient(), second.CreateEmailClient() };

            var ids = new List<string>();
            for (var i = 0; i < friends.Count; i += 3)
            {
                ids.Add(await clients[i / 3 % 2].SuggestToAsync(friends.Skip(i).Take(3).ToList()));
            }

            foreach (var friend in friends)
            {
                await smtp.WaitForMessageToAsync(friend);
            }

            foreach (var id in ids)
            {
                await clients[0].WaitUntilSentAsync(id);
            }

            Assert.All(friends, friend => Assert.Single(smtp.MessagesTo(friend)));
            Assert.Equal(friends.Count, smtp.Received.Select(m => m.MessageId).Distinct().Count());
        }
        finally
        {
            await second.DisposeAsync();
            await ((IAsyncLifetime)first).DisposeAsync();
        }
    }
}
