namespace CityCase.IntegrationTests.Infrastructure;

/// <summary>The sample complaint many tests file, and the mutation that files it.</summary>
public static class Samples
{
    public const string ReportComplaint = """
        mutation Report($input: ReportComplaintInput!) {
          reportComplaint(input: $input) { case { id number status version } }
        }
        """;

    /// <summary>The variables of <see cref="ReportComplaint"/>: a street lamp out, in grid, category 0101.</summary>
    public static object Complaint(string description = "Street lamp out on Jiefang Road",
        double longitude = 121.4737, double latitude = 31.2304) => new
    {
        input = new
        {
            description,
            location = new { longitude, latitude, address = "88 Jiefang Road" },
            categoryCode = "0101",
            citizen = new { name = "Li Wei", phone = "13800000000" },
        },
    };
}
