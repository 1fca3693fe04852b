namespace Api.Tests.Infrastructure;

/// <summary>Files of the repository the tests were built from (the contract, the README).</summary>
public static class Repository
{
    /// <summary>The folder holding Api.sln.</summary>
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Api.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Could not find the repository root (the folder holding Api.sln).");
    }

    public static string ReadAllText(string relativePath) => File.ReadAllText(Path.Combine(Root(), relativePath));
}
