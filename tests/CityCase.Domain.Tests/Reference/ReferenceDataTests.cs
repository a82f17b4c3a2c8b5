using CityCase.Domain.Time;
using System.Text.Json.Nodes;
using CityCase.Domain.Cases;
using CityCase.Domain.Reference;
using static CityCase.Domain.Tests.Reference.ReferenceSample;

namespace CityCase.Domain.Tests.Reference;

/// <summary>
/// Each kind of bad reference file is refused with a message naming the file, the entry and the problem. Every case
/// spoils one thing in an in-memory copy of the shipped sample, so the rest of the data is known to be good.
/// </summary>
public sealed class ReferenceDataTests
{
    private const string Grids = ReferenceData.GridsFile;
    private const string Categories = ReferenceData.CategoriesFile;
    private const string Departments = ReferenceData.DepartmentsFile;
    private const string Rules = ReferenceData.RulesFile;

    private static void Refused(IReadOnlyDictionary<string, string> files, string file, string entry, string problem)
    {
        var error = Assert.Throws<ReferenceDataException>(() => ReferenceData.Parse(files));
        Assert.Equal(file, error.File);
        Assert.Equal(entry, error.Entry);
        Assert.Contains(problem, error.Problem);
        Assert.Equal($"{file}: {entry}: {error.Problem}", error.Message);
    }

    // ---- the set of files ----

    [Fact]
    public void The_sample_parses_the_same_from_pairs_as_from_a_dictionary()
    {
        var data = ReferenceData.Parse(Texts.Select(t => (t.Key, t.Value)));
        Assert.Equal(ReferenceSample.Data.Grids.Select(g => g.Code), data.Grids.Select(g => g.Code));
        Assert.Equal(ReferenceSample.Data.Categories.Select(c => c.Code), data.Categories.Select(c => c.Code));
        Assert.Equal(ReferenceSample.Data.Departments, data.Departments);
        Assert.Equal(ReferenceSample.Data.Rules, data.Rules);
    }

    [Theory]
    [InlineData(Grids)]
    [InlineData(Categories)]
    [InlineData(Departments)]
    [InlineData(Rules)]
    public void A_missing_file(string file) =>
        Refused(Texts.Where(t => t.Key != file).ToDictionary(), file, "(file)", "the file is missing");

    [Fact]
    public void An_unknown_file() =>
        Refused(new Dictionary<string, string>(Texts) { ["streets.json"] = "{}" }, "streets.json", "(file)", "not a reference file");

    [Fact]
    public void A_file_given_twice()
    {
        var error = Assert.Throws<ReferenceDataException>(() =>
            ReferenceData.Parse(Texts.Select(t => (t.Key, t.Value)).Append((Rules, "{\"rules\": []}"))));
        Assert.Equal((Rules, "(file)"), (error.File, error.Entry));
        Assert.Contains("given twice", error.Problem);
    }

    [Theory]
    [InlineData(Grids)]
    [InlineData(Categories)]
    [InlineData(Departments)]
    [InlineData(Rules)]
    public void Malformed_json(string file) =>
        Refused(WithText(file, Texts[file][..(Texts[file].Length / 2)]), file, "(file)", "not valid JSON");

    [Theory]
    [InlineData(Grids)]
    [InlineData(Categories)]
    [InlineData(Departments)]
    [InlineData(Rules)]
    public void A_file_that_is_not_an_object(string file) =>
        Refused(WithText(file, "[]"), file, "(file)", "must hold a JSON object (it holds a list)");

    [Fact]
    public void A_field_given_twice_in_one_entry() =>
        Refused(WithText(Departments, """{"departments": [{"code": "D01", "code": "D02", "name": "x"}]}"""),
            Departments, "(file)", "not valid JSON");

    [Theory]
    [InlineData(Categories, "categories")]
    [InlineData(Departments, "departments")]
    [InlineData(Rules, "rules")]
    [InlineData(Grids, "features")]
    public void The_list_is_missing(string file, string list) =>
        Refused(With(file, json => json.Remove(list)), file, "(file)", $"the list '{list}' is missing");

    [Fact]
    public void An_entry_that_is_not_an_object() =>
        Refused(With(Departments, json => json["departments"]!.AsArray()[2] = "D03"), Departments, "departments[2]",
            "must be an object (it is the text \"D03\")");

    // ---- grids.geojson: the features ----

    [Fact]
    public void Not_a_feature_collection() =>
        Refused(With(Grids, json => json["type"] = "GeometryCollection"), Grids, "(file)", "must be \"FeatureCollection\"");

    [Fact]
    public void A_feature_whose_type_is_not_feature() =>
        Refused(With(Grids, json => Features(json)[0]!["type"] = "Polygon"), Grids, "features[0]", "must be \"Feature\"");

    [Theory]
    [InlineData("name")]
    [InlineData("streetCode")]
    [InlineData("streetName")]
    [InlineData("communityCode")]
    [InlineData("communityName")]
    public void A_grid_property_is_missing(string property) =>
        Refused(With(Grids, json => Feature(json, "310101002001005")["properties"]!.AsObject().Remove(property)),
            Grids, "grid 310101002001005 properties", $"'{property}' is missing");

    [Fact]
    public void A_grid_without_a_code_is_named_by_its_index() =>
        Refused(With(Grids, json => Features(json)[7]!["properties"]!.AsObject().Remove("code")),
            Grids, "features[7] properties", "'code' is missing");

    [Fact]
    public void A_grid_code_that_is_a_number_not_text() =>
        Refused(With(Grids, json => Features(json)[3]!["properties"]!["code"] = 310101001001004),
            Grids, "features[3] properties", "'code' must be text (it is the number 310101001001004)");

    [Theory]
    [InlineData("31010100100100")]
    [InlineData("3101010010010011")]
    [InlineData("31010100100100A")]
    public void A_grid_code_that_is_not_15_digits(string code) =>
        Refused(With(Grids, json => Feature(json, "310101001001001")["properties"]!["code"] = code),
            Grids, $"grid {code}", "the code must be 15 digits");

    [Fact]
    public void A_street_code_that_is_not_the_grid_codes_prefix() =>
        Refused(With(Grids, json => Feature(json, "310101001001003")["properties"]!["streetCode"] = "310101002"),
            Grids, "grid 310101001001003", "streetCode '310101002' must be the code's first 9 digits ('310101001')");

    [Fact]
    public void A_community_code_that_is_not_the_grid_codes_prefix() =>
        Refused(With(Grids, json => Feature(json, "310101001001003")["properties"]!["communityCode"] = "310101001002"),
            Grids, "grid 310101001001003", "communityCode '310101001002' must be the code's first 12 digits ('310101001001')");

    [Fact]
    public void A_grid_code_used_twice() =>
        Refused(With(Grids, json => Feature(json, "310101001001002")["properties"]!["code"] = "310101001001001"),
            Grids, "grid 310101001001001", "the code is used twice");

    [Fact]
    public void One_street_under_two_names() =>
        Refused(With(Grids, json => Feature(json, "310101002003004")["properties"]!["streetName"] = "南京西路街道"),
            Grids, "grid 310101002003004", "street 310101002 is named '南京西路街道' here but '南京东路街道' in grid 310101002001001");

    [Fact]
    public void One_community_under_two_names() =>
        Refused(With(Grids, json => Feature(json, "310101003002012")["properties"]!["communityName"] = "露香社区"),
            Grids, "grid 310101003002012", "community 310101003002 is named '露香社区' here but '露香园社区' in grid 310101003002001");

    // ---- grids.geojson: the polygons ----

    [Fact]
    public void A_geometry_that_is_not_a_polygon() =>
        Refused(With(Grids, json => Feature(json, "310101001001006")["geometry"] =
                JsonNode.Parse("""{"type": "Point", "coordinates": [121.471, 31.237]}""")),
            Grids, "grid 310101001001006", "the geometry must be a Polygon (it is a Point)");

    [Fact]
    public void A_grid_without_a_geometry() =>
        Refused(With(Grids, json => Feature(json, "310101001001006").Remove("geometry")),
            Grids, "grid 310101001001006", "'geometry' is missing");

    [Fact]
    public void A_ring_that_is_not_closed() =>
        Refused(With(Grids, json => Ring(Feature(json, "310101001001007")).RemoveAt(4)),
            Grids, "grid 310101001001007", "the exterior ring is not closed: it starts at (121.4721, 31.2362) and ends at (121.4721, 31.2371)");

    [Fact]
    public void A_ring_with_too_few_positions() =>
        Refused(With(Grids, json =>
            {
                var ring = Ring(Feature(json, "310101001001007"));
                ring.RemoveAt(2);
                ring.RemoveAt(2);
            }),
            Grids, "grid 310101001001007", "the exterior ring has 3 positions; a closed ring needs at least 4");

    [Fact]
    public void A_self_intersecting_polygon_is_not_valid() =>
        Refused(With(Grids, json =>
            {
                // A bow tie: swap the second and third corners.
                var ring = Ring(Feature(json, "310101002002006"));
                var second = ring[1]!.DeepClone();
                ring[1] = ring[2]!.DeepClone();
                ring[2] = second;
            }),
            Grids, "grid 310101002002006", "the polygon is not valid: Self-intersection");

    [Fact]
    public void A_position_outside_wgs84() =>
        Refused(With(Grids, json => Ring(Feature(json, "310101003001001"))[2]![1] = 95.0),
            Grids, "grid 310101003001001", "the exterior ring, position 2: (121.47945, 95) is not a WGS 84 longitude and latitude");

    [Fact]
    public void A_position_that_is_not_numbers() =>
        Refused(With(Grids, json => Ring(Feature(json, "310101003001001"))[1] = "121.48, 31.23"),
            Grids, "grid 310101003001001", "the exterior ring, position 1: a position must be [longitude, latitude] in numbers");

    // ---- grids.geojson: the tiling ----

    [Fact]
    public void Overlapping_grids() =>
        Refused(With(Grids, json => Move(Feature(json, "310101001001001"), dx: 0.0005, dy: 0)),
            Grids, "grid 310101001001001", "it overlaps grid 310101001001002 by about");

    [Fact]
    public void A_missing_grid_leaves_a_gap() =>
        Refused(With(Grids, json => Features(json).Remove(Feature(json, "310101002002006"))),
            Grids, "grids 310101002002002, 310101002002005, 310101002002007, 310101002002010",
            "the grids leave a gap of about 9");

    [Fact]
    public void A_sliver_between_grids_is_a_gap()
    {
        // Shrinking one grid by 0.0000001° on its east side leaves a 1 cm wide slit against its neighbour.
        var files = With(Grids, json =>
        {
            foreach (var position in Ring(Feature(json, "310101002002006")))
                if ((double)position![0]! > 121.476) position[0] = Math.Round((double)position[0]! - 0.0000001, 7);
        });
        var error = Assert.Throws<ReferenceDataException>(() => ReferenceData.Parse(files));
        Assert.Equal(Grids, error.File);
        Assert.Contains("310101002002006", error.Entry);
        Assert.Contains("310101002002007", error.Entry);
        Assert.Contains("gap", error.Problem);
    }

    [Fact]
    public void A_grid_apart_from_the_rest() =>
        Refused(With(Grids, json => Move(Feature(json, "310101003003012"), dx: 0.01, dy: 0)),
            Grids, "grid 310101003003012", "they make 2 separate pieces, and this grid stands apart from the rest");

    [Fact]
    public void No_grids_at_all() =>
        Refused(With(Grids, json => Features(json).Clear()), Grids, "(file)", "there are no grids");

    // ---- categories.json ----

    [Theory]
    [InlineData("101")]
    [InlineData("01011")]
    [InlineData("01A1")]
    public void A_category_code_that_is_not_4_digits(string code) =>
        Refused(With(Categories, json => Category(json, "0101")["code"] = code), Categories, $"category {code}", "the code must be 4 digits");

    [Fact]
    public void A_category_code_used_twice() =>
        Refused(With(Categories, json => Category(json, "0102")["code"] = "0101"), Categories, "category 0101", "the code is used twice");

    [Theory]
    [InlineData("name")]
    [InlineData("kind")]
    [InlineData("majorName")]
    [InlineData("defaultDepartmentCode")]
    [InlineData("disposalLimit")]
    [InlineData("filingCondition")]
    [InlineData("closingCondition")]
    public void A_category_field_is_missing(string field) =>
        Refused(With(Categories, json => Category(json, "1102").Remove(field)), Categories, "category 1102", $"'{field}' is missing");

    [Fact]
    public void A_category_field_that_is_blank() =>
        Refused(With(Categories, json => Category(json, "1102")["name"] = "  "), Categories, "category 1102", "'name' is empty");

    [Fact]
    public void A_misspelt_category_field() =>
        Refused(With(Categories, json => Category(json, "1102")["nameEN"] = "Exposed rubbish"), Categories, "category 1102",
            "unknown field 'nameEN'");

    [Theory]
    [InlineData("THING")]
    [InlineData("component")]
    [InlineData("0")]
    public void An_unknown_kind(string kind) =>
        Refused(With(Categories, json => Category(json, "0201")["kind"] = kind), Categories, "category 0201",
            $"kind '{kind}' is not one of COMPONENT, EVENT");

    [Fact]
    public void An_unknown_unit() =>
        Refused(With(Categories, json => Category(json, "1301")["disposalLimit"]!["normal"]!["unit"] = "FORTNIGHTS"),
            Categories, "category 1301 disposalLimit.normal", "unit 'FORTNIGHTS' is not one of WORKING_HOURS, WORKING_DAYS, NATURAL_HOURS");

    [Fact]
    public void An_unknown_urgency() =>
        Refused(With(Categories, json => Category(json, "1301")["disposalLimit"]!["critical"] =
                JsonNode.Parse("""{"amount": 1, "unit": "NATURAL_HOURS"}""")),
            Categories, "category 1301 disposalLimit", "urgency 'critical' is not one of normal, urgent");

    [Fact]
    public void A_missing_urgency() =>
        Refused(With(Categories, json => Category(json, "1301")["disposalLimit"]!.AsObject().Remove("urgent")),
            Categories, "category 1301 disposalLimit", "'urgent' is missing");

    [Theory]
    [InlineData("0", "it is 0")]
    [InlineData("-5", "it is -5")]
    [InlineData("1.5", "it is the number 1.5")]
    [InlineData("\"5\"", "it is the text \"5\"")]
    public void An_amount_that_is_not_a_positive_whole_number(string amount, string shown) =>
        Refused(With(Categories, json => Category(json, "1101")["disposalLimit"]!["urgent"]!["amount"] = JsonNode.Parse(amount)),
            Categories, "category 1101 disposalLimit.urgent", $"'amount' must be a whole number above 0 ({shown})");

    [Fact]
    public void A_default_department_that_is_not_in_the_departments() =>
        Refused(With(Categories, json => Category(json, "0101")["defaultDepartmentCode"] = "D99"), Categories, "category 0101",
            "defaultDepartmentCode 'D99' is not in departments.json");

    [Fact]
    public void One_major_class_of_two_kinds() =>
        Refused(With(Categories, json => Category(json, "0203")["kind"] = "EVENT"), Categories, "category 0203",
            "major class 02 is COMPONENT in category 0201 but EVENT here");

    [Fact]
    public void One_major_class_under_two_names() =>
        Refused(With(Categories, json => Category(json, "1202")["majorName"] = "广告"), Categories, "category 1202",
            "major class 12 is named '宣传广告' in category 1201 but majorName is '广告' here");

    // ---- departments.json ----

    [Fact]
    public void A_department_code_used_twice() =>
        Refused(With(Departments, json => json["departments"]![1]!["code"] = "D01"), Departments, "department D01", "the code is used twice");

    [Fact]
    public void A_department_without_a_name() =>
        Refused(With(Departments, json => json["departments"]![4]!.AsObject().Remove("name")), Departments, "department D05", "'name' is missing");

    [Fact]
    public void A_department_without_a_code() =>
        Refused(With(Departments, json => json["departments"]![4]!.AsObject().Remove("code")), Departments, "departments[4]", "'code' is missing");

    // ---- dispatch-rules.json ----

    [Fact]
    public void A_rule_for_an_unknown_category() =>
        Refused(With(Rules, json => json["rules"]![2]!["categoryCode"] = "9999"), Rules, "rules[2]", "categoryCode '9999' is not in categories.json");

    [Fact]
    public void A_rule_for_an_unknown_department() =>
        Refused(With(Rules, json => json["rules"]![0]!["departmentCode"] = "D42"), Rules, "rules[0]", "departmentCode 'D42' is not in departments.json");

    [Fact]
    public void A_rule_for_a_street_without_grids() =>
        Refused(With(Rules, json => json["rules"]![1]!["streetCode"] = "310101777"), Rules, "rules[1]",
            "streetCode '310101777' is not the street of any grid in grids.geojson");

    [Theory]
    [InlineData("\"31010100\"", "streetCode '31010100' must be 9 digits")]
    [InlineData("\"310101001001\"", "streetCode '310101001001' must be 9 digits")]
    [InlineData("310101003", "'streetCode' must be text (it is the number 310101003)")]
    [InlineData("\"\"", "'streetCode' is empty")]
    public void A_rule_whose_street_code_is_malformed(string street, string problem) =>
        Refused(With(Rules, json => json["rules"]![1]!["streetCode"] = JsonNode.Parse(street)), Rules, "rules[1]", problem);

    [Fact]
    public void Two_rules_for_the_same_category_and_street() =>
        Refused(With(Rules, json => json["rules"]!.AsArray().Add(JsonNode.Parse(
                """{"categoryCode": "0201", "streetCode": "310101003", "departmentCode": "D02"}"""))),
            Rules, "rules[5]", "rules[1] already covers category 0201 on street 310101003");

    [Fact]
    public void A_misspelt_rule_field_is_not_taken_for_a_category_wide_rule() =>
        Refused(With(Rules, json => json["rules"]!.AsArray().Add(JsonNode.Parse(
                """{"categoryCode": "1101", "streetcode": "310101002", "departmentCode": "D06"}"""))),
            Rules, "rules[5]", "unknown field 'streetcode'");

    // ---- small is not wrong ----

    [Fact]
    public void A_city_smaller_than_the_sample_is_fine()
    {
        var data = ReferenceData.Parse(
            (Grids, """
                    {"type": "FeatureCollection", "features": [{"type": "Feature",
                      "geometry": {"type": "Polygon", "coordinates": [[[116.39, 39.90], [116.3912, 39.90], [116.3912, 39.9009], [116.39, 39.9009], [116.39, 39.90]]]},
                      "properties": {"code": "110101001001001", "name": "一号网格", "streetCode": "110101001", "streetName": "东华门街道",
                                     "communityCode": "110101001001", "communityName": "多福巷社区"}}]}
                    """),
            (Categories, """
                         {"categories": [{"code": "0101", "name": "上水井盖", "kind": "COMPONENT", "majorName": "公用设施",
                           "defaultDepartmentCode": "W", "filingCondition": "丢失", "closingCondition": "补齐",
                           "disposalLimit": {"normal": {"amount": 1, "unit": "WORKING_DAYS"}, "urgent": {"amount": 2, "unit": "NATURAL_HOURS"}}}]}
                         """),
            (Departments, """{"departments": [{"code": "W", "name": "水务所"}]}"""),
            (Rules, """{"rules": []}"""));

        var grid = Assert.Single(data.Grids);
        Assert.Equal(grid, data.GridAt(116.3906, 39.90045));
        Assert.Null(data.GridAt(116.3890, 39.90045));
        Assert.Equal("W", data.DepartmentFor("0101", "110101001"));
        Assert.Equal("", Assert.Single(data.Departments).NameEn);
        Assert.Equal(new Limit(2, LimitUnit.NaturalHours), data.CategoriesByCode["0101"].DisposalLimit(Urgency.Urgent));
    }
}
