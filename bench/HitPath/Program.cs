using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/HitPath                 every benchmark
// dotnet run -c Release --project bench/HitPath -- --filter '*Hit*'   one class
BenchmarkSwitcher.FromAssembly(typeof(OrleansEdge.Bench.HitPath.NearCacheHitBenchmarks).Assembly).Run(args);
