using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Api.Infrastructure;

/// <summary>Settings of the <c>Limits</c> section.</summary>
public sealed class LimitsOptions
{
    /// <summary>Largest request body accepted by any endpoint, in bytes; larger bodies get 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;
}

public static class RequestLimits
{
    public static WebApplicationBuilder AddRequestLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<LimitsOptions>()
            .Bind(builder.Configuration.GetSection("Limits"))
            .Validate(o => o.MaxRequestBodyBytes > 0, "Limits:MaxRequestBodyBytes must be positive")
            .ValidateOnStart();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.MaxRequestLineSize = 8 * 1024;
        });
        return builder;
    }

    /// <summary>
    /// 413 for a body over <see cref="LimitsOptions.MaxRequestBodyBytes"/>, or over the endpoint's own
    /// limit (<see cref="IRequestSizeLimitMetadata"/>, e.g. uploads): at once when Content-Length says
    /// so, otherwise as soon as a streamed (chunked) body passes the limit.
    /// </summary>
    public static WebApplication UseRequestBodyLimit(this WebApplication app)
    {
        var defaultLimit = app.Services.GetRequiredService<IOptions<LimitsOptions>>().Value.MaxRequestBodyBytes;
        app.Use((context, next) =>
        {
            var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? defaultLimit;
            if (context.Request.ContentLength > limit)
            {
                throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
            }

            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } server)
            {
                server.MaxRequestBodySize = limit;
            }

            if (context.Request.ContentLength > 0 || (context.Request.ContentLength is null && context.Request.Headers.TransferEncoding.Count > 0))
            {
                // A body is read through a stream of our own (the framework then reads it through a
                // pipe over that stream). Read straight from the server's pipe, a JSON body still
                // arriving when the server begins a graceful shutdown fails: the server wakes its
                // connections with a cancelled read, which a reader that examined more than it
                // consumed (the JSON deserializer) receives as an error. A stream read consumes all
                // it returns, so the server retries the cancelled read itself and the request finishes.
                context.Request.Body = new LimitedStream(context.Request.Body, limit);
            }

            return next(context);
        });
        return app;
    }

    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Count(int read)
        {
            _read += read;
            return _read > limit
                ? throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge)
                : read;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
