namespace Api.Shares;

/// <summary>
/// What share counts keep of who followed a link: the referring host and a coarse family of the user
/// agent, never the URL, the agent string or the client's address.
/// </summary>
public static class ShareClients
{
    /// <summary>Only the host of the Referer, never the full URL.</summary>
    public static string? ReferrerHost(HttpRequest request) =>
        Uri.TryCreate(request.Headers.Referer.ToString(), UriKind.Absolute, out var referrer) && referrer.Host.Length <= 253 ? referrer.Host.ToLowerInvariant() : null;

    /// <summary>A coarse family of the user agent (browser or crawler), not the string itself.</summary>
    public static string AgentFamily(HttpRequest request)
    {
        var agent = request.Headers.UserAgent.ToString();
        return agent switch
        {
            "" => "unknown",
            _ when agent.Contains("bot", StringComparison.OrdinalIgnoreCase) || agent.Contains("crawler", StringComparison.OrdinalIgnoreCase)
                || agent.Contains("spider", StringComparison.OrdinalIgnoreCase) || agent.Contains("facebookexternalhit", StringComparison.OrdinalIgnoreCase) => "bot",
            _ when agent.Contains("MicroMessenger", StringComparison.Ordinal) => "wechat",
            _ when agent.Contains("Edg/", StringComparison.Ordinal) => "edge",
            _ when agent.Contains("Firefox/", StringComparison.Ordinal) => "firefox",
            _ when agent.Contains("Chrome/", StringComparison.Ordinal) => "chrome",
            _ when agent.Contains("Safari/", StringComparison.Ordinal) => "safari",
            _ when agent.StartsWith("curl/", StringComparison.Ordinal) => "curl",
            _ => "other",
        };
    }
}
