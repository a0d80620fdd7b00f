using OrleansEdge.Grains.Interfaces.Retries;

namespace OrleansEdge.Grains.Tests.Retries;

public sealed class RetryBackoffTests
{
    [Theory]
    [InlineData(1, 25, 50)]
    [InlineData(2, 50, 100)]
    [InlineData(4, 200, 400)]
    [InlineData(10, 500, 1000)]
    [InlineData(1000, 500, 1000)]
    public void PausesDoubleUpToTheCap_HalfOfEachRandom(int attempt, int atLeastMs, int atMostMs)
    {
        var pauses = Enumerable.Range(0, 200).Select(_ => RetryBackoff.Delay(attempt, TimeSpan.FromSeconds(1)).TotalMilliseconds).ToArray();
        Assert.All(pauses, pause => Assert.InRange(pause, atLeastMs, atMostMs));

        // Jittered: two hundred callers interrupted at once do not all come back together.
        Assert.True(pauses.Distinct().Count() > 100);
    }
}
