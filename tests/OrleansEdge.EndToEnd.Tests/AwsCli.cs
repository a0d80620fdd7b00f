using System.Diagnostics;
using System.Text.Json;

namespace OrleansEdge.EndToEnd.Tests;

/// <summary>Runs Debian's real AWS CLI (v2) against the local control plane, isolated from any user profile.</summary>
public sealed class AwsCli(string endpoint, string accessKeyId, string secret)
{
    public static string Executable { get; } = Environment.GetEnvironmentVariable("ORLEANSEDGE_TEST_AWS") ?? "/usr/bin/aws";

    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public JsonElement Json => JsonDocument.Parse(Output).RootElement;
    }

    public async Task<Result> RunWithSecretAsync(string secretOverride, params string[] arguments)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"The AWS CLI is missing at {Executable}: run ./scripts/test.sh, which installs Debian's awscli.");
        }

        var home = Directory.CreateTempSubdirectory("orleansedge-aws-").FullName;
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add("--endpoint-url");
        start.ArgumentList.Add(endpoint);
        start.ArgumentList.Add("--output");
        start.ArgumentList.Add("json");
        start.Environment["HOME"] = home;
        start.Environment["AWS_CONFIG_FILE"] = Path.Combine(home, "config");
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(home, "credentials");
        start.Environment["AWS_ACCESS_KEY_ID"] = accessKeyId;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = secretOverride;
        start.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        start.Environment["AWS_PAGER"] = "";
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        start.Environment["AWS_MAX_ATTEMPTS"] = "1";
        start.Environment.Remove("AWS_PROFILE");
        start.Environment.Remove("AWS_SESSION_TOKEN");

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Directory.Delete(home, recursive: true);
        return new Result(process.ExitCode, await output, await error);
    }

    public Task<Result> RunAsync(params string[] arguments) => RunWithSecretAsync(secret, arguments);
}
