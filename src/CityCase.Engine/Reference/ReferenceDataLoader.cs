using CityCase.Domain.Time;
using CityCase.Domain.Cases;
using CityCase.Domain.Reference;
using Marten;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CityCase.Engine.Reference;

/// <summary>A grid as stored for analysts' SQL (the polygon as WKT); the engine itself uses the in-memory index.</summary>
public sealed record GridDocument(string Id, string Name, string StreetCode, string StreetName, string CommunityCode,
    string CommunityName, double CentroidLongitude, double CentroidLatitude, string Wkt);

public sealed record CategoryDocument(string Id, string Name, string NameEn, string Kind, string MajorName,
    string DefaultDepartmentCode, IReadOnlyDictionary<Urgency, Limit> DisposalLimits);

public sealed record DepartmentDocument(string Id, string Name, string NameEn);

/// <summary>Reads the city's reference files from its folder; the parsing and validation are the domain's.</summary>
public static class ReferenceDataFiles
{
    public const string CalendarFile = "calendar.json";

    /// <summary>Reads and validates the four files; a bad file stops start-up naming the file, the entry and the problem.</summary>
    public static ReferenceData Load(string directory)
    {
        if (!Directory.Exists(directory))
            throw new InvalidOperationException($"City:ReferenceDirectory '{directory}' does not exist.");
        var files = new[] { ReferenceData.GridsFile, ReferenceData.CategoriesFile, ReferenceData.DepartmentsFile, ReferenceData.RulesFile }
            .Where(f => File.Exists(Path.Combine(directory, f)))
            .ToDictionary(f => f, f => File.ReadAllText(Path.Combine(directory, f)));
        try
        {
            return ReferenceData.Parse(files);
        }
        catch (ReferenceDataException e)
        {
            throw new InvalidOperationException($"The reference data in {directory} cannot be used: {e.Message}", e);
        }
    }

    /// <summary>The business calendar (<c>calendar.json</c>, required), and its text as read.</summary>
    public static (BusinessCalendar Calendar, string Text) LoadCalendar(string directory)
    {
        var file = Path.Combine(directory, CalendarFile);
        if (!File.Exists(file)) throw new InvalidOperationException($"The business calendar {file} is missing.");
        try
        {
            var text = File.ReadAllText(file);
            return (BusinessCalendar.Parse(text), text);
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"The business calendar {file} cannot be used: {e.Message}", e);
        }
    }

    /// <summary>The inspectors' beats (<c>inspectors.json</c>, optional): grid → inspector.</summary>
    public static IReadOnlyDictionary<string, string> LoadBeats(string directory, ReferenceData reference)
    {
        var file = Path.Combine(directory, InspectorBeats.File);
        if (!File.Exists(file)) return new Dictionary<string, string>();
        try
        {
            return InspectorBeats.Parse(File.ReadAllText(file), reference.GridsByCode);
        }
        catch (ReferenceDataException e)
        {
            throw new InvalidOperationException($"The reference data in {directory} cannot be used: {e.Message}", e);
        }
    }

    /// <summary>The texts of the notices to citizens (<c>notice-templates.json</c>, optional): null when the folder has none.</summary>
    public static Domain.Notices.NoticeTemplates? LoadNoticeTemplates(string directory)
    {
        var file = Path.Combine(directory, Domain.Notices.NoticeTemplates.File);
        if (!File.Exists(file)) return null;
        try
        {
            return Domain.Notices.NoticeTemplates.Parse(File.ReadAllText(file));
        }
        catch (ReferenceDataException e)
        {
            throw new InvalidOperationException($"The reference data in {directory} cannot be used: {e.Message}", e);
        }
    }
}

/// <summary>Upserts the reference data into PostgreSQL at start-up, so analysts can join on it; idempotent.</summary>
public sealed class ReferenceDataPublisher(IDocumentStore store, ReferenceData data, ILogger<ReferenceDataPublisher> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        session.Store(data.Grids.Select(g => new GridDocument(g.Code, g.Name, g.StreetCode, g.StreetName, g.CommunityCode,
            g.CommunityName, g.Centroid.X, g.Centroid.Y, g.Polygon.AsText())).ToArray());
        session.Store(data.Categories.Select(c => new CategoryDocument(c.Code, c.Name, c.NameEn, c.Kind.ToString(), c.MajorName,
            c.DefaultDepartmentCode, c.DisposalLimits)).ToArray());
        session.Store(data.Departments.Select(d => new DepartmentDocument(d.Code, d.Name, d.NameEn)).ToArray());
        await session.SaveChangesAsync(ct);
        logger.LogInformation("Reference data: {Grids} grids, {Categories} categories, {Departments} departments, {Rules} dispatch rules",
            data.Grids.Count, data.Categories.Count, data.Departments.Count, data.Rules.Count);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
