using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;

namespace Api.Tests.Telemetry;

/// <summary>
/// With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, each request is a span with a child span per SQL
/// statement (its text, not its parameters); the problem's <c>traceId</c> is the trace's, and an
/// incoming <c>traceparent</c> is continued. The spans are also kept in memory here to be read.
/// </summary>
public sealed class TracingTests(TracingTests.Traced api) : IClassFixture<TracingTests.Traced>
{
    public sealed class Traced : ApiFactory
    {
        public Spans Exported { get; } = new();

        /// <summary>A collector's OTLP/HTTP endpoint: what the real exporter posts to <c>/v1/traces</c>.</summary>
        public OtlpReceiver Collector { get; } = new();

        public override async Task InitializeAsync()
        {
            await Collector.StartAsync();
            await base.InitializeAsync();
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            await Collector.DisposeAsync();
            GC.SuppressFinalize(this);
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("OTEL_EXPORTER_OTLP_ENDPOINT", Collector.BaseUrl);
            builder.UseSetting("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
            builder.UseSetting("OTEL_BSP_SCHEDULE_DELAY", "100");
            builder.ConfigureServices(services => services.ConfigureOpenTelemetryTracerProvider(traces => traces.AddInMemoryExporter(Exported)));
        }
    }

    /// <summary>Records the bodies of OTLP/HTTP export requests (Kestrel on a free loopback port, in the test process).</summary>
    public sealed class OtlpReceiver : IAsyncDisposable
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<(string Path, string? ContentType, byte[] Body)> _received = new();
        private Microsoft.AspNetCore.Builder.WebApplication? _app;

        public string BaseUrl { get; private set; } = "";

        public IReadOnlyList<(string Path, string? ContentType, byte[] Body)> Received => _received.ToArray();

        public async Task StartAsync()
        {
            var port = ApiProcess.FreePort();
            var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            builder.Logging.ClearProviders();
            _app = builder.Build();
            Microsoft.AspNetCore.Builder.RunExtensions.Run(_app, async http =>
            {
                using var body = new MemoryStream();
                await http.Request.Body.CopyToAsync(body);
                _received.Enqueue((http.Request.Path, http.Request.ContentType, body.ToArray()));
                http.Response.StatusCode = 200;
            });
            await _app.StartAsync();
            BaseUrl = $"http://127.0.0.1:{port}";
        }

        public async ValueTask DisposeAsync()
        {
            if (_app is not null)
            {
                await _app.DisposeAsync();
            }
        }
    }

    /// <summary>What the exporter stopped, from any thread.</summary>
    public sealed class Spans : ICollection<Activity>
    {
        private readonly List<Activity> _spans = [];
        private readonly Lock _gate = new();

        public int Count
        {
            get
            {
                lock (_gate)
                {
                    return _spans.Count;
                }
            }
        }

        public bool IsReadOnly => false;

        public void Add(Activity item)
        {
            lock (_gate)
            {
                _spans.Add(item);
            }
        }

        public void Clear()
        {
            lock (_gate)
            {
                _spans.Clear();
            }
        }

        public bool Contains(Activity item)
        {
            lock (_gate)
            {
                return _spans.Contains(item);
            }
        }

        public void CopyTo(Activity[] array, int arrayIndex)
        {
            lock (_gate)
            {
                _spans.CopyTo(array, arrayIndex);
            }
        }

        public bool Remove(Activity item)
        {
            lock (_gate)
            {
                return _spans.Remove(item);
            }
        }

        public IEnumerator<Activity> GetEnumerator()
        {
            lock (_gate)
            {
                return _spans.ToList().GetEnumerator();
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        /// <summary>The spans of one trace, once its server span has ended (within five seconds).</summary>
        public async Task<IReadOnlyList<Activity>> OfTraceAsync(string traceId)
        {
            var waited = Stopwatch.StartNew();
            while (true)
            {
                var spans = this.Where(s => s.TraceId.ToHexString() == traceId).ToList();
                if (spans.Any(s => s.Kind == ActivityKind.Server) || waited.Elapsed > TimeSpan.FromSeconds(5))
                {
                    return spans;
                }

                await Task.Delay(20);
            }
        }
    }

    [Fact]
    public async Task A_request_is_a_span_with_its_SQL_statements_and_the_problems_traceId_is_the_traces()
    {
        const string slug = "no-such-article-7d1e";
        var response = await api.CreateClient().GetAsync($"/v1/articles/{slug}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var traceId = problem.RootElement.GetProperty("traceId").GetString()!;
        var spans = await api.Exported.OfTraceAsync(traceId);

        var server = Assert.Single(spans, s => s.Kind == ActivityKind.Server);
        Assert.Equal("GET /v1/articles/{idOrSlug}", server.DisplayName);
        var statements = spans.Where(s => s.Kind == ActivityKind.Client && Equals(s.GetTagItem("db.system.name") ?? s.GetTagItem("db.system"), "postgresql")).ToList();
        Assert.NotEmpty(statements);
        Assert.All(statements, s => Assert.Equal(server.SpanId, s.ParentSpanId));
        Assert.Contains(statements, s => (s.GetTagItem("db.query.text") ?? s.GetTagItem("db.statement")) is string text && text.Contains("FROM articles", StringComparison.Ordinal));
        // The statements' text, never their parameters' values.
        Assert.DoesNotContain(statements.SelectMany(s => s.TagObjects), tag => tag.Value?.ToString()?.Contains(slug, StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task The_spans_reach_an_OTLP_collector_without_the_values_searched_for()
    {
        const string word = "zebrastripe4711";
        var trace = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/articles?q={word}");
        request.Headers.Add("traceparent", $"00-{trace.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        Assert.Equal(HttpStatusCode.OK, (await api.CreateClient().SendAsync(request)).StatusCode);
        var traceId = Convert.FromHexString(trace.ToHexString());

        // OTLP's protobuf keeps ids as raw bytes and strings as UTF-8: the trace's id and the search
        // statement's text are in what was posted; the word searched for (a parameter of the statement,
        // and a value of the query string, which the request's span redacts) is not.
        var waited = Stopwatch.StartNew();
        List<byte[]> bodies;
        while (!(bodies = api.Collector.Received.Where(r => r.Path == "/v1/traces").Select(r => r.Body).Where(b => b.AsSpan().IndexOf(traceId) >= 0).ToList()).Any(HasStatement))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), $"No OTLP export of trace {trace.ToHexString()} with its statements within 10 s ({api.Collector.Received.Count} requests received).");
            await Task.Delay(50);
        }

        Assert.All(api.Collector.Received.Where(r => r.Path == "/v1/traces"), r => Assert.Equal("application/x-protobuf", r.ContentType));
        Assert.All(bodies, b => Assert.True(b.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(word)) < 0, "The word searched for was exported."));

        static bool HasStatement(byte[] body) => body.AsSpan().IndexOf("websearch_to_tsquery"u8) >= 0;
    }

    [Fact]
    public async Task An_incoming_traceparent_is_continued()
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/articles/no-such-article-e3b2");
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");

        var response = await api.CreateClient().SendAsync(request);

        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(traceId, problem.RootElement.GetProperty("traceId").GetString());
        Assert.Contains(await api.Exported.OfTraceAsync(traceId), s => s.Kind == ActivityKind.Server);
    }
}
