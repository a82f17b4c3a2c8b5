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
}

/// <summary>A command the domain refuses. Nothing is appended when one is thrown.</summary>
public class DomainException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

public sealed class ValidationFailedException(string message)
    : DomainException(ErrorCodes.ValidationFailed, message);
