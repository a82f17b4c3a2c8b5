using System.Buffers.Binary;
using System.Text;

namespace CityCase.IntegrationTests.Evidence;

/// <summary>
/// Small images made byte by byte, as a phone would write their headers: a JPEG whose EXIF says when (with the camera's
/// offset) and where it was taken, and a PNG with no metadata. Their pixels are beside the point: nothing decodes them.
/// </summary>
public static class TestImages
{
    /// <summary>A JPEG taken at 2026-11-24 09:15:00 +08:00 (01:15 UTC) at 121.4737 E, 31.2304 N.</summary>
    public static byte[] JpegWithExif(string comment = "")
    {
        var tiff = new byte[198];
        var t = tiff.AsSpan();
        "II*\0"u8.CopyTo(t);
        BinaryPrimitives.WriteUInt32LittleEndian(t[4..], 8);
        // IFD0 at 8: the Exif sub-IFD (at 38) and the GPS IFD (at 68).
        Ifd(t, 8, (0x8769, 4, 1, 38), (0x8825, 4, 1, 68));
        // Exif sub-IFD at 38: DateTimeOriginal (at 122) and OffsetTimeOriginal (at 142).
        Ifd(t, 38, (0x9003, 2, 20, 122), (0x9011, 2, 7, 142));
        // GPS IFD at 68: N, latitude (at 150), E, longitude (at 174); a one-character text sits in the entry itself.
        Ifd(t, 68, (0x0001, 2, 2, 'N'), (0x0002, 5, 3, 150), (0x0003, 2, 2, 'E'), (0x0004, 5, 3, 174));
        "2026:11:24 09:15:00\0"u8.CopyTo(t[122..]);
        "+08:00\0"u8.CopyTo(t[142..]);
        Rationals(t[150..], (31, 1), (13, 1), (4944, 100)); // 31° 13' 49.44" = 31.2304
        Rationals(t[174..], (121, 1), (28, 1), (2532, 100)); // 121° 28' 25.32" = 121.4737

        var app1 = new List<byte> { 0xFF, 0xE1, 0, 0 };
        app1.AddRange("Exif\0\0"u8.ToArray());
        app1.AddRange(tiff);
        BinaryPrimitives.WriteUInt16BigEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(app1)[2..], (ushort)(app1.Count - 2));
        var com = Encoding.ASCII.GetBytes("photo " + comment);
        return [0xFF, 0xD8, .. app1, 0xFF, 0xFE, (byte)((com.Length + 2) >> 8), (byte)(com.Length + 2), .. com, 0xFF, 0xD9];
    }

    /// <summary>A 1×1 PNG's signature, header and end, without metadata.</summary>
    public static byte[] Png()
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, 1);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), 1);
        ihdr[8] = 8; // bit depth; colour type 0 (grey)
        return [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, .. Chunk("IHDR", ihdr), .. Chunk("IEND", [])];
    }

    private static void Ifd(Span<byte> tiff, int at, params (ushort Tag, ushort Type, uint Count, uint Value)[] entries)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(tiff[at..], (ushort)entries.Length);
        for (var i = 0; i < entries.Length; i++)
        {
            var e = tiff[(at + 2 + 12 * i)..];
            BinaryPrimitives.WriteUInt16LittleEndian(e, entries[i].Tag);
            BinaryPrimitives.WriteUInt16LittleEndian(e[2..], entries[i].Type);
            BinaryPrimitives.WriteUInt32LittleEndian(e[4..], entries[i].Count);
            BinaryPrimitives.WriteUInt32LittleEndian(e[8..], entries[i].Value);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(tiff[(at + 2 + 12 * entries.Length)..], 0);
    }

    private static void Rationals(Span<byte> at, params (uint Numerator, uint Denominator)[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(at[(8 * i)..], values[i].Numerator);
            BinaryPrimitives.WriteUInt32LittleEndian(at[(8 * i + 4)..], values[i].Denominator);
        }
    }

    private static byte[] Chunk(string type, byte[] data)
    {
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        typeAndData.CopyTo(chunk, 4);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(typeAndData));
        return chunk;
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
