namespace CityCase.Domain;

/// <summary>
/// Who did something: the authenticated user behind a command, recorded on every event. Department
/// users carry their department's code.
/// </summary>
public sealed record Actor(string UserId, string Name, string Role, string? Department = null);

/// <summary>The roles of the GraphQL contract (the JWT <c>role</c> claim).</summary>
public static class Roles
{
    public const string Agent = "agent";
    public const string Inspector = "inspector";
    public const string Dispatcher = "dispatcher";
    public const string Department = "department";
    public const string Supervisor = "supervisor";
    public const string Auditor = "auditor";
    public const string Analyst = "analyst";
    public const string Admin = "admin";
    public const string Device = "device";

    public static readonly IReadOnlySet<string> All = new HashSet<string>
    {
        Agent, Inspector, Dispatcher, Department, Supervisor, Auditor, Analyst, Admin, Device,
    };
}
