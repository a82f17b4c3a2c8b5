using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using CityCase.IntegrationTests.Infrastructure;

namespace CityCase.IntegrationTests.Open311;

/// <summary>An Open311 answer: its status, media type and body; JSON parsed, XML validated against georeport-v2.xsd.</summary>
public sealed record Open311Answer(int Status, string? MediaType, string Text)
{
    public JsonNode Json => JsonNode.Parse(Text)!;
    public JsonArray Array => Json.AsArray();
    public XDocument Xml => Open311Client.ValidXml(Text);
    public override string ToString() => $"{Status} {Text}";
}

/// <summary>Plain HTTP against the server's Open311 paths, as any partner's app speaks it.</summary>
public static class Open311Client
{
    public const string Prefix = "/open311/v2";

    /// <summary>The partner the tests' server is configured with: its api_key, and only the key's SHA-256 in the configuration.</summary>
    public const string PartnerKey = "test-partner-key-5b7f0c2e9d41";
    public const string OtherPartnerKey = "second-partner-key-0a9e3377";

    public static string[] PartnerArguments =>
    [
        "--Open311:Partners:0:Id", "fixmystreet", "--Open311:Partners:0:Name", "FixMyStreet (test)",
        "--Open311:Partners:0:KeySha256", Sha256(PartnerKey),
        "--Open311:Partners:1:Id", "neighbour-city", "--Open311:Partners:1:Name", "Neighbour city",
        "--Open311:Partners:1:KeySha256", Sha256(OtherPartnerKey),
        // Many answers from one loopback address in a few seconds: not what the anonymous rate limit is for.
        "--RateLimits:Anonymous:PermitsPerMinute", "100000",
    ];

    public static string Sha256(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();

    public static async Task<Open311Answer> Get(this CityCaseServer server, string path)
    {
        using var response = await server.Http.GetAsync(Prefix + path);
        return await Read(response);
    }

    public static async Task<Open311Answer> Post(this CityCaseServer server, string format, IEnumerable<KeyValuePair<string, string>> form,
        string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Prefix}/requests.{format}") { Content = new FormUrlEncodedContent(form) };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var response = await server.Http.SendAsync(request);
        return await Read(response);
    }

    public static async Task<Open311Answer> PostRaw(this CityCaseServer server, string format, HttpContent content)
    {
        using var response = await server.Http.PostAsync($"{Prefix}/requests.{format}", content);
        return await Read(response);
    }

    private static async Task<Open311Answer> Read(HttpResponseMessage response) =>
        new((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());

    /// <summary>A request for a water-supply manhole cover (0101) in the district, answering its required question.</summary>
    public static List<KeyValuePair<string, string>> Request(string description = "The manhole cover is gone", string serviceCode = "0101",
        string apiKey = PartnerKey, double lat = 31.2304, double lon = 121.4737, params (string, string)[] more)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("api_key", apiKey), new("service_code", serviceCode), new("lat", lat.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("long", lon.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("address_string", "88 Jiefang Road"),
            new("description", description),
        };
        if (serviceCode is "0101" or "0102" && !more.Any(m => m.Item1.StartsWith("attribute[COVER_STATE]")))
            form.Add(new("attribute[COVER_STATE]", "MISSING"));
        form.AddRange(more.Select(m => new KeyValuePair<string, string>(m.Item1, m.Item2)));
        return form;
    }

    private static readonly XmlSchemaSet Schema = LoadSchema();

    private static XmlSchemaSet LoadSchema()
    {
        var set = new XmlSchemaSet();
        set.Add(null, Repository.PathTo("tests", "CityCase.IntegrationTests", "Open311", "georeport-v2.xsd"));
        set.Compile();
        return set;
    }

    /// <summary>Parses the XML and validates it against the GeoReport v2 schema (System.Xml.Schema); any error fails the test.</summary>
    public static XDocument ValidXml(string text)
    {
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>", text, StringComparison.OrdinalIgnoreCase);
        var document = XDocument.Parse(text);
        var errors = new List<string>();
        document.Validate(Schema, (_, e) => errors.Add($"{e.Severity}: {e.Message}"));
        Assert.True(errors.Count == 0, $"XML not valid against georeport-v2.xsd:\n{string.Join("\n", errors)}\n{text}");
        return document;
    }
}
