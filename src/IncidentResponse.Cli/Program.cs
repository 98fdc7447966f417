using System.CommandLine;
using IncidentResponse.Cli;

var root = new RootCommand("ir: incident response and breach notification from the command line.");
root.Subcommands.Add(MigrateCommand.Create());
return await root.Parse(args).InvokeAsync();
