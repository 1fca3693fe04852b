namespace Api.Tests.Infrastructure;

/// <summary>A test class with an empty database of its own (for an API it starts as a process), dropped afterwards.</summary>
public abstract class OwnDatabase(string prefix) : IAsyncLifetime
{
    protected string DatabaseName { get; } = TestDatabase.NewName(prefix);

    protected string ConnectionString => TestDatabase.ConnectionStringFor(DatabaseName);

    public virtual Task InitializeAsync() => TestDatabase.CreateAsync(DatabaseName);

    public virtual Task DisposeAsync() => TestDatabase.DropAsync(DatabaseName);
}
