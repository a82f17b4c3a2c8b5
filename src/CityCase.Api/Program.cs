using CityCase.Api.Audit;
using CityCase.Api.Auth;
using CityCase.Api.GraphQL;
using CityCase.Api.Hosting;
using CityCase.Api.Rebuild;
using JasperFx;

// `dotnet run` puts `--environment Development` before the verb (see RunArguments in the project);
// host switches go last, so that the verb stands first as JasperFx and our own verbs expect.
args = HostSwitches.MoveToEnd(args);

// Verbs that need no server come first (`rebuild` and `verify-audit` build the host but never start it); everything else (no verb, or JasperFx's own verbs such as
// `codegen write` and `db-apply`) runs through the host.
switch (args.FirstOrDefault())
{
    case "token":
    {
        var builder = WebApplication.CreateBuilder(
            new WebApplicationOptions { Args = HostSwitches.Only(args), ContentRootPath = AppContext.BaseDirectory });
        return TokenVerb.Run(args, builder.Configuration, builder.Environment);
    }
    case "schema":
    {
        var sdl = GraphQLRegistration.PrintSchema();
        var output = args.SkipWhile(a => a != "--output").Skip(1).FirstOrDefault();
        if (output is null) Console.Out.Write(sdl);
        else await File.WriteAllTextAsync(output, sdl);
        return 0;
    }
    case "rebuild":
        return await RebuildVerb.RunAsync(args[1..]);
    case "verify-audit":
        return await VerifyAuditVerb.RunAsync(args[1..]);
}

var app = await CityCaseApp.BuildAsync(args);
return await app.RunJasperFxCommands(HostSwitches.WithoutOurs(args)); // JasperFx refuses flags it does not know

public partial class Program;
