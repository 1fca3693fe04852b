namespace Api.Infrastructure;

/// <summary>
/// A response member that some answers leave out (chosen by <c>fields=</c> or by the caller's key), so
/// OpenAPI does not list it as required; its description says when it is sent.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NotAlwaysSentAttribute : Attribute;
