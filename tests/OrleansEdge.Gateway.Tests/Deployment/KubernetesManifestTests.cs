using k8s;
using k8s.Models;
using static OrleansEdge.Gateway.Tests.Deployment.DeploymentConfiguration;

namespace OrleansEdge.Gateway.Tests.Deployment;

/// <summary>
/// The Kubernetes manifests, read strictly by the Kubernetes client's own models (a misspelt field is an error), then
/// against the programs: settings they read, probes on ports they serve, selectors that select, references that resolve.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly List<object> Objects = KubernetesYaml.LoadAllFromString(
        File.ReadAllText(Path.Combine(Root, "deploy", "kubernetes", "orleansedge.yaml")), strict: true);

    private static T Single<T>(string name) => Objects.OfType<T>().Single(o => ((IMetadata<V1ObjectMeta>)o!).Metadata.Name == name);

    [Fact]
    public void Manifests_ParseStrictly_AllInOneNamespace()
    {
        Assert.Equal(11, Objects.Count);
        Assert.All(Objects.OfType<IMetadata<V1ObjectMeta>>().Where(o => o is not V1Namespace), o => Assert.Equal("orleansedge", o.Metadata.NamespaceProperty));
    }

    [Fact]
    public void Silos_StartWithTheirSettings_ReachedAtTheirPodAddress_ProbedOnTheirMetricsPort()
    {
        var silos = Single<V1StatefulSet>("orleansedge-silo");
        var pod = silos.Spec.Template;
        Assert.Equal(silos.Spec.Selector.MatchLabels, pod.Metadata.Labels.Where(l => silos.Spec.Selector.MatchLabels.ContainsKey(l.Key)).ToDictionary());
        var container = pod.Spec.Containers.Single();
        var environment = Resolve(container, pod);
        Assert.Empty(SiloProblems(environment));

        // Orleans' Kubernetes conventions: the ids as pod labels, read back into the settings the silo uses.
        Assert.Equal(pod.Metadata.Labels["orleans/serviceId"], environment["Edge__Cluster__ServiceId"]);
        Assert.Equal(pod.Metadata.Labels["orleans/clusterId"], environment["Edge__Cluster__ClusterId"]);
        Assert.Equal("status.podIP", container.Env.Single(e => e.Name == "POD_IP").ValueFrom.FieldRef.FieldPath);

        var ports = container.Ports.ToDictionary(p => p.Name, p => p.ContainerPort);
        Assert.Equal(int.Parse(environment["Edge__Cluster__SiloPort"]), ports["silo"]);
        Assert.Equal(int.Parse(environment["Edge__Cluster__GatewayPort"]), ports["gateway"]);
        Assert.Equal(PortOf(environment["Edge__Silo__Listen"]), ports["metrics"]);
        Assert.Equal("/healthz", container.LivenessProbe.HttpGet.Path);
        Assert.Equal("metrics", container.LivenessProbe.HttpGet.Port.Value);
        Assert.Equal(pod.Metadata.Annotations["prometheus.io/port"], ports["metrics"].ToString());
        AssertServicesSelect(pod, container);
        AssertVolumesResolve(pod);
    }

    [Fact]
    public void Gateways_StartWithTheirSettingsAndConfigFile_ReadyWhenTheClusterAnswers()
    {
        var gateways = Single<V1Deployment>("orleansedge-gateway");
        var pod = gateways.Spec.Template;
        var container = pod.Spec.Containers.Single();
        var environment = Resolve(container, pod);

        // The file the ConfigMap mounts is the one --config names, and start-up accepts the whole.
        Assert.Equal("--config", container.Args[0]);
        var mount = container.VolumeMounts.Single(m => container.Args[1].StartsWith(m.MountPath + "/", StringComparison.Ordinal));
        var configMap = Single<V1ConfigMap>(pod.Spec.Volumes.Single(v => v.Name == mount.Name).ConfigMap.Name);
        var problems = GatewayProblems(environment, configMap.Data[Path.GetFileName(container.Args[1])]);
        Assert.True(problems.Count == 0, string.Join("; ", problems));

        var ports = container.Ports.ToDictionary(p => p.Name, p => p.ContainerPort);
        Assert.Equal(PortOf(environment["Edge__Listen__Viewer"]), ports["viewer"]);
        Assert.Equal(PortOf(environment["Edge__Listen__Control"]), ports["control"]);
        Assert.Equal(("/readyz", "control"), (container.ReadinessProbe.HttpGet.Path, container.ReadinessProbe.HttpGet.Port.Value));
        Assert.Equal(("/healthz", "control"), (container.LivenessProbe.HttpGet.Path, container.LivenessProbe.HttpGet.Port.Value));
        AssertServicesSelect(pod, container);
        AssertVolumesResolve(pod);
    }

    /// <summary>The container's environment as the pod gets it: secrets and fields filled with sample values, $(VAR) expanded.</summary>
    private static Dictionary<string, string> Resolve(V1Container container, V1PodTemplateSpec pod)
    {
        var environment = new Dictionary<string, string>();
        foreach (var variable in container.Env)
        {
            string value;
            if (variable.ValueFrom?.SecretKeyRef is { } secret)
            {
                value = Single<V1Secret>(secret.Name).StringData[secret.Key];
            }
            else if (variable.ValueFrom?.FieldRef is { } field)
            {
                value = field.FieldPath == "status.podIP" ? "10.1.2.3"
                    : pod.Metadata.Labels[field.FieldPath["metadata.labels['".Length..^2]];
            }
            else
            {
                value = System.Text.RegularExpressions.Regex.Replace(variable.Value, @"\$\((\w+)\)", m => environment[m.Groups[1].Value]);
            }

            environment[variable.Name] = value;
        }

        // Helpers that only feed $(VAR) references (Orleans' conventional names) are not settings themselves.
        var referenced = container.Env.Where(e => e.Value is not null).SelectMany(e => System.Text.RegularExpressions.Regex.Matches(e.Value, @"\$\((\w+)\)").Select(m => m.Groups[1].Value)).ToHashSet();
        Assert.All(environment.Keys.Where(k => !referenced.Contains(k)), variable => Assert.Null(Unknown(variable)));
        return environment.Where(e => !referenced.Contains(e.Key)).ToDictionary();
    }

    private static void AssertServicesSelect(V1PodTemplateSpec pod, V1Container container)
    {
        var services = Objects.OfType<V1Service>().Where(s => s.Spec.Selector.All(l => pod.Metadata.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).ToList();
        Assert.NotEmpty(services);
        foreach (var port in services.SelectMany(s => s.Spec.Ports))
        {
            var target = port.TargetPort?.Value ?? port.Port.ToString();
            Assert.Contains(container.Ports, p => p.Name == target || p.ContainerPort.ToString() == target);
        }
    }

    private static void AssertVolumesResolve(V1PodTemplateSpec pod)
    {
        foreach (var mount in pod.Spec.Containers.SelectMany(c => c.VolumeMounts ?? []))
        {
            Assert.Contains(pod.Spec.Volumes, v => v.Name == mount.Name);
        }
    }
}
