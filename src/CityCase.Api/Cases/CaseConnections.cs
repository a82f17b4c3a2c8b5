using System.Text;
using CityCase.Api.Access;
using CityCase.Api.GraphQL;
using CityCase.Domain;
using CityCase.Domain.Cases;
using CityCase.Engine.Cases;
using GraphQL;
using GraphQL.Types;
using Marten;
using NodaTime;

namespace CityCase.Api.Cases;

/// <summary>A Relay connection page of cases.</summary>
public sealed record CaseConnection(IReadOnlyList<CaseEdge> Edges, bool HasNextPage, string? EndCursor)
{
    public static CaseConnection From(IReadOnlyList<CaseView> fetched, int first, Func<CaseView, string> key)
    {
        var page = fetched.Take(first).Select(v => new CaseEdge(v, Cursor(key(v)))).ToList();
        return new CaseConnection(page, fetched.Count > first, page.LastOrDefault()?.Cursor);
    }

    public static string Cursor(string key) => Convert.ToBase64String(Encoding.UTF8.GetBytes(key));

    public static string? Key(string? cursor)
    {
        if (cursor is null) return null;
        string key;
        try { key = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromBase64String(cursor)); }
        catch (Exception e) when (e is FormatException or ArgumentException) { key = "\0"; }
        // Keys are case numbers and queue keys: printable ASCII. Anything else was not made here.
        return key.Length is > 0 and <= 200 && key.All(c => c is > ' ' and < '\u007f')
            ? key
            : throw new ValidationFailedException($"after '{(cursor.Length > 40 ? cursor[..40] + "..." : cursor)}' is not a cursor from this list");
    }
}

public sealed record CaseEdge(CaseView Node, string Cursor);

public sealed class CaseFilter
{
    public CaseStatus? Status { get; set; }
    public string? DepartmentCode { get; set; }
    public string? GridCode { get; set; }
    public string? CommunityCode { get; set; }
    public string? StreetCode { get; set; }
    public string? CategoryCode { get; set; }
    public CaseSource? Source { get; set; }
    public NodaTime.Instant? ReportedFrom { get; set; }
    public NodaTime.Instant? ReportedTo { get; set; }

    /// <summary>The cases matching every given field (the caller narrows them to the reader's scope first).</summary>
    public IQueryable<CaseView> Apply(IQueryable<CaseView> q, DateTimeZone zone)
    {
        if (Status is { } status) q = q.Where(v => v.Status == status);
        if (DepartmentCode is { } department) q = q.Where(v => v.DepartmentCode == department);
        if (GridCode is { } grid) q = q.Where(v => v.GridCode == grid);
        if (CommunityCode is { } community) q = q.Where(v => v.CommunityCode == community);
        if (StreetCode is { } street) q = q.Where(v => v.StreetCode == street);
        if (CategoryCode is { } category) q = q.Where(v => v.CategoryCode == category);
        if (Source is { } source) q = q.Where(v => v.Source == source);
        // A case's number starts with its report's day in the city (CaseNumber.Format), so a report-time range also
        // bounds the numbers: the page is then one range scan in number order, not a walk from the first case.
        if (ReportedFrom is { } from)
        {
            var (ms, fromNumber) = (from.ToUnixTimeMilliseconds(), CaseNumber.DayPrefix(from.InZone(zone).Date));
            q = q.Where(v => v.ReportedAtMs >= ms && v.Number.CompareTo(fromNumber) >= 0);
        }
        if (ReportedTo is { } to)
        {
            var (ms, toNumber) = (to.ToUnixTimeMilliseconds(), CaseNumber.DayPrefix(to.InZone(zone).Date.PlusDays(1)));
            q = q.Where(v => v.ReportedAtMs < ms && v.Number.CompareTo(toNumber) < 0);
        }
        return q;
    }
}

public sealed class CaseFilterInputType : InputObjectGraphType<CaseFilter>
{
    public CaseFilterInputType()
    {
        Name = "CaseFilter";
        Description = "Every field given must match; reportedFrom is inclusive, reportedTo exclusive.";
        Field<CaseStatusType>("status");
        Field(x => x.DepartmentCode, nullable: true);
        Field(x => x.GridCode, nullable: true);
        Field(x => x.CommunityCode, nullable: true);
        Field(x => x.StreetCode, nullable: true);
        Field(x => x.CategoryCode, nullable: true);
        Field<CaseSourceType>("source");
        Field<InstantGraphType>("reportedFrom");
        Field<InstantGraphType>("reportedTo");
    }
}

public sealed class CaseEdgeType : ObjectGraphType<CaseEdge>
{
    public CaseEdgeType()
    {
        Name = "CaseEdge";
        Field<NonNullGraphType<CaseType>>("node").Resolve(c => c.Source.Node);
        Field(x => x.Cursor);
    }
}

public sealed class PageInfoType : ObjectGraphType<CaseConnection>
{
    public PageInfoType()
    {
        Name = "PageInfo";
        Field(x => x.HasNextPage);
        Field(x => x.EndCursor, nullable: true);
    }
}

public sealed class CaseConnectionType : ObjectGraphType<CaseConnection>
{
    public CaseConnectionType()
    {
        Name = "CaseConnection";
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<CaseEdgeType>>>>("edges").Resolve(c => c.Source.Edges);
        Field<NonNullGraphType<PageInfoType>>("pageInfo").Resolve(c => c.Source);
    }
}

public static class CaseConnectionQueries
{
    public const int MaxPage = 100;

    public static void AddCaseConnectionQueries(this ObjectGraphType query)
    {
        query.Field<NonNullGraphType<CaseConnectionType>>("dispatchQueue")
            .Description("A department's open cases, urgent first, then the soonest disposal deadline; Relay paging (keyset: stable while cases change).")
            .Argument<NonNullGraphType<StringGraphType>>("departmentCode")
            .Argument<IntGraphType>("first")
            .Argument<StringGraphType>("after")
            .ResolveAsync(async context =>
            {
                var actor = context.RequireActor();
                var department = context.GetArgument<string>("departmentCode");
                if (actor.Role == Roles.Department && actor.Department != department)
                    throw new DomainException(ErrorCodes.Forbidden, $"dispatchQueue: you see department {actor.Department}'s queue, not {department}'s");
                var first = PageSize(context.GetArgument<int?>("first"));
                var after = CaseConnection.Key(context.GetArgument<string?>("after")) ?? "";
                var fetched = await context.Service<IQuerySession>().Query<CaseView>()
                    .Where(v => v.IsOpen && v.DepartmentCode == department && v.QueueKey.CompareTo(after) > 0)
                    .OrderBy(v => v.QueueKey).Take(first + 1)
                    .ToListAsync(context.CancellationToken);
                return CaseConnection.From(fetched, first, v => v.QueueKey);
            });
    }

    public static void AddCaseFilterQueries(this ObjectGraphType query)
    {
        query.Field<NonNullGraphType<CaseConnectionType>>("cases")
            .Description("Cases matching every given filter, oldest number first; Relay keyset paging.")
            .Argument<CaseFilterInputType>("filter")
            .Argument<IntGraphType>("first")
            .Argument<StringGraphType>("after")
            .ResolveAsync(async context =>
            {
                context.RequireActor();
                var f = context.GetArgument<CaseFilter?>("filter") ?? new CaseFilter();
                var first = PageSize(context.GetArgument<int?>("first"));
                var after = CaseConnection.Key(context.GetArgument<string?>("after")) ?? "";
                // Narrowed to the reader's scope (a department: its own cases) whatever the filter says.
                var q = context.Service<IQuerySession>().Query<CaseView>().InScope(context).Where(v => v.Number.CompareTo(after) > 0);
                q = f.Apply(q, context.Service<DateTimeZone>());
                var fetched = await q.OrderBy(v => v.Number).Take(first + 1).ToListAsync(context.CancellationToken);
                return CaseConnection.From(fetched, first, v => v.Number);
            });
    }

    /// <summary>A list's <c>first</c> argument, checked: from 1 to <paramref name="max"/>, <paramref name="byDefault"/> when not given.</summary>
    public static int PageSize(int? first, int byDefault = 20, int max = MaxPage) => first switch
    {
        null => byDefault,
        var n when n < 1 || n > max => throw new ValidationFailedException($"first must be from 1 to {max} (was {first})"),
        _ => first.Value,
    };
}
