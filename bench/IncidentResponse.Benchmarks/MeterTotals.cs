using System.Diagnostics.Metrics;

namespace IncidentResponse.Benchmarks;

/// <summary>The count and sum of every measurement one meter's histograms record while it listens.</summary>
internal sealed class MeterTotals : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly Dictionary<string, (long Count, double Sum)> totals = [];

    public MeterTotals(string meter)
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == meter)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => Add(instrument.Name, value));
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => Add(instrument.Name, value));
        listener.Start();
    }

    /// <summary>How many measurements the instrument recorded, and their mean (0 when none).</summary>
    public (long Count, double Mean) this[string instrument]
    {
        get
        {
            lock (totals)
            {
                return totals.TryGetValue(instrument, out var t) ? (t.Count, t.Sum / t.Count) : (0, 0);
            }
        }
    }

    public void Dispose() => listener.Dispose();

    private void Add(string instrument, double value)
    {
        lock (totals)
        {
            var (count, sum) = totals.GetValueOrDefault(instrument);
            totals[instrument] = (count + 1, sum + value);
        }
    }
}
