using System.Text.Json;
using System.Text.RegularExpressions;
using OrleansEdge.Tests.Shared;
using YamlDotNet.RepresentationModel;
using static OrleansEdge.Gateway.Tests.Deployment.DeploymentConfiguration;

namespace OrleansEdge.Gateway.Tests.Deployment;

/// <summary>
/// The Dockerfile and the compose file, read against the programs: every setting one they read, every port one they
/// listen on, every configuration one their start-up accepts. No image can be pulled here, so nothing is built; the
/// compose file is also checked by docker-compose itself.
/// </summary>
public sealed partial class DockerAndComposeTests
{
    private static readonly string ComposeFolder = Path.Combine(Root, "deploy", "compose");

    [Fact]
    public void Dockerfile_EachTargetRunsItsPublishedProgram_WithKnownSettingsAndTheirPortsExposed()
    {
        var stages = DockerfileStages(File.ReadAllLines(Path.Combine(Root, "deploy", "docker", "Dockerfile")));
        Assert.Contains("-p:PublishProfile=linux", string.Join('\n', stages["build"]));
        Assert.True(File.Exists(Path.Combine(Root, "deploy", "publish", "linux.pubxml")));

        foreach (var (target, program) in new[] { ("silo", "Silo"), ("gateway", "Gateway") })
        {
            var lines = stages[target];
            var entrypoint = JsonSerializer.Deserialize<string[]>(Instruction(lines, "ENTRYPOINT").Single())!;
            Assert.Equal(["dotnet", $"OrleansEdge.{program}.dll"], entrypoint);
            Assert.True(File.Exists(Path.Combine(Root, program, $"OrleansEdge.{program}.csproj")));

            var environment = Instruction(lines, "ENV").SelectMany(EnvPairs).ToDictionary();
            Assert.All(environment.Keys, variable => Assert.Null(Unknown(variable)));
            var exposed = Instruction(lines, "EXPOSE").SelectMany(e => e.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(int.Parse).Order();
            int[] listening = target == "silo"
                ? [int.Parse(environment["Edge__Cluster__SiloPort"]), int.Parse(environment["Edge__Cluster__GatewayPort"]), PortOf(environment["Edge__Silo__Listen"])]
                : [PortOf(environment["Edge__Listen__Viewer"]), PortOf(environment["Edge__Listen__Control"])];
            Assert.Equal(listening.Order(), exposed);
            Assert.Equal("$APP_UID", Instruction(lines, "USER").Single());
        }
    }

    [Fact]
    public async Task ComposeFile_DockerComposeAcceptsIt()
    {
        var (exitCode, output) = await Tool.RunAsync("docker-compose", "-f", Path.Combine(ComposeFolder, "compose.yaml"), "config", "-q");
        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task ComposeFile_EveryProcessStartsWithItsSettings_PortsAndScrapeTargetsAgree()
    {
        // docker-compose's own reading, anchors and merges resolved: what the containers really get.
        var (exitCode, resolved) = await Tool.RunAsync("docker-compose", "-f", Path.Combine(ComposeFolder, "compose.yaml"), "config");
        Assert.True(exitCode == 0, resolved);
        var yaml = new YamlStream();
        yaml.Load(new StringReader(resolved));
        var services = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
        var dockerfileTargets = DockerfileStages(File.ReadAllLines(Path.Combine(Root, "deploy", "docker", "Dockerfile"))).Keys;

        var scrapeTargets = new List<string>();
        var silos = 0;
        var gateways = 0;
        foreach (var (nameNode, serviceNode) in services.Children)
        {
            var name = nameNode.ToString();
            var service = (YamlMappingNode)serviceNode;
            if (!service.Children.ContainsKey("build"))
            {
                continue;
            }

            var target = ((YamlMappingNode)service["build"])["target"].ToString();
            Assert.Contains(target, dockerfileTargets);
            var environment = ((YamlMappingNode)service["environment"]).Children.ToDictionary(e => e.Key.ToString(), e => e.Value.ToString());
            Assert.All(environment.Keys, variable => Assert.Null(Unknown(variable)));
            if (target == "silo")
            {
                silos++;
                Assert.Empty(SiloProblems(environment));
                var address = ((YamlMappingNode)((YamlMappingNode)service["networks"])["edge"])["ipv4_address"].ToString();
                Assert.Equal(address, environment["Edge__Cluster__AdvertisedAddress"]);
                scrapeTargets.Add($"{name}:{PortOf(environment["Edge__Silo__Listen"])}");
            }
            else
            {
                gateways++;
                var problems = GatewayProblems(environment);
                Assert.True(problems.Count == 0, $"{name}: {string.Join("; ", problems)}");
                var listening = new[] { PortOf(environment["Edge__Listen__Viewer"]), PortOf(environment["Edge__Listen__Control"]) };
                foreach (var port in (YamlSequenceNode)service["ports"])
                {
                    var containerPort = int.Parse(ContainerPort().Match(port.ToString()).Groups[1].Value);
                    Assert.Contains(containerPort, listening);
                }

                scrapeTargets.Add($"{name}:{listening[1]}");

                // The demo origin must be where the distribution's origin points, reachable by the silos.
                if (environment.GetValueOrDefault("Edge__Demo__Enabled") == "true")
                {
                    var origin = new Uri(environment["Edge__Distributions__E1DEMO__Origin"]);
                    Assert.Equal(name, origin.Host);
                    Assert.Equal(origin.Port, PortOf(environment["Edge__Demo__Url"]));
                }
            }
        }

        Assert.Equal(3, silos);
        Assert.Equal(2, gateways);
        var prometheus = await File.ReadAllTextAsync(Path.Combine(ComposeFolder, "prometheus.yml"));
        Assert.Equal(scrapeTargets.Order(), ScrapeTarget().Matches(prometheus).Select(m => m.Groups[1].Value).Order());
        Assert.True(File.Exists(Path.Combine(Root, "observability", "prometheus", "alerts.yml")));
    }

    private static Dictionary<string, List<string>> DockerfileStages(string[] lines)
    {
        var stages = new Dictionary<string, List<string>>();
        List<string>? current = null;
        var logical = "";
        foreach (var raw in lines.Where(l => !l.TrimStart().StartsWith('#')))
        {
            logical += raw.TrimEnd().TrimEnd('\\') + " ";
            if (raw.TrimEnd().EndsWith('\\'))
            {
                continue;
            }

            var line = logical.Trim();
            logical = "";
            if (line.StartsWith("FROM ", StringComparison.Ordinal))
            {
                stages[line.Split(" AS ")[1].Trim()] = current = [];
            }
            else if (line.Length > 0)
            {
                current!.Add(line);
            }
        }

        return stages;
    }

    private static IEnumerable<string> Instruction(List<string> lines, string instruction) =>
        lines.Where(l => l.StartsWith(instruction + " ", StringComparison.Ordinal)).Select(l => l[(instruction.Length + 1)..].Trim());

    private static IEnumerable<KeyValuePair<string, string>> EnvPairs(string env) =>
        env.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).Select(p => KeyValuePair.Create(p[0], p[1]));

    [GeneratedRegex(@":(\d+)(/tcp)?$")]
    private static partial Regex ContainerPort();

    [GeneratedRegex(@"""([a-z0-9]+:\d+)""")]
    private static partial Regex ScrapeTarget();
}
