namespace Api.Imports;

/// <summary>An old address of an imported article, as it is kept and looked up: host and path with its query.</summary>
/// <param name="Host">Lowercase, without "www.".</param>
/// <param name="Path">Percent-decoded, without a trailing slash (except "/"), with its query ("/?p=12").</param>
public sealed record LegacyUrl(string Host, string Path);

public static class LegacyUrls
{
    /// <summary>
    /// The host and path of an absolute http(s) address, normalized so that the forms a browser and an
    /// export write of one address agree (case of the host and of percent escapes, "www.", a trailing
    /// slash, the fragment); null for anything else.
    /// </summary>
    public static LegacyUrl? Parse(string? url)
    {
        if (url is null || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return null;
        }

        var host = uri.IdnHost.ToLowerInvariant();
        host = host.StartsWith("www.", StringComparison.Ordinal) ? host[4..] : host;
        var path = Normalize(uri.AbsolutePath, uri.Query);
        return host.Length is 0 or > 255 || path.Length > 2000 ? null : new LegacyUrl(host, path);
    }

    /// <summary>A path (with its query) as kept: "/2013/01/11/slug" from "/2013/01/11/slug/" (or "//2013/01/11/slug/", as some exports write it).</summary>
    public static string Normalize(string path, string query)
    {
        var decoded = Uri.UnescapeDataString(path);
        while (decoded.Contains("//", StringComparison.Ordinal))
        {
            decoded = decoded.Replace("//", "/", StringComparison.Ordinal);
        }

        if (decoded.Length > 1)
        {
            decoded = decoded.TrimEnd('/');
        }

        if (decoded.Length == 0)
        {
            decoded = "/";
        }

        return query is { Length: > 1 } ? decoded + query : decoded;
    }
}
