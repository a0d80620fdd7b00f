using OrleansEdge.Tests.Shared;
using static OrleansEdge.Gateway.Tests.Deployment.DeploymentConfiguration;

namespace OrleansEdge.Gateway.Tests.Deployment;

/// <summary>The systemd units: accepted by systemd itself, hardened, and running the published programs with settings they read.</summary>
public sealed class SystemdUnitTests
{
    public static TheoryData<string, string> Units => new() { { "orleansedge-silo@.service", "Silo" }, { "orleansedge-gateway@.service", "Gateway" } };

    [Theory]
    [MemberData(nameof(Units))]
    public async Task Unit_SystemdAnalyzeVerifyFindsNothing_HardenedAndRunningThePublishedProgram(string unit, string program)
    {
        var text = await File.ReadAllTextAsync(Path.Combine(Root, "deploy", "systemd", unit));

        // A template is verified as an instance of it; verify also checks that ExecStart's program exists.
        var folder = Directory.CreateTempSubdirectory("orleansedge-units-").FullName;
        var instance = Path.Combine(folder, unit.Replace("@.", "@0.", StringComparison.Ordinal));
        await File.WriteAllTextAsync(instance, text);
        var (exitCode, output) = await Tool.RunAsync("systemd-analyze", "verify", instance);
        Directory.Delete(folder, recursive: true);
        Assert.True(exitCode == 0 && output.Trim().Length == 0, $"systemd-analyze verify {unit}: exit {exitCode}\n{output}");

        var settings = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#') && l.Contains('='))
            .Select(l => l.Split('=', 2)).ToLookup(p => p[0], p => p[1]);
        Assert.Equal("yes", settings["DynamicUser"].Single());
        Assert.Equal("strict", settings["ProtectSystem"].Single());
        Assert.Equal("yes", settings["NoNewPrivileges"].Single());
        Assert.Equal("SIGTERM", settings["KillSignal"].Single());
        Assert.Contains($"/opt/orleansedge/{program.ToLowerInvariant()}/OrleansEdge.{program}.dll", settings["ExecStart"].Single());
        foreach (var variable in settings["Environment"].Select(e => e.Split('=', 2)[0]))
        {
            Assert.Null(Unknown(variable));
        }
    }
}
