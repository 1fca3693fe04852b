using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Api.Tests.Infrastructure;
using Json.Schema;

namespace Api.Tests.Contract;

/// <summary>
/// The committed <c>openapi.json</c> as a checker of real answers: for an operation (method and path
/// template) and an answer (status, media type, body), whether the document lists that status and media
/// type and whether the body is valid against the documented schema. OpenAPI 3.0 schemas are turned
/// into JSON Schema 2020-12 (<c>nullable: true</c> becomes "or null", component references become
/// <c>$defs</c>) and evaluated with JsonSchema.Net, formats included.
/// </summary>
public sealed partial class OpenApiContract
{
    private const string BaseUri = "https://contract.test/openapi";

    private static readonly string[] OpenApiOnlyKeywords = ["nullable", "example", "discriminator", "xml", "externalDocs"];

    private static readonly Lazy<OpenApiContract> CommittedContract = new(() => new OpenApiContract(Repository.ReadAllText("openapi.json")));

    private readonly JsonObject _paths;
    private readonly SchemaRegistry _registry = new();
    private readonly Dictionary<string, JsonSchema> _schemas = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public OpenApiContract(string document)
    {
        var root = JsonNode.Parse(document)!.AsObject();
        _paths = root["paths"]!.AsObject();
        var definitions = new JsonObject();
        foreach (var (name, schema) in root["components"]!["schemas"]!.AsObject())
        {
            definitions[name] = ToJsonSchema(schema!);
        }

        var components = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = BaseUri,
            ["$defs"] = definitions,
        };
        JsonSchema.FromText(components.ToJsonString(), new BuildOptions { SchemaRegistry = _registry });
    }

    /// <summary>The committed <c>openapi.json</c>.</summary>
    public static OpenApiContract Committed => CommittedContract.Value;

    /// <summary>The document's operations, as "METHOD /template".</summary>
    public IEnumerable<string> Operations =>
        _paths.SelectMany(path => path.Value!.AsObject()
            .Where(op => op.Key is "get" or "put" or "post" or "patch" or "delete" or "head")
            .Select(op => $"{op.Key.ToUpperInvariant()} {path.Key}"));

    /// <summary>Whether the document has this operation.</summary>
    public bool Has(string method, string template) => Operation(method, template) is not null;

    /// <summary>
    /// What is wrong with an answer of the operation, or nothing. <paramref name="body"/> is null when the
    /// body was not read (a HEAD request, a compressed answer).
    /// </summary>
    public IReadOnlyList<string> Check(string method, string template, int status, string? contentType, string? body)
    {
        if (Operation(method, template) is not { } operation)
        {
            return [$"{method} {template} is not in the document."];
        }

        var responses = operation["responses"]!.AsObject();
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var response = responses[key] ?? responses[$"{key[0]}XX"] ?? responses["default"];
        if (response is null)
        {
            return [$"{method} {template} answered {status}, which the document does not list (it lists {string.Join(", ", responses.Select(r => r.Key))})."];
        }

        if (string.IsNullOrEmpty(body))
        {
            return [];
        }

        var mediaType = contentType?.Split(';')[0].Trim().ToLowerInvariant();
        var content = response["content"]?.AsObject();
        // Representations a client gets only by asking (Accept) are listed beside content, not in it.
        var media = mediaType is null ? null : content?[mediaType] ?? response["x-alternative-content"]?[mediaType];
        if (media is null)
        {
            return [$"{method} {template} answered {status} with a body of {mediaType ?? "no media type"}, which the document does not list for it ({(content is null ? "no content" : string.Join(", ", content.Select(c => c.Key)))})."];
        }

        if (!IsJson(mediaType!) || media["schema"] is not { } schema)
        {
            return [];
        }

        JsonElement instance;
        try
        {
            instance = JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException e)
        {
            return [$"{method} {template} answered {status} with {mediaType} that does not parse: {e.Message}"];
        }

        var result = Schema($"{method} {template} {key} {mediaType}", schema).Evaluate(
            instance, new EvaluationOptions { OutputFormat = OutputFormat.Hierarchical, RequireFormatValidation = true });
        if (result.IsValid)
        {
            return [];
        }

        var errors = Failures(result).Distinct().Take(10).ToList();
        var excerpt = body.Length > 600 ? body[..600] + "…" : body;
        return [$"{method} {template} answered {status} with a body the schema refuses:\n  {string.Join("\n  ", errors.DefaultIfEmpty("invalid"))}\n  body: {excerpt}"];
    }

    /// <summary>
    /// Every example the document gives (request bodies and responses) that its schema refuses, as
    /// "METHOD /template where: errors"; and how many examples there are.
    /// </summary>
    public (IReadOnlyList<string> Refused, int Count) CheckExamples()
    {
        var refused = new List<string>();
        var count = 0;
        foreach (var (template, item) in _paths)
        {
            foreach (var (method, operation) in item!.AsObject().Where(op => op.Key is "get" or "put" or "post" or "patch" or "delete"))
            {
                var bodies = new List<(string Where, JsonNode? Media)>();
                foreach (var (type, media) in operation!["requestBody"]?["content"]?.AsObject() ?? [])
                {
                    bodies.Add(($"request {type}", media));
                }

                foreach (var (status, response) in operation["responses"]!.AsObject())
                {
                    foreach (var (type, media) in response!["content"]?.AsObject() ?? [])
                    {
                        bodies.Add(($"{status} {type}", media));
                    }
                }

                foreach (var (where, media) in bodies)
                {
                    if (media?["example"] is not { } example || media["schema"] is not { } schema)
                    {
                        continue;
                    }

                    count++;
                    var result = Schema($"{method} {template} example {where}", schema).Evaluate(
                        JsonDocument.Parse(example.ToJsonString()).RootElement,
                        new EvaluationOptions { OutputFormat = OutputFormat.Hierarchical, RequireFormatValidation = true });
                    if (!result.IsValid)
                    {
                        refused.Add($"{method.ToUpperInvariant()} {template} {where}: {string.Join("; ", Failures(result).Distinct().Take(5))}");
                    }
                }
            }
        }

        return (refused, count);
    }

    /// <summary>The errors of the failed parts of an evaluation (a passing branch of an <c>anyOf</c> hides its failing siblings).</summary>
    private static IEnumerable<string> Failures(EvaluationResults node)
    {
        if (node.IsValid)
        {
            yield break;
        }

        foreach (var (_, message) in node.Errors ?? new Dictionary<string, string>())
        {
            yield return $"{node.InstanceLocation}: {message} ({node.EvaluationPath})";
        }

        foreach (var failure in (node.Details ?? []).SelectMany(Failures))
        {
            yield return failure;
        }
    }

    /// <summary>A route template as the document spells it: <c>{id:long}</c> is <c>{id}</c>.</summary>
    public static string DocumentTemplate(string routeTemplate) =>
        "/" + RouteParameter().Replace(routeTemplate.Trim('/'), m => "{" + m.Groups[1].Value + "}");

    [GeneratedRegex(@"\{\*{0,2}([A-Za-z0-9_]+)(:[^}?=]*)?(=[^}]*)?\??\}")]
    private static partial Regex RouteParameter();

    private static bool IsJson(string mediaType) => mediaType == "application/json" || mediaType.EndsWith("+json", StringComparison.Ordinal);

    private JsonObject? Operation(string method, string template) =>
        _paths[template]?.AsObject()[method.ToLowerInvariant()]?.AsObject();

    private JsonSchema Schema(string key, JsonNode schema)
    {
        lock (_gate)
        {
            if (!_schemas.TryGetValue(key, out var built))
            {
                var converted = ToJsonSchema(schema).AsObject();
                converted["$schema"] = "https://json-schema.org/draft/2020-12/schema";
                converted["$id"] = $"https://contract.test/response/{_schemas.Count}";
                built = JsonSchema.FromText(converted.ToJsonString(), new BuildOptions { SchemaRegistry = _registry });
                _schemas[key] = built;
            }

            return built;
        }
    }

    /// <summary>An OpenAPI 3.0 schema object as JSON Schema 2020-12.</summary>
    private static JsonNode ToJsonSchema(JsonNode node)
    {
        if (node is not JsonObject schema)
        {
            return node.DeepClone();
        }

        var result = new JsonObject();
        foreach (var (keyword, value) in schema)
        {
            if (value is null || OpenApiOnlyKeywords.Contains(keyword))
            {
                continue;
            }

            result[keyword] = keyword switch
            {
                "$ref" => value.GetValue<string>().Replace("#/components/schemas/", BaseUri + "#/$defs/", StringComparison.Ordinal),
                "properties" => new JsonObject(value.AsObject().Select(p => KeyValuePair.Create(p.Key, (JsonNode?)ToJsonSchema(p.Value!)))),
                "items" or "not" => ToJsonSchema(value),
                "additionalProperties" => value is JsonObject ? ToJsonSchema(value) : value.DeepClone(),
                "allOf" or "anyOf" or "oneOf" => new JsonArray(value.AsArray().Select(s => (JsonNode?)ToJsonSchema(s!)).ToArray()),
                _ => value.DeepClone(),
            };
        }

        return schema["nullable"]?.GetValue<bool>() == true
            ? new JsonObject { ["anyOf"] = new JsonArray(result, new JsonObject { ["type"] = "null" }) }
            : result;
    }
}
