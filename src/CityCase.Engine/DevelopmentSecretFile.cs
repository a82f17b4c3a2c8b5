namespace CityCase.Engine;

/// <summary>
/// Development's generated secrets (the audit signing key, the privacy secret): written once, readable by the owner
/// only, and atomically, so that several servers started in one directory agree on the first one written.
/// </summary>
public static class DevelopmentSecretFile
{
    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> unless a file is there; true when this call wrote it.</summary>
    public static bool WriteOnce(string path, string content)
    {
        if (File.Exists(path)) return false;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var writer = new StreamWriter(temporary, System.Text.Encoding.ASCII, options))
            writer.Write(content);
        try
        {
            File.Move(temporary, path, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
            return false;
        }
    }
}
