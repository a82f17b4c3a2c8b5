using System.Globalization;
using CityCase.Domain;
using MetadataExtractor;
using MetadataExtractor.Formats.Exif;
using MetadataExtractor.Formats.Jpeg;
using MetadataExtractor.Formats.Png;
using MetadataExtractor.Formats.WebP;
using NodaTime;
using NodaTime.Text;

namespace CityCase.Engine.Evidence;

/// <summary>What an upload is, by its own bytes: its type and what its EXIF data says of when and where it was taken.</summary>
public sealed record InspectedImage(string ContentType, Instant? TakenAt, Location? TakenWhere);

/// <summary>
/// Tells an image's type by its first bytes (never by its name or the client's Content-Type) and reads its EXIF time and
/// GPS position. No pixel is decoded: MetadataExtractor (managed code, no native decoder) reads only the metadata
/// segments of the three formats it is asked for, within the upload's size limit; a file it cannot read keeps its type
/// and simply has no metadata. HEIC is recognised by its ISO-BMFF brand; MetadataExtractor 2.4 (the version served here)
/// does not read HEIF, so a HEIC photo has no takenAt.
/// </summary>
public static class ImageInspection
{
    public const string Jpeg = "image/jpeg";
    public const string Png = "image/png";
    public const string WebP = "image/webp";
    public const string Heic = "image/heic";

    // EXIF's DateTimeOriginal ("2026:11:24 09:31:05") and OffsetTimeOriginal ("+08:00").
    private static readonly LocalDateTimePattern ExifTime = LocalDateTimePattern.CreateWithInvariantCulture("uuuu':'MM':'dd HH':'mm':'ss");
    private static readonly OffsetPattern ExifOffset = OffsetPattern.CreateWithInvariantCulture("m");

    /// <summary>EXIF 2.31's OffsetTimeOriginal (0x9011), which MetadataExtractor 2.4 reads but does not name.</summary>
    private const int OffsetTimeOriginal = 0x9011;

    private static readonly string[] HeicBrands = ["heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1"];

    /// <summary>The image type its bytes begin with, or null for anything else.</summary>
    public static string? ContentTypeOf(ReadOnlySpan<byte> bytes)
    {
        if (bytes is [0xFF, 0xD8, 0xFF, ..]) return Jpeg;
        if (bytes.StartsWith((byte[])[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A])) return Png;
        if (bytes.Length >= 12 && bytes[..4].SequenceEqual("RIFF"u8) && bytes[8..12].SequenceEqual("WEBP"u8)) return WebP;
        // ISO-BMFF: a box size, then 'ftyp' and the major brand.
        if (bytes.Length >= 12 && bytes[4..8].SequenceEqual("ftyp"u8)
            && HeicBrands.Contains(System.Text.Encoding.ASCII.GetString(bytes[8..12]))) return Heic;
        return null;
    }

    /// <summary>The upload's type and metadata; refused (VALIDATION_FAILED) when it is none of the four image types.</summary>
    public static InspectedImage Inspect(byte[] bytes)
    {
        var type = ContentTypeOf(bytes) ?? throw new NotAnImageException();
        if (type == Heic) return new InspectedImage(type, null, null);
        IReadOnlyList<MetadataExtractor.Directory> directories;
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            directories = type switch
            {
                Jpeg => JpegMetadataReader.ReadMetadata(stream),
                Png => PngMetadataReader.ReadMetadata(stream),
                _ => WebPMetadataReader.ReadMetadata(stream),
            };
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Untrusted bytes: whatever the reader trips over (a crafted offset, a bad count), the type is sure and the
            // metadata unreadable, so there is none. Nothing else is done with the bytes.
            return new InspectedImage(type, null, null);
        }
        return new InspectedImage(type, TakenAt(directories), TakenWhere(directories));
    }

    /// <summary>
    /// DateTimeOriginal with its OffsetTimeOriginal when the camera wrote one; else the GPS time stamp (always UTC);
    /// else nothing: a local time without its offset is not an instant, so it is not guessed.
    /// </summary>
    private static Instant? TakenAt(IReadOnlyList<MetadataExtractor.Directory> directories)
    {
        var exif = directories.OfType<ExifSubIfdDirectory>().FirstOrDefault();
        var original = exif?.GetString(ExifDirectoryBase.TagDateTimeOriginal);
        var offset = exif?.GetString(OffsetTimeOriginal);
        if (original is not null && offset is not null
            && ExifTime.Parse(original.Trim()) is { Success: true } local
            && ExifOffset.Parse(offset.Trim()) is { Success: true } off)
            return local.Value.WithOffset(off.Value).ToInstant();
        var gps = directories.OfType<GpsDirectory>().FirstOrDefault();
        if (gps is not null && gps.TryGetGpsDate(out var utc))
            return Instant.FromDateTimeUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc));
        return null;
    }

    private static Location? TakenWhere(IReadOnlyList<MetadataExtractor.Directory> directories)
    {
        var position = directories.OfType<GpsDirectory>().FirstOrDefault()?.GetGeoLocation();
        if (position is null || position.IsZero || !double.IsFinite(position.Latitude) || !double.IsFinite(position.Longitude)
            || Math.Abs(position.Latitude) > 90 || Math.Abs(position.Longitude) > 180) return null;
        return new Location(Math.Round(position.Longitude, 7), Math.Round(position.Latitude, 7), null);
    }

    /// <summary>For messages: "10 MiB".</summary>
    public static string Describe(long bytes) => bytes % (1024 * 1024) == 0
        ? $"{bytes / (1024 * 1024)} MiB"
        : string.Create(CultureInfo.InvariantCulture, $"{bytes:N0} bytes");
}

/// <summary>An upload that is none of the four image types: VALIDATION_FAILED, which the upload endpoint answers with 415.</summary>
public sealed class NotAnImageException() : DomainException(ErrorCodes.ValidationFailed,
    "the upload is not a JPEG, PNG, WebP or HEIC image (its type is read from its content, not from its name)");
