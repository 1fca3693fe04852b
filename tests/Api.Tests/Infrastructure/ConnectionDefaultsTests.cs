using Api.Infrastructure;
using Npgsql;

namespace Api.Tests.Infrastructure;

public sealed class ConnectionDefaultsTests
{
    [Fact]
    public void Pool_and_timeouts_get_the_documented_defaults_when_unset()
    {
        var settings = new NpgsqlConnectionStringBuilder(Database.WithDefaults("Host=db;Database=news"));

        Assert.Equal(Math.Clamp(4 * Environment.ProcessorCount, 8, 40), settings.MaxPoolSize);
        Assert.Equal(Database.DefaultMaxPoolSize, settings.MaxPoolSize);
        Assert.Equal(0, settings.MinPoolSize);
        Assert.Equal(15, settings.Timeout);
        Assert.Equal(30, settings.CommandTimeout);
        Assert.Equal("db", settings.Host);
        Assert.Equal("news", settings.Database);
    }

    [Theory]
    [InlineData("Host=db;Maximum Pool Size=7;Timeout=3;Command Timeout=0")]
    [InlineData("Host=db;MaxPoolSize=7;timeout=3;CommandTimeout=0")]
    [InlineData("Host=db;maximum pool size=7;TIMEOUT=3;command timeout=0")]
    public void Values_the_operator_set_are_kept_whatever_the_spelling(string connectionString)
    {
        var settings = new NpgsqlConnectionStringBuilder(Database.WithDefaults(connectionString));

        Assert.Equal(7, settings.MaxPoolSize);
        Assert.Equal(3, settings.Timeout);
        Assert.Equal(0, settings.CommandTimeout);
    }
}
