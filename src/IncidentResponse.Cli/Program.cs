using System.CommandLine;
using IncidentResponse.Cli;

var root = new RootCommand("ir: incident response and breach notification from the command line.")
{
    AffectedPeopleCommand.Create(),
    AgenciesCommand.Create(),
    AssessCommand.Create(),
    LawsCommand.Create(),
    LettersCommand.Create(),
    MigrateCommand.Create(),
    PlaybooksCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
