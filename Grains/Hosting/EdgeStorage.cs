namespace OrleansEdge.Grains.Hosting;

/// <summary>The grain storage that keeps invalidation records: Redis in cluster mode, memory when embedded.</summary>
public static class EdgeStorage
{
    public const string Name = "edge";
}
