using YamlDotNet.RepresentationModel;

namespace IncidentResponse.Server.Tests.Deploy;

/// <summary>No Docker engine runs here, so the compose file is checked against what the server reads.</summary>
public sealed class DockerComposeTests
{
    private static string RepositoryFile(params string[] parts)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "IncidentResponse.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine([directory!.FullName, .. parts]);
    }

    private static YamlMappingNode Services()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(RepositoryFile("docker-compose.yml"))));
        return (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode)["services"];
    }

    private static string Scalar(YamlNode node, string key) => ((YamlScalarNode)((YamlMappingNode)node)[key]).Value!;

    [Fact]
    public void Compose_runs_postgres_and_the_server_with_health_checks_and_a_named_volume()
    {
        var services = Services();
        Assert.True(services.Children.ContainsKey("postgres"));
        Assert.True(services.Children.ContainsKey("server"));
        Assert.True(((YamlMappingNode)services["postgres"]).Children.ContainsKey("healthcheck"));
        Assert.True(((YamlMappingNode)services["server"]).Children.ContainsKey("healthcheck"));
        Assert.Contains("/health/ready", services["server"]["healthcheck"]["test"].ToString());

        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(RepositoryFile("docker-compose.yml"))));
        var volumes = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode)["volumes"];
        var volume = Assert.Single(volumes.Children).Key.ToString();
        Assert.Contains(((YamlSequenceNode)services["postgres"]["volumes"]).Children, v => v.ToString().StartsWith(volume + ":", StringComparison.Ordinal));
    }

    [Fact]
    public void The_server_is_built_from_deploy_Dockerfile_and_gets_the_settings_it_reads()
    {
        var server = (YamlMappingNode)Services()["server"];
        Assert.Equal("deploy/Dockerfile", Scalar(server["build"], "dockerfile"));
        Assert.True(File.Exists(RepositoryFile("deploy", "Dockerfile")));

        var environment = (YamlMappingNode)server["environment"];
        var connection = ((YamlScalarNode)environment["ConnectionStrings__Postgres"]).Value!;
        Assert.Contains("Host=postgres", connection);
        var postgres = (YamlMappingNode)((YamlMappingNode)Services()["postgres"])["environment"];
        Assert.Contains("Password=" + ((YamlScalarNode)postgres["POSTGRES_PASSWORD"]).Value, connection);
        Assert.Contains("Database=" + ((YamlScalarNode)postgres["POSTGRES_DB"]).Value, connection);
        Assert.True(environment.Children.ContainsKey("IR_ADMIN_API_KEY"));

        // The published port reaches the port the server listens on inside the container.
        var urls = ((YamlScalarNode)environment["ASPNETCORE_URLS"]).Value!;
        var inside = new Uri(urls.Replace("+", "localhost", StringComparison.Ordinal)).Port;
        var ports = (YamlSequenceNode)server["ports"];
        Assert.Contains(ports.Children, p => p.ToString().EndsWith(":" + inside, StringComparison.Ordinal));
        Assert.Contains("service_healthy", server["depends_on"]["postgres"]["condition"].ToString());

        var dockerfile = File.ReadAllText(RepositoryFile("deploy", "Dockerfile"));
        Assert.Contains("src/IncidentResponse.Server", dockerfile);
        Assert.Contains("EXPOSE " + inside, dockerfile);
    }
}
