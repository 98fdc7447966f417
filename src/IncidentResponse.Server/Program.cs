using IncidentResponse.Server;

await ServerApp.Build(args).RunAsync();

/// <summary>The entry point, visible to the test host.</summary>
public partial class Program;
