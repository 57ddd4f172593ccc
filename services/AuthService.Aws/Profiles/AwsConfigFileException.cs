namespace AuthService.Aws.Profiles;

/// <summary>A shared config or credentials file is malformed. Lists every problem at once, each with file, line and fix.</summary>
public sealed class AwsConfigFileException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AwsConfigFileException()
        : this([])
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public AwsConfigFileException(string message)
        : base(message)
    {
        Problems = [message];
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public AwsConfigFileException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [message];
    }

    /// <summary>Creates the exception from every problem found.</summary>
    public AwsConfigFileException(IReadOnlyList<string> problems)
        : base(problems.Count == 1 ? problems[0] : $"{problems.Count} problems in the AWS config files:\n  " + string.Join("\n  ", problems))
    {
        Problems = problems;
    }

    /// <summary>Each problem, "path:line: what is wrong and how to fix it".</summary>
    public IReadOnlyList<string> Problems { get; }
}
