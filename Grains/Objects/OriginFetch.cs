using OrleansEdge.Grains.Interfaces.Objects;

namespace OrleansEdge.Grains.Objects;

internal enum OriginFetchKind
{
    Response,
    NotModified,
    TooLarge,
    Failed,
}

/// <summary>What one origin request produced.</summary>
/// <param name="Relay">For <see cref="OriginFetchKind.TooLarge"/> when the caller asked to keep it: the response, still open.</param>
internal sealed record OriginFetch(
    OriginFetchKind Kind, int Status, HeaderField[] Headers, byte[] Body, int ErrorStatus = 0, string? ErrorMessage = null, OriginRelay? Relay = null)
{
    public static OriginFetch TooLarge { get; } = new(OriginFetchKind.TooLarge, 0, [], []);

    public static OriginFetch Failed(int status, string message) => new(OriginFetchKind.Failed, 0, [], [], status, message);
}
