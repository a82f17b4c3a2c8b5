using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CityCase.Api.Hosting;

/// <summary>/health as JSON: the overall status and each check's status and reason, so an operator sees why.</summary>
public static class HealthReportWriter
{
    public static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        }));
    }
}
