using System.Globalization;
using BenchmarkDotNet.Running;

if (args is ["--loop", var count])
{
    // A plain timing loop for profilers (dotnet-trace, perf): the benchmark's work, many times.
    var n = int.Parse(count, CultureInfo.InvariantCulture);
    var bench = new IncidentResponse.Benchmarks.AssessmentBenchmarks();
    bench.Setup();
    var allocated = GC.GetAllocatedBytesForCurrentThread();
    var watch = System.Diagnostics.Stopwatch.StartNew();
    for (var i = 0; i < n; i++)
    {
        bench.AssessAll();
    }

    Console.WriteLine($"{watch.Elapsed.TotalMicroseconds / n:F1} us and {(GC.GetAllocatedBytesForCurrentThread() - allocated) / n / 1024.0:F1} KB " +
                      $"per assessment ({bench.AssessAll().Obligations.Count} obligations)");
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

/// <summary>Entry point: `dotnet run -c Release --project bench/IncidentResponse.Benchmarks -- --filter '*'`.</summary>
public partial class Program;
