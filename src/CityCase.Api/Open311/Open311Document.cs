using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml;

namespace CityCase.Api.Open311;

/// <summary>An Open311 element with its fields in the specification's order; a null field is left out of XML (null in JSON).</summary>
public sealed record O311Object(params IReadOnlyList<(string Name, object? Value)> Fields);

/// <summary>A list: a JSON array, or in XML one <see cref="ItemName"/> element per item (<c>&lt;services&gt;&lt;service&gt;</c>).</summary>
public sealed record O311List(string ItemName, IReadOnlyList<object> Items);

/// <summary>
/// One Open311 answer, written in either format from the same content, so JSON and XML never drift apart. JSON is the
/// body itself (an object or an array, as GeoReport v2 shows it); XML wraps it in <see cref="Root"/> after the UTF-8
/// declaration the specification asks for.
/// </summary>
public sealed record O311Document(string Root, object Body)
{
    public const string JsonType = "application/json; charset=utf-8";
    public const string XmlType = "text/xml; charset=utf-8";

    public IResult ToResult(Open311Format format, int status = StatusCodes.Status200OK) =>
        format == Open311Format.Xml
            ? Results.Text(ToXml(), XmlType, Encoding.UTF8, status)
            : Results.Text(ToJson(), JsonType, Encoding.UTF8, status);

    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            WriteJson(json, Body);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public string ToXml()
    {
        var text = new Utf8StringWriter();
        using (var xml = XmlWriter.Create(text, new XmlWriterSettings { Encoding = Encoding.UTF8, Indent = false }))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement(Root);
            WriteXmlContent(xml, Body);
            xml.WriteEndElement();
            xml.WriteEndDocument();
        }
        return text.ToString();
    }

    private static void WriteJson(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); break;
            case string s: json.WriteStringValue(s); break;
            case bool b: json.WriteBooleanValue(b); break;
            case int i: json.WriteNumberValue(i); break;
            case double d: json.WriteNumberValue(d); break;
            case O311Object o:
                json.WriteStartObject();
                foreach (var (name, field) in o.Fields)
                {
                    json.WritePropertyName(name);
                    WriteJson(json, field);
                }
                json.WriteEndObject();
                break;
            case O311List list:
                json.WriteStartArray();
                foreach (var item in list.Items) WriteJson(json, item);
                json.WriteEndArray();
                break;
            default: throw new ArgumentOutOfRangeException(nameof(value), value.GetType().Name, "not an Open311 value");
        }
    }

    private static void WriteXmlContent(XmlWriter xml, object? value)
    {
        switch (value)
        {
            case null: break;
            case O311Object o:
                foreach (var (name, field) in o.Fields)
                {
                    if (field is null) continue;
                    xml.WriteStartElement(name);
                    WriteXmlContent(xml, field);
                    xml.WriteEndElement();
                }
                break;
            case O311List list:
                foreach (var item in list.Items)
                {
                    xml.WriteStartElement(list.ItemName);
                    WriteXmlContent(xml, item);
                    xml.WriteEndElement();
                }
                break;
            case bool b: xml.WriteString(b ? "true" : "false"); break;
            case int i: xml.WriteString(i.ToString(CultureInfo.InvariantCulture)); break;
            case double d: xml.WriteString(d.ToString("R", CultureInfo.InvariantCulture)); break;
            default: xml.WriteString(value.ToString()); break;
        }
    }

    private sealed class Utf8StringWriter : StringWriter
    {
        public override Encoding Encoding => Encoding.UTF8;
    }
}

/// <summary>The two formats every Open311 path serves, chosen by its extension (<c>services.json</c>, <c>services.xml</c>).</summary>
public enum Open311Format
{
    Json,
    Xml,
}
