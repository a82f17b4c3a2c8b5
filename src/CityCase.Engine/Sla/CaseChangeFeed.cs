using System.Reactive.Linq;
using System.Reactive.Subjects;
using CityCase.Domain.Cases;
using CityCase.Domain.Time;
using CityCase.Engine.Cases;
using Marten;
using Marten.Services;
using NodaTime;

namespace CityCase.Engine.Sla;

/// <summary>A case's stage turned yellow or red: what a supervisor's dashboard is pushed.</summary>
public sealed record SlaAlert(Guid CaseId, string CaseNumber, string? DepartmentCode, ClockKind Stage, Light Level, Instant DueAt);

/// <summary>
/// The live feed behind GraphQL subscriptions: after each commit, the changed cases and the lights
/// that turned. In-process for now; several API nodes would relay it through PostgreSQL LISTEN/NOTIFY.
/// </summary>
public sealed class CaseChangeFeed : DocumentSessionListenerBase, IDisposable
{
    private readonly Subject<CaseView> _changes = new();
    private readonly Subject<SlaAlert> _alerts = new();

    public IObservable<CaseView> Changes => _changes.AsObservable();
    public IObservable<SlaAlert> Alerts => _alerts.AsObservable();

    /// <summary>Whether anyone listens for lights now (lets a test know its subscription has arrived).</summary>
    public bool HasAlertSubscribers => _alerts.HasObservers;

    public override async Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        if (!_changes.HasObservers && !_alerts.HasObservers) return;
        var events = commit.GetEvents().ToList();
        var caseIds = events.Where(e => e.Data is ICaseEvent).Select(e => ((ICaseEvent)e.Data).CaseId).Distinct().ToList();
        if (caseIds.Count == 0) return;

        await using var query = session.DocumentStore.QuerySession();
        var views = (await query.LoadManyAsync<CaseView>(token, caseIds)).ToDictionary(v => v.Id);
        foreach (var view in views.Values) _changes.OnNext(view);
        foreach (var light in events.Select(e => e.Data).OfType<SlaLightChanged>())
            if (views.TryGetValue(light.CaseId, out var view))
                _alerts.OnNext(new SlaAlert(view.Id, view.Number, view.DepartmentCode, light.Clock, light.Light, light.Deadline));
    }

    public void Dispose()
    {
        _changes.Dispose();
        _alerts.Dispose();
    }
}
