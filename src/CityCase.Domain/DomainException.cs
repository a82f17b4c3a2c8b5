namespace CityCase.Domain;

/// <summary>Stable error codes a client can act on; they surface as GraphQL <c>extensions.code</c>.</summary>
public static class ErrorCodes
{
    public const string ValidationFailed = "VALIDATION_FAILED";
    public const string NotFound = "NOT_FOUND";
    public const string InvalidTransition = "INVALID_TRANSITION";
    public const string ConcurrencyConflict = "CONCURRENCY_CONFLICT";
    public const string Forbidden = "FORBIDDEN";
    public const string Unauthenticated = "UNAUTHENTICATED";
    public const string IdempotencyKeyReused = "IDEMPOTENCY_KEY_REUSED";

    /// <summary>The database cannot be reached for the moment (e.g. it is restarting): retry shortly.</summary>
    public const string ServiceUnavailable = "SERVICE_UNAVAILABLE";
}

/// <summary>A command the domain refuses. Nothing is appended when one is thrown.</summary>
public class DomainException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

public sealed class ValidationFailedException(string message)
    : DomainException(ErrorCodes.ValidationFailed, message);

/// <summary>
/// A command that the case's status does not allow: what was asked, of which case, in which status, what it
/// needs, and why. The message is composed by <see cref="Describe"/>, which the API calls with clients' spellings.
/// </summary>
public sealed class InvalidTransitionException(Type command, string caseNumber, Cases.CaseStatus status,
    IReadOnlyList<Cases.CaseStatus> needs, string? why = null)
    : DomainException(ErrorCodes.InvalidTransition, Describe(command, caseNumber, status, needs, why, t => t.Name, s => s.ToString()))
{
    public Type Command { get; } = command;
    public string CaseNumber { get; } = caseNumber;
    public Cases.CaseStatus Status { get; } = status;
    public IReadOnlyList<Cases.CaseStatus> Needs { get; } = needs;
    public string? Why { get; } = why;

    public string Describe(Func<Type, string> operation, Func<Cases.CaseStatus, string> status) =>
        Describe(Command, CaseNumber, Status, Needs, Why, operation, status);

    private static string Describe(Type command, string caseNumber, Cases.CaseStatus status, IReadOnlyList<Cases.CaseStatus> needs,
        string? why, Func<Type, string> operation, Func<Cases.CaseStatus, string> spell) =>
        $"{operation(command)} is not possible while case {caseNumber} is {spell(status)}" +
        (needs.Count > 0 ? $" (it needs {string.Join(" or ", needs.Select(spell))})" : "") +
        (why is null ? "" : $": {why}");
}
