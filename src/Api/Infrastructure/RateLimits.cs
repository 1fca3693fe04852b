using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace Api.Infrastructure;

/// <summary>Settings of the <c>RateLimits</c> section (writes: every method but GET, HEAD and OPTIONS).</summary>
public sealed class RateLimitOptions
{
    /// <summary>Writes one API key may make per minute.</summary>
    public int WritesPerMinutePerKey { get; set; } = 120;

    /// <summary>Writes one client IP address may make per minute, with or without a key.</summary>
    public int WritesPerMinutePerIp { get; set; } = 300;
}

/// <summary>
/// Writes are limited per API key and per client IP (sliding one-minute windows, both must allow);
/// reads are not limited here. A refused request is a 429 problem with <c>Retry-After</c>.
/// Behind a proxy, configure forwarded headers so the client IP is the real one.
/// </summary>
public static class RateLimits
{
    public static WebApplicationBuilder AddRateLimits(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection("RateLimits").Get<RateLimitOptions>() ?? new RateLimitOptions();
        if (options.WritesPerMinutePerKey <= 0 || options.WritesPerMinutePerIp <= 0)
        {
            throw new InvalidOperationException("RateLimits:WritesPerMinutePerKey and RateLimits:WritesPerMinutePerIp must be positive.");
        }

        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(context =>
                    IsWrite(context) && context.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } key
                        ? RateLimitPartition.GetSlidingWindowLimiter("key:" + key, _ => Window(options.WritesPerMinutePerKey))
                        : RateLimitPartition.GetNoLimiter("")),
                PartitionedRateLimiter.Create<HttpContext, string>(context =>
                    IsWrite(context)
                        ? RateLimitPartition.GetSlidingWindowLimiter("ip:" + context.Connection.RemoteIpAddress, _ => Window(options.WritesPerMinutePerIp))
                        : RateLimitPartition.GetNoLimiter("")));
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var context = rejected.HttpContext;
                context.RequestServices.GetRequiredService<ServiceMetrics>().RateLimitRejections.Add(1);
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(60);
                context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Detail = "Too many writes; wait for the Retry-After seconds before the next one.",
                    },
                });
            };
        });
        return builder;
    }

    public static bool IsWrite(HttpContext context) =>
        !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) || HttpMethods.IsOptions(context.Request.Method));

    private static SlidingWindowRateLimiterOptions Window(int perMinute) => new()
    {
        PermitLimit = perMinute,
        Window = TimeSpan.FromMinutes(1),
        SegmentsPerWindow = 6,
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
