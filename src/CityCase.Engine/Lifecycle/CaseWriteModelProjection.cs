using CityCase.Domain.Cases;
using JasperFx.Events;
using Marten.Events.Aggregation;

namespace CityCase.Engine.Lifecycle;

/// <summary>
/// Folds a case stream into the decider's state with the domain's own evolve function, live on each
/// command (a case has tens of events, not thousands). Explicit, so the pure Domain project needs no
/// Marten source generator.
/// </summary>
public sealed class CaseWriteModelProjection : SingleStreamProjection<Case, Guid>
{
    public override Case? Evolve(Case? snapshot, Guid id, IEvent e) => e.Data switch
    {
        CaseReported reported => Case.Start(reported),
        _ => snapshot?.After(e.Data),
    };
}
