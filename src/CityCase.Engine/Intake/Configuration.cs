using Marten;

namespace CityCase.Engine.Intake;

public static class IntakeConfiguration
{
    /// <summary>The daily case-number sequences (idempotency keys are plain documents).</summary>
    public static StoreOptions AddIntake(this StoreOptions opts, string schema)
    {
        opts.Storage.ExtendedSchemaObjects.Add(CaseNumbers.Table(schema));
        return opts;
    }
}
