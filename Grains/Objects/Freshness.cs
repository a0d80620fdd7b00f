namespace OrleansEdge.Grains.Objects;

/// <summary>Whether a response may be stored, and for how long it is fresh.</summary>
public readonly record struct Freshness(bool Storable, TimeSpan Ttl, TimeSpan StaleIfError)
{
    public static readonly Freshness NotStorable = new(false, TimeSpan.Zero, TimeSpan.Zero);
}
