using CityCase.Domain;

namespace CityCase.Api.Auth;

/// <summary>
/// <c>token --role agent --user alice [--name "Alice Wang"] [--department D] [--hours 12]</c>:
/// prints a signed token alone on stdout, for curl and for trying the API by hand.
/// </summary>
public static class TokenVerb
{
    public static int Run(string[] args, IConfiguration configuration, IHostEnvironment environment)
    {
        string? role = null, user = null, name = null, department = null;
        var hours = 12.0;
        for (var i = 1; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--role": role = Value(); break;
                case "--user": user = Value(); break;
                case "--name": name = Value(); break;
                case "--department": department = Value(); break;
                case "--hours": hours = double.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--environment" or "-e": Value(); break; // a host switch, already applied
                default:
                    Console.Error.WriteLine($"token: unknown argument '{args[i]}'");
                    return 2;
            }
        }
        if (role is null || user is null)
        {
            Console.Error.WriteLine("usage: token --role ROLE --user USER [--name NAME] [--department CODE] [--hours N]");
            Console.Error.WriteLine($"roles: {string.Join(", ", Roles.All.Order())}");
            return 2;
        }
        if (!Roles.All.Contains(role))
        {
            Console.Error.WriteLine($"token: unknown role '{role}'; roles are {string.Join(", ", Roles.All.Order())}");
            return 2;
        }
        if (role == Roles.Department && department is null)
        {
            Console.Error.WriteLine("token: a department user needs --department CODE");
            return 2;
        }
        var settings = AuthSettings.From(configuration, environment);
        if (!settings.HasSigningKey)
        {
            Console.Error.WriteLine("token: Auth:SigningKey is not configured (only the identity provider signs tokens here); " +
                                    "set Auth__SigningKey or run in the Development environment");
            return 2;
        }
        Console.Out.WriteLine(JwtAuthentication.MintToken(settings, user, role, name, department, TimeSpan.FromHours(hours)));
        return 0;
    }
}
