using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Api.Infrastructure;

/// <summary>The versions an <c>If-Match</c> header accepts; null for <c>*</c> (any current version).</summary>
public sealed record VersionPrecondition(IReadOnlySet<int>? Versions)
{
    public static readonly VersionPrecondition Any = new((IReadOnlySet<int>?)null);

    public bool Allows(int version) => Versions is null || Versions.Contains(version);
}

/// <summary>
/// Optimistic concurrency: updates must say which version they were made from, with the ETag the
/// client read (<c>If-Match: "3-…"</c>; versioned resources put their version first in the ETag).
/// Missing is 428; a header that can match nothing (weak or foreign ETags) still goes on to 412.
/// </summary>
public static class Preconditions
{
    public static bool TryRead(HttpRequest request, out VersionPrecondition precondition)
    {
        precondition = VersionPrecondition.Any;
        var header = request.Headers.IfMatch;
        if (header.Count == 0 || string.IsNullOrWhiteSpace(header.ToString()))
        {
            return false;
        }

        if (header.ToString().Trim() == "*")
        {
            return true;
        }

        var versions = new HashSet<int>();
        if (EntityTagHeaderValue.TryParseList(header, out var tags))
        {
            foreach (var tag in tags.Where(t => !t.IsWeak))
            {
                var value = tag.Tag.Value!.Trim('"');
                var dash = value.IndexOf('-');
                if (dash > 0 && int.TryParse(value.AsSpan(0, dash), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version))
                {
                    versions.Add(version);
                }
            }
        }

        precondition = new VersionPrecondition(versions);
        return true;
    }

    /// <summary>The start of a versioned resource's ETag: its version and a dash (what <see cref="TryRead"/> reads back).</summary>
    public static string VersionPrefix(int version) => version.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-";

    public static ProblemHttpResult Required() =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status428PreconditionRequired,
            detail: "Send If-Match with the ETag of the version you edited (from GET or the last write), or If-Match: * to overwrite any version.");

    public static ProblemHttpResult Failed(int currentVersion) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status412PreconditionFailed,
            detail: $"The resource has changed since the version you sent in If-Match; it is now at version {currentVersion}. Read it again and reapply your change.",
            extensions: new Dictionary<string, object?> { ["currentVersion"] = currentVersion });
}
