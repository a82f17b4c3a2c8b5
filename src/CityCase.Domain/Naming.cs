namespace CityCase.Domain;

public static class Naming
{
    /// <summary>The GraphQL spelling of an enum member, for messages: InProgress → IN_PROGRESS.</summary>
    public static string ScreamingSnake(string name) =>
        string.Concat(name.Select((ch, i) => i > 0 && char.IsUpper(ch) ? "_" + ch : ch.ToString())).ToUpperInvariant();
}
