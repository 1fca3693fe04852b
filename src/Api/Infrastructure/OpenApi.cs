using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.Swagger;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Api.Infrastructure;

/// <summary>
/// The OpenAPI document (<c>/swagger/v1/swagger.json</c>, committed as <c>openapi.json</c>) and Swagger UI
/// (<c>/swagger</c>). Operation ids, summaries and tags come from each endpoint's metadata; the
/// problem responses every operation can give are added here once.
/// </summary>
public static class OpenApi
{
    public const string DocumentName = "v1";
    public const string DocumentPath = "/swagger/v1/swagger.json";

    public static WebApplicationBuilder AddOpenApiDocument(this WebApplicationBuilder builder)
    {
        builder.Services.AddEndpointsApiExplorer();
        builder.Services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc(DocumentName, new OpenApiInfo
            {
                Title = "News Content API",
                Version = "1.0",
                Description = """
                    Headless content API for news sites: articles in a tree of categories, syndication and sharing.

                    Conventions: JSON is camelCase; timestamps are RFC 3339 UTC; every error is
                    `application/problem+json` (RFC 9457) with a `traceId`; reads send `ETag` and answer
                    `If-None-Match` with 304.
                    """,
            });
            var xml = Path.Combine(AppContext.BaseDirectory, $"{Assembly.GetExecutingAssembly().GetName().Name}.xml");
            if (File.Exists(xml))
            {
                options.IncludeXmlComments(xml);
            }

            options.SupportNonNullableReferenceTypes();
            options.NonNullableReferenceTypesAsRequired();
            // A property typed by another schema is an allOf wrapper around its $ref, so that it can
            // say nullable (OpenAPI 3.0 ignores siblings of a bare $ref: `image` would read as never null).
            options.UseAllOfToExtendReferenceSchemas();
            options.SchemaFilter<ResponseMembersAlwaysPresent>();
            options.OperationFilter<CommonProblemResponses>();
            options.OperationFilter<ResponseHeaders>();
            options.OperationFilter<ResponsesInStatusOrder>();
            options.OperationFilter<FormUploads>();
            options.OperationFilter<OpenApiExamples.Filter>();
            options.ParameterFilter<QueryTypes>();
            options.MapType<System.Text.Json.Nodes.JsonObject>(() => new OpenApiSchema { Type = JsonSchemaType.Object });
            options.MapType<Timestamp>(() => new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" });
        });

        // The document depends only on the code, so it is generated once per process and then served
        // from memory (generation takes tens of milliseconds and walks shared metadata).
        builder.Services.AddSingleton<SwaggerGenerator>();
        builder.Services.AddSingleton<CachedSwaggerProvider>();
        builder.Services.AddSingleton<ISwaggerProvider>(sp => sp.GetRequiredService<CachedSwaggerProvider>());
        builder.Services.AddSingleton<IAsyncSwaggerProvider>(sp => sp.GetRequiredService<CachedSwaggerProvider>());
        return builder;
    }

    /// <summary>Generates each document once (one at a time), keeps it, and serves it from then on.</summary>
    private sealed class CachedSwaggerProvider(SwaggerGenerator generator) : ISwaggerProvider, IAsyncSwaggerProvider
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<(string, string?, string?), OpenApiDocument> _documents = [];

        public OpenApiDocument GetSwagger(string documentName, string? host = null, string? basePath = null)
        {
            lock (_gate)
            {
                if (!_documents.TryGetValue((documentName, host, basePath), out var document))
                {
                    document = generator.GetSwagger(documentName, host, basePath);
                    _documents[(documentName, host, basePath)] = document;
                }

                return document;
            }
        }

        public Task<OpenApiDocument> GetSwaggerAsync(string documentName, string? host = null, string? basePath = null) =>
            Task.FromResult(GetSwagger(documentName, host, basePath));
    }

    private static readonly SemaphoreSlim DocumentGate = new(1, 1);

    public static WebApplication UseOpenApiDocument(this WebApplication app)
    {
        // Only requests under /swagger reach the document and UI middleware, which would otherwise
        // match every other request's path against their routes.
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/swagger"), swagger =>
        {
            // One document request at a time in the whole process: generating and writing the
            // document goes through static caches of the OpenAPI libraries, and hosts that run
            // several applications in one process (the tests) saw rare 500s when two of them did it
            // at once. These requests are rare and the document is cached, so nobody waits long.
            swagger.Use(async (context, next) =>
            {
                await DocumentGate.WaitAsync(context.RequestAborted);
                try
                {
                    await next(context);
                }
                finally
                {
                    DocumentGate.Release();
                }
            });
            swagger.UseSwagger();
            swagger.UseSwaggerUI(ui =>
            {
                ui.SwaggerEndpoint(DocumentPath, "News Content API v1");
                ui.RoutePrefix = "swagger";
                ui.DocumentTitle = "News Content API";
            });
        });
        return app;
    }

    /// <summary>Documents the 503 an endpoint gives while the database is unreachable.</summary>
    public static TBuilder UsesDatabase<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    /// <summary>
    /// Every operation may fail unexpectedly (500); every write may be rate-limited (429); every
    /// operation that takes a body refuses one too large (413) or of another media type (415).
    /// </summary>
    /// <summary>Responses listed by status code, whatever order the endpoint's metadata gave them in.</summary>
    private sealed class ResponsesInStatusOrder : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (operation.Responses is not { Count: > 1 } responses)
            {
                return;
            }

            var ordered = responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
            responses.Clear();
            foreach (var (status, response) in ordered)
            {
                responses[status] = response;
            }
        }
    }

    private sealed class CommonProblemResponses : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            operation.Responses ??= new OpenApiResponses();
            Add(operation, context, "500", "Unexpected error; the problem's traceId identifies it in the logs.");
            if (context.ApiDescription.HttpMethod is not ("GET" or "HEAD"))
            {
                Add(operation, context, "429", "Too many writes from this key or address; retry after the `Retry-After` seconds.");
            }

            if (operation.RequestBody is not null)
            {
                Add(operation, context, "413", "The body is larger than the server accepts (`Limits__MaxRequestBodyBytes`).");
                Add(operation, context, "415", "The body's media type is not one this operation takes (see the request body); checked after the key.");
            }
        }

        private static void Add(OpenApiOperation operation, OperationFilterContext context, string status, string description)
        {
            if (operation.Responses!.ContainsKey(status))
            {
                return;
            }

            operation.Responses[status] = new OpenApiResponse
            {
                Description = description,
                Content = new Dictionary<string, IOpenApiMediaType>
                {
                    [Problems.ContentType] = new OpenApiMediaType
                    {
                        Schema = context.SchemaGenerator.GenerateSchema(typeof(ProblemDetails), context.SchemaRepository),
                    },
                },
            };
        }
    }

    /// <summary>
    /// Response records are written whole (absent values as null), so every member is required; nullable
    /// ones say so with <c>nullable</c>. Request records (names ending in Request) keep optional members.
    /// </summary>
    private sealed class ResponseMembersAlwaysPresent : ISchemaFilter
    {
        public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
        {
            if (schema is not OpenApiSchema concrete
                || concrete.Properties is not { Count: > 0 } properties
                || context.Type.Namespace?.StartsWith("Api", StringComparison.Ordinal) != true
                || context.Type.Name.EndsWith("Request", StringComparison.Ordinal))
            {
                return;
            }

            // Members written only when they have a value (asked-for extras), or only to some callers, are the exception.
            var optional = context.Type.GetProperties()
                .Where(p => p.GetCustomAttribute<System.Text.Json.Serialization.JsonIgnoreAttribute>()?.Condition == System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull
                    || p.GetCustomAttribute<NotAlwaysSentAttribute>() is not null)
                .Select(p => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(p.Name))
                .ToHashSet(StringComparer.Ordinal);
            concrete.Required = new HashSet<string>(properties.Keys.Where(name => !optional.Contains(name)));
        }
    }

    /// <summary>
    /// An endpoint takes one request type in OpenAPI's eyes (its last <c>Accepts</c>); one that also takes a
    /// <c>multipart/form-data</c> form names it with <see cref="AcceptsFormAttribute"/>, added here beside the others.
    /// </summary>
    private sealed class FormUploads : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<AcceptsFormAttribute>().FirstOrDefault() is not { } form
                || operation.RequestBody is not OpenApiRequestBody body)
            {
                return;
            }

            body.Content ??= new Dictionary<string, IOpenApiMediaType>();
            body.Content["multipart/form-data"] = new OpenApiMediaType { Schema = context.SchemaGenerator.GenerateSchema(form.FormType, context.SchemaRepository) };
        }
    }

    /// <summary>Names the headers clients and caches rely on: validators, redirects and retry hints.</summary>
    private sealed class ResponseHeaders : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (operation.Responses is not { } responses)
            {
                return;
            }

            if (responses.ContainsKey("304"))
            {
                foreach (var status in new[] { "200", "304" })
                {
                    if (responses.TryGetValue(status, out var response) && response is OpenApiResponse r)
                    {
                        r.Headers ??= new Dictionary<string, IOpenApiHeader>();
                        r.Headers["ETag"] = Header("Strong validator of the representation; send it back in `If-None-Match`.");
                        r.Headers["Cache-Control"] = Header("What shared caches may keep, and for how long.");
                        r.Headers["Surrogate-Key"] = Header("Space-separated cache tags (`article-{id}`, `category-{id}`) for purging a CDN by tag.");
                    }
                }
            }

            foreach (var status in new[] { "301", "302", "201" })
            {
                if (responses.TryGetValue(status, out var response) && response is OpenApiResponse r)
                {
                    r.Headers ??= new Dictionary<string, IOpenApiHeader>();
                    r.Headers["Location"] = Header("URL of the resource.");
                }
            }

            foreach (var status in new[] { "429", "503" })
            {
                if (responses.TryGetValue(status, out var response) && response is OpenApiResponse r)
                {
                    r.Headers ??= new Dictionary<string, IOpenApiHeader>();
                    r.Headers["Retry-After"] = Header("Seconds to wait before retrying.", JsonSchemaType.Integer);
                }
            }
        }

        private static OpenApiHeader Header(string description, JsonSchemaType type = JsonSchemaType.String) =>
            new() { Description = description, Schema = new OpenApiSchema { Type = type } };
    }

    /// <summary>
    /// Names query parameters as the wire spells them, and describes each from what the code already
    /// says about it: its type (the generator's schema), its default (<c>[DefaultValue]</c>), and its
    /// bounds and allowed values (the request's FluentValidation rules: <c>InclusiveBetween</c>,
    /// <c>GreaterThan…</c>, <c>LessThan…</c>, <c>OneOf</c>, lengths).
    /// </summary>
    private sealed class QueryTypes(IServiceProvider services) : IParameterFilter
    {
        public void Apply(IOpenApiParameter parameter, ParameterFilterContext context)
        {
            if (parameter is not OpenApiParameter concrete)
            {
                return;
            }

            // The wire name, exactly as [FromQuery(Name = ...)] spells it.
            if (context.ParameterInfo?.GetCustomAttribute<FromQueryAttribute>()?.Name is { } name)
            {
                concrete.Name = name;
            }

            if (concrete.Schema is not OpenApiSchema schema)
            {
                return;
            }

            // Absent is how a client leaves a parameter out; a query string has no null.
            schema.Type &= ~JsonSchemaType.Null;
            // A property of an [AsParameters] record reaches here as a parameter whose member is the record
            // (or its constructor, for a positional record).
            var (request, member) = context.PropertyInfo is { } property
                ? (property.DeclaringType, property.Name)
                : (context.ParameterInfo?.Member switch
                {
                    Type type => type,
                    ConstructorInfo constructor => constructor.DeclaringType,
                    PropertyInfo declared => declared.DeclaringType,
                    _ => null,
                }, context.ParameterInfo?.Name);

            if (request is null || member is null
                || services.GetService(typeof(FluentValidation.IValidator<>).MakeGenericType(request)) is not FluentValidation.IValidator validator)
            {
                return;
            }

            // Rules are named by the wire name (Validation sets FluentValidation's property name resolver).
            foreach (var check in validator.CreateDescriptor().GetRulesForMember(concrete.Name).SelectMany(r => r.Components).Select(c => c.Validator))
            {
                switch (check)
                {
                    case FluentValidation.Validators.IBetweenValidator between:
                        schema.Minimum = Number(between.From);
                        schema.Maximum = Number(between.To);
                        break;
                    case FluentValidation.Validators.IComparisonValidator { Comparison: FluentValidation.Validators.Comparison.GreaterThanOrEqual } atLeast:
                        schema.Minimum = Number(atLeast.ValueToCompare);
                        break;
                    case FluentValidation.Validators.IComparisonValidator { Comparison: FluentValidation.Validators.Comparison.GreaterThan } above:
                        schema.ExclusiveMinimum = Number(above.ValueToCompare);
                        break;
                    case FluentValidation.Validators.IComparisonValidator { Comparison: FluentValidation.Validators.Comparison.LessThanOrEqual } atMost:
                        schema.Maximum = Number(atMost.ValueToCompare);
                        break;
                    case FluentValidation.Validators.ILengthValidator length:
                        schema.MinLength = length.Min > 0 ? length.Min : schema.MinLength;
                        schema.MaxLength = length.Max > 0 ? length.Max : schema.MaxLength;
                        break;
                    case IOneOfValidator oneOf:
                        schema.Enum = [.. oneOf.Values.Select(v => (System.Text.Json.Nodes.JsonNode)System.Text.Json.Nodes.JsonValue.Create(v))];
                        break;
                }
            }
        }

        private static string? Number(object? value) =>
            value is IFormattable number ? number.ToString(null, System.Globalization.CultureInfo.InvariantCulture) : null;
    }
}

/// <summary>Endpoint metadata: the endpoint also takes <see cref="FormType"/> as <c>multipart/form-data</c> (for OpenAPI).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AcceptsFormAttribute(Type formType) : Attribute
{
    public Type FormType => formType;
}
