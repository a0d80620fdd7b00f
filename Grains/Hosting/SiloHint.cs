namespace OrleansEdge.Grains.Hosting;

/// <summary>
/// A durable index value followed by the silo of the object it names, so a fan-out can batch by silo:
/// "{value} {silo}", or "{value}" alone when there is no silo (stamps).
/// </summary>
internal static class SiloHint
{
    public static string Append(string value, SiloAddress? silo) => silo is null ? value : $"{value} {silo.ToParsableString()}";

    public static (string Value, SiloAddress? Silo) Split(string stored)
    {
        var space = stored.IndexOf(' ');
        return space < 0 ? (stored, null) : (stored[..space], SiloAddress.FromParsableString(stored[(space + 1)..]));
    }
}
