using CityCase.Api.Access;
using CityCase.Api.GraphQL;
using CityCase.Engine.Cases;
using GraphQL;
using GraphQL.Types;
using Marten;

namespace CityCase.Api.Cases;

/// <summary>A possible duplicate and how far it is from the case.</summary>
public sealed record DuplicateCandidate(CaseView Case, double DistanceMeters);

public sealed class DuplicateCandidateType : ObjectGraphType<DuplicateCandidate>
{
    public DuplicateCandidateType()
    {
        Name = "DuplicateCandidate";
        Field<NonNullGraphType<CaseType>>("case").Resolve(c => c.Source.Case);
        Field(x => x.DistanceMeters);
    }
}

public static class DuplicateCandidateQueries
{
    public const double RadiusMeters = 1000;
    public const int MaxCandidates = 5;
    private const double EarthRadiusMeters = 6_371_008.8;

    public static void AddDuplicateCandidateQueries(this ObjectGraphType query)
    {
        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<DuplicateCandidateType>>>>("duplicateCandidates")
            .Description($"Open cases of the same category within {RadiusMeters} m, nearest first, at most {MaxCandidates}.")
            .Argument<NonNullGraphType<IdGraphType>>("caseId")
            .ResolveAsync(async context =>
            {
                var id = CaseQueries.ParseCaseId(context.GetArgument<string>("caseId"), "caseId");
                var session = context.Service<IQuerySession>();
                var subject = await context.LoadInScope(id)
                              ?? throw new Domain.DomainException(Domain.ErrorCodes.NotFound, $"No case has id {id}.");
                if (subject.CategoryCode is null) return Array.Empty<DuplicateCandidate>();

                // A bounding box narrows the search in the database; the exact distance decides.
                var (lat, lon) = (subject.Location.Latitude, subject.Location.Longitude);
                var dLat = RadiusMeters / EarthRadiusMeters * 180 / Math.PI;
                var dLon = dLat / Math.Max(0.01, Math.Cos(lat * Math.PI / 180));
                var (south, north, west, east) = (lat - dLat, lat + dLat, lon - dLon, lon + dLon);
                var nearby = await session.Query<CaseView>().InScope(context)
                    .Where(v => v.IsOpen && v.CategoryCode == subject.CategoryCode && v.Id != id &&
                                v.Location.Latitude >= south && v.Location.Latitude <= north &&
                                v.Location.Longitude >= west && v.Location.Longitude <= east)
                    .ToListAsync(context.CancellationToken);
                return nearby
                    .Select(v => new DuplicateCandidate(v, Math.Round(Distance(subject.Location, v.Location), 1)))
                    .Where(c => c.DistanceMeters <= RadiusMeters)
                    .OrderBy(c => c.DistanceMeters).ThenBy(c => c.Case.Number)
                    .Take(MaxCandidates)
                    .ToList();
            });
    }

    /// <summary>Great-circle distance (haversine) in metres.</summary>
    public static double Distance(Domain.Location a, Domain.Location b)
    {
        static double Rad(double deg) => deg * Math.PI / 180;
        var h = Math.Pow(Math.Sin(Rad(b.Latitude - a.Latitude) / 2), 2) +
                Math.Cos(Rad(a.Latitude)) * Math.Cos(Rad(b.Latitude)) * Math.Pow(Math.Sin(Rad(b.Longitude - a.Longitude) / 2), 2);
        return 2 * EarthRadiusMeters * Math.Asin(Math.Sqrt(h));
    }
}
