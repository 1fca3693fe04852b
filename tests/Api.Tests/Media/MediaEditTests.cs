using System.Net;
using System.Text.Json;
using Api.Tests.Editorial;
using Api.Tests.Infrastructure;

namespace Api.Tests.Media;

public sealed class MediaEditTests(EditorialFixture api) : IClassFixture<EditorialFixture>
{
    private static HttpRequestMessage Patch(long id, string json, System.Net.Http.Headers.EntityTagHeaderValue? etag) =>
        EditorialFixture.Write(HttpMethod.Patch, $"/v1/media/{id}", json, etag, "application/merge-patch+json");

    private async Task<(long Id, System.Net.Http.Headers.EntityTagHeaderValue ETag)> UploadAsync(int seed)
    {
        var response = await api.Editor.SendAsync(MediaUploadTests.Raw(TestImages.Jpeg(48, 32, seed: 1000 + seed)));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return ((await response.ReadJsonAsync()).GetProperty("id").GetInt64(), response.Headers.ETag!);
    }

    [Fact]
    public async Task A_patch_changes_the_newsroom_fields_with_If_Match_and_a_stale_one_is_412()
    {
        var (id, etag) = await UploadAsync(1);

        await (await api.Editor.SendAsync(Patch(id, """{"alt":"x"}""", null))).AssertProblemAsync((HttpStatusCode)428);
        var patched = await api.Editor.SendAsync(Patch(id, """{"alt":"Delegates at the table","focalPoint":{"x":0.25},"takenAt":"2026-01-02T03:04:05Z"}""", etag));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var medium = await patched.ReadJsonAsync();
        Assert.Equal("Delegates at the table", medium.GetProperty("alt").GetString());
        Assert.Equal(0.25, medium.GetProperty("focalPoint").GetProperty("x").GetDouble());
        Assert.Equal(0.5, medium.GetProperty("focalPoint").GetProperty("y").GetDouble());
        Assert.Equal(2, medium.GetProperty("version").GetInt32());

        await (await api.Editor.SendAsync(Patch(id, """{"alt":"lost"}""", etag))).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        var cleared = await api.Editor.SendAsync(Patch(id, """{"alt":null}""", patched.Headers.ETag));
        Assert.Equal(JsonValueKind.Null, (await cleared.ReadJsonAsync()).GetProperty("alt").ValueKind);
    }

    [Fact]
    public async Task A_bad_patch_is_400_naming_each_field_and_changes_nothing()
    {
        var (id, etag) = await UploadAsync(2);

        var body = "{\"alt\":\"a\\u0007b\",\"focalPoint\":{\"x\":1.5,\"y\":-0.1},\"credit\":\"" + new string('c', 501) + "\"}";
        var problem = await (await api.Editor.SendAsync(Patch(id, body, etag)))
            .AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorsFor("alt"));
        Assert.NotEmpty(problem.ErrorsFor("credit"));
        Assert.NotEmpty(problem.ErrorsFor("focalPoint.x"));
        Assert.NotEmpty(problem.ErrorsFor("focalPoint.y"));

        await (await api.Editor.SendAsync(Patch(id, """{"width":10}""", etag))).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.Editor.SendAsync(Patch(id, """[1]""", etag))).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Patch, $"/v1/media/{id}", """{"alt":"x"}""", etag))).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        await (await api.Editor.SendAsync(Patch(999_999_999, """{"alt":"x"}""", etag))).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await api.Editor.SendAsync(Patch(0, """{"alt":"x"}""", etag))).AssertProblemAsync(HttpStatusCode.BadRequest);

        var unchanged = await (await api.Editor.GetAsync($"/v1/media/{id}")).ReadJsonAsync();
        Assert.Equal(1, unchanged.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Delete_needs_If_Match_and_removes_the_medium_and_its_original()
    {
        var (id, etag) = await UploadAsync(3);

        await (await api.Editor.DeleteAsync($"/v1/media/{id}")).AssertProblemAsync((HttpStatusCode)428);
        var deleted = await api.Editor.SendAsync(EditorialFixture.Write(HttpMethod.Delete, $"/v1/media/{id}", null, etag));

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await (await api.Editor.GetAsync($"/v1/media/{id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await api.Editor.GetAsync($"/v1/media/{id}/original")).AssertProblemAsync(HttpStatusCode.NotFound);
        await using var connection = new Npgsql.NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var chunks = new Npgsql.NpgsqlCommand($"SELECT count(*) FROM media_chunks WHERE media_id = {id}", connection);
        Assert.Equal(0L, (long)(await chunks.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task The_library_lists_newest_first_in_pages_and_finds_by_caption_or_credit()
    {
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            var (id, etag) = await UploadAsync(10 + i);
            ids.Add(id);
            await api.Editor.SendAsync(Patch(id, $$"""{"caption":"Lantern festival picture {{i}}","credit":"{{(i % 2 == 0 ? "Zhang Photographer" : "Agency Wire")}}"}""", etag));
        }

        var seen = new List<long>();
        string? cursor = null;
        do
        {
            var page = await (await api.Editor.GetAsync("/v1/media?q=lantern&limit=2" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)))).ReadJsonAsync();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("id").GetInt64()));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        Assert.Equal(ids.AsEnumerable().Reverse(), seen);
        var byCredit = await (await api.Editor.GetAsync("/v1/media?q=zhang")).ReadJsonAsync();
        Assert.Equal([ids[4], ids[2], ids[0]], byCredit.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("id").GetInt64()));
    }

    [Fact]
    public async Task Bad_list_parameters_are_400()
    {
        await (await api.Editor.GetAsync("/v1/media?limit=0")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.Editor.GetAsync("/v1/media?limit=abc")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.Editor.GetAsync("/v1/media?cursor=made-up")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.Editor.GetAsync("/v1/media?sort=name")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.Editor.GetAsync("/v1/media?q=" + new string('q', 201))).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await api.Editor.GetAsync("/v1/media/abc")).AssertProblemAsync(HttpStatusCode.BadRequest);
    }
}
