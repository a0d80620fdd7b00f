using System.Runtime.CompilerServices;

namespace OrleansEdge.Grains.Objects;

/// <summary>
/// The body too large to store that an object grain keeps open for the viewer whose lookup fetched it: one at a time,
/// numbered by its fetch, handed over once, and let go when nobody came for it in time.
/// </summary>
/// <remarks>Used only from its grain's turns, so it needs no lock.</remarks>
internal sealed class RelayHolder
{
    /// <summary>How long a held body waits for its viewer (whose gateway asks at once) before it is let go.</summary>
    public static readonly TimeSpan HoldFor = TimeSpan.FromSeconds(10);

    private (long Number, OriginRelay Body, IDisposable Expiry)? _held;
    private int _streaming;

    /// <summary>Nothing held and nothing being relayed: the grain may go.</summary>
    public bool Idle => _held is null && _streaming == 0;

    /// <summary>Keeps <paramref name="body"/> for fetch <paramref name="number"/>; <paramref name="expiry"/> lets it go after <see cref="HoldFor"/>.</summary>
    public async Task HoldAsync(long number, OriginRelay body, IDisposable expiry)
    {
        // One at a time: a body still held from an earlier fetch has lost its viewer.
        await LetGoAsync();
        _held = (number, body, expiry);
    }

    /// <summary>
    /// The held body of fetch <paramref name="number"/>, once. Throws on the first step when it is not held (claimed,
    /// let go, or the grain activated anew), before anything is sent.
    /// </summary>
    public async IAsyncEnumerable<byte[]> RelayAsync(long number, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_held is not { } held || held.Number != number)
        {
            throw new InvalidOperationException("The response is no longer held for this viewer; ask the origin.");
        }

        _held = null;
        held.Expiry.Dispose();
        _streaming++;
        try
        {
            await foreach (var chunk in held.Body.ReadAsync(cancellationToken))
            {
                yield return chunk;
            }
        }
        finally
        {
            _streaming--;
            await held.Body.DisposeAsync();
        }
    }

    /// <summary>Lets go of the held body (of fetch <paramref name="number"/> only, when given) and its origin connection.</summary>
    public async Task LetGoAsync(long? number = null)
    {
        if (_held is { } held && (number is null || held.Number == number))
        {
            _held = null;
            held.Expiry.Dispose();
            await held.Body.DisposeAsync();
        }
    }
}
