namespace OrleansEdge.Gateway.Viewer;

/// <summary>The X-Cache values CloudFront users already parse, and the metric label of each.</summary>
internal static class CacheStatus
{
    public const string Hit = "Hit from orleansedge";
    public const string Miss = "Miss from orleansedge";
    public const string RefreshHit = "RefreshHit from orleansedge";
    public const string Error = "Error from orleansedge";
}
