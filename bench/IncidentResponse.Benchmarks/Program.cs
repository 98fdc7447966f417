// Entry point: `dotnet run -c Release --project bench/IncidentResponse.Benchmarks -- --filter '*'` (BenchmarkDotNet),
// or --loop N, --transitions CONN [clients] [seconds] [full] [quick] [remember-default] [runs=N], --sweep CONN [stored] [due] [rounds], --import CONN [rows], --letters N,
// --mailing CONN [people] [workers].
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
    return 0;
}

if (args is ["--transitions", var server, ..] rest)
{
    var clients = rest.Length > 2 ? int.Parse(rest[2], CultureInfo.InvariantCulture) : 8;
    var seconds = rest.Length > 3 ? int.Parse(rest[3], CultureInfo.InvariantCulture) : 20;
    var words = rest.Skip(4).ToHashSet();
    var runs = words.FirstOrDefault(w => w.StartsWith("runs=", StringComparison.Ordinal)) is { } given ? int.Parse(given["runs=".Length..], CultureInfo.InvariantCulture) : 1;
    return await IncidentResponse.Benchmarks.TransitionLoad.RunAsync(server, clients, seconds, minimal: !words.Contains("full"), quick: words.Contains("quick"),
        rememberAll: !words.Contains("remember-default"), runs);
}

if (args is ["--sweep", var database, ..] sweepArgs)
{
    int Arg(int i, int fallback) => sweepArgs.Length > i ? int.Parse(sweepArgs[i], CultureInfo.InvariantCulture) : fallback;
    return await IncidentResponse.Benchmarks.SweepLoad.RunAsync(database, Arg(2, 1_000_000), Arg(3, 1_000), Arg(4, 15));
}

if (args is ["--import", var target, ..] importArgs)
{
    return await IncidentResponse.Benchmarks.ImportLoad.RunAsync(target, importArgs.Length > 2 ? int.Parse(importArgs[2], CultureInfo.InvariantCulture) : 1_000_000);
}

if (args is ["--mailing", var mailingServer, ..] mailingArgs)
{
    int Arg(int i, int fallback) => mailingArgs.Length > i ? int.Parse(mailingArgs[i], CultureInfo.InvariantCulture) : fallback;
    return await IncidentResponse.Benchmarks.MailingLoad.RunAsync(mailingServer, Arg(2, 10_000), Arg(3, 2));
}

if (args is ["--letters", var letters])
{
    // Personalised letters per second, PDF and HTML-only, one thread, one after the other in the same run.
    var n = int.Parse(letters, CultureInfo.InvariantCulture);
    var bench = new IncidentResponse.Benchmarks.MailMergeBenchmarks();
    bench.Setup();
    var (pdf, html) = bench.LettersPerSecond(n);
    Console.WriteLine($"{n} personalised letters: PDF {pdf:F0} letters/s, HTML only {html:F0} letters/s ({html / pdf:F1}x)");
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(IncidentResponse.Benchmarks.AssessmentBenchmarks).Assembly).Run(args);
return 0;
