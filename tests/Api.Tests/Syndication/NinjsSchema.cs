using System.Text.Json;
using Json.Schema;

namespace Api.Tests.Syndication;

/// <summary>
/// IPTC's ninjs 2.2 JSON Schema (draft 2020-12; the copy next to this file), evaluated with
/// JsonSchema.Net with format validation on, so that <c>uri</c> and <c>date-time</c> values are checked too.
/// </summary>
public static class NinjsSchema
{
    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(SchemaPath()), new BuildOptions { SchemaRegistry = new SchemaRegistry() }));

    /// <summary>Every validation error, as "instance location: message"; empty when the item is valid.</summary>
    public static IReadOnlyList<string> Errors(JsonElement item)
    {
        var result = Schema.Value.Evaluate(item, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (result.IsValid)
        {
            return [];
        }

        var errors = (result.Details ?? [])
            .Prepend(result)
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Key}: {e.Value}"))
            .ToList();
        return errors.Count > 0 ? errors : ["invalid (no details reported)"];
    }

    public static void AssertValid(JsonElement item)
    {
        var errors = Errors(item);
        Assert.True(errors.Count == 0, "Not valid ninjs 2.2:\n" + string.Join('\n', errors));
    }

    private static string SchemaPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Api.sln")))
            {
                return Path.Combine(dir.FullName, "tests", "Api.Tests", "Syndication", "ninjs-schema_2.2.json");
            }
        }

        throw new InvalidOperationException("Could not find the repository root (the folder holding Api.sln).");
    }
}
