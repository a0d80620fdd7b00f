using System.Globalization;
using Microsoft.Diagnostics.Tracing;

// What a process allocated, by type, per request: the runtime's allocation ticks (one about every 100 KB allocated,
// naming the type that crossed it) in a `dotnet-trace collect --profile gc-verbose` capture, summed by type.
//   AllocTicks TRACE.nettrace REQUESTS [TOP]
if (args.Length < 2 || !double.TryParse(args[1], CultureInfo.InvariantCulture, out var requests) || requests <= 0)
{
    Console.Error.WriteLine("usage: AllocTicks TRACE.nettrace REQUESTS [TOP]");
    return 2;
}

var top = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 25;
var byType = new Dictionary<string, long>(StringComparer.Ordinal);
long total = 0;
using (var source = new EventPipeEventSource(args[0]))
{
    source.Clr.GCAllocationTick += tick =>
    {
        var type = tick.TypeName ?? "(unnamed)";
        byType[type] = byType.GetValueOrDefault(type) + tick.AllocationAmount64;
        total += tick.AllocationAmount64;
    };
    source.Process();
}

Console.WriteLine(FormattableString.Invariant($"{total / requests:0} B per request ({total / 1048576} MiB sampled)"));
foreach (var (type, bytes) in byType.OrderByDescending(static pair => pair.Value).Take(top))
{
    Console.WriteLine(FormattableString.Invariant($"{bytes / requests,8:0} B {100.0 * bytes / total,5:0.0} %  {type}"));
}

return 0;
