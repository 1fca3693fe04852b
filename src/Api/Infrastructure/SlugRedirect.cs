using Microsoft.AspNetCore.Http.HttpResults;

namespace Api.Infrastructure;

/// <summary>The answer for a resource asked for by an earlier slug (an article's, a tag's).</summary>
public static class SlugRedirect
{
    /// <summary>
    /// 301 to the same path and query with <paramref name="currentSlug"/> in place of the segment that
    /// follows <paramref name="prefix"/> (308 for methods other than GET and HEAD, which must be repeated
    /// there as they were).
    /// </summary>
    public static RedirectHttpResult To(HttpContext http, string prefix, string currentSlug)
    {
        var path = http.Request.Path.Value ?? prefix;
        var end = path.IndexOf('/', prefix.Length);
        var rest = end < 0 ? "" : path[end..];
        var location = $"{prefix}{currentSlug}{rest}{http.Request.QueryString}";
        return HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)
            ? TypedResults.Redirect(location, permanent: true)
            : TypedResults.Redirect(location, permanent: true, preserveMethod: true);
    }
}
