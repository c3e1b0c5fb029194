package io.tokenbroker.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.kubernetes.client.openapi.models.V1ClusterRoleBinding;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1NetworkPolicyPeer;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Every manifest under {@code k8s/}, and everything each kustomization renders, against the Kubernetes
 * API models, strictly: an unknown or misspelt field fails the build, as
 * {@code kubectl apply --validate=strict} would.
 */
class KubernetesManifestsTest {

    private static final Path K8S = Path.of("k8s");
    private static final Path BASE = K8S.resolve("base");
    private static final Path OVERLAYS = K8S.resolve("overlays");
    private static final Path MONITORING = K8S.resolve("monitoring");
    private static final Map<String, Class<?>> MODELS = Map.of(
            "Deployment", V1Deployment.class,
            "Service", V1Service.class,
            "ServiceAccount", V1ServiceAccount.class,
            "ConfigMap", V1ConfigMap.class,
            "Secret", V1Secret.class,
            "PodDisruptionBudget", V1PodDisruptionBudget.class,
            "HorizontalPodAutoscaler", V2HorizontalPodAutoscaler.class,
            "NetworkPolicy", V1NetworkPolicy.class,
            "ClusterRoleBinding", V1ClusterRoleBinding.class);
    private static final Gson GSON = new Gson();

    static {
        // The models' fromJson() use the client's Gson, set up by its first JSON instance.
        new io.kubernetes.client.openapi.JSON();
    }

    @Test
    void everyManifestIsAValidKubernetesObject() throws IOException {
        List<JsonObject> objects = manifests();
        assertThat(objects).extracting(o -> o.get("kind").getAsString())
                .contains("Deployment", "Service", "ServiceAccount", "ConfigMap", "Secret", "PodDisruptionBudget",
                        "HorizontalPodAutoscaler", "NetworkPolicy", "ClusterRoleBinding");
        for (JsonObject object : objects) {
            validate(object);
        }
    }

    @Test
    void strictValidationCatchesAMisspeltField() throws IOException {
        JsonObject deployment = object("deployment.yaml");
        deployment.getAsJsonObject("spec").addProperty("replica", 2);
        assertThatThrownBy(() -> validate(deployment)).hasMessageContaining("replica");
    }

    @Test
    void theDeploymentIsHardenedProbedAndSpread() throws IOException {
        V1Deployment deployment = V1Deployment.fromJson(object("deployment.yaml").toString());
        assertThat(deployment.getSpec().getReplicas()).isGreaterThanOrEqualTo(2);
        var pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        for (String dockerfile : List.of("Dockerfile.jvm", "Dockerfile.native")) {
            assertThat(Files.readString(Path.of(dockerfile))).as(dockerfile + " runs as the Deployment's user")
                    .containsPattern("(?m)^USER " + pod.getSecurityContext().getRunAsUser() + "$");
        }
        assertThat(pod.getTopologySpreadConstraints()).extracting(c -> c.getTopologyKey())
                .contains("kubernetes.io/hostname");
        V1Container container = pod.getContainers().get(0);
        assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo("/q/health/started");
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        assertThat(List.of(container.getStartupProbe(), container.getLivenessProbe(), container.getReadinessProbe()))
                .as("probes on the management port").allSatisfy(probe ->
                        assertThat(probe.getHttpGet().getPort().getStrValue()).isEqualTo("management"));
        assertThat(container.getPorts()).extracting(port -> port.getName() + ":" + port.getContainerPort())
                .containsExactlyInAnyOrder("http:8080", "management:9000");
        assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(container.getResources().getLimits()).containsKey("memory");
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(container.getEnvFrom()).anySatisfy(source ->
                assertThat(source.getSecretRef().getName()).isEqualTo("token-broker-credentials"));
    }

    @Test
    void theNetworkPolicyAdmitsNamedNamespacesOnlyAndOpensNoPortToEveryAddress() throws IOException {
        V1NetworkPolicy policy = V1NetworkPolicy.fromJson(object("networkpolicy.yaml").toString());
        policy.getSpec().getIngress().forEach(rule -> rule.getFrom().forEach(peer -> {
            var namespaces = peer.getNamespaceSelector();
            assertThat(namespaces).as("a namespace selector").isNotNull();
            boolean byName = namespaces.getMatchLabels() != null
                    && namespaces.getMatchLabels().containsKey("kubernetes.io/metadata.name")
                    || namespaces.getMatchExpressions() != null && namespaces.getMatchExpressions().stream()
                            .anyMatch(e -> e.getKey().equals("kubernetes.io/metadata.name"));
            assertThat(byName).as("namespaces selected by kubernetes.io/metadata.name").isTrue();
            assertThat(peer.getPodSelector()).as("pods selected too").isNotNull();
        }));
        policy.getSpec().getEgress().forEach(rule -> rule.getTo().forEach(peer -> {
            if (peer.getIpBlock() != null) {
                assertThat(peer.getIpBlock().getCidr()).as("no egress to every address").isNotEqualTo("0.0.0.0/0");
            }
            if (peer.getNamespaceSelector() != null) {
                assertThat(peer.getNamespaceSelector().getMatchLabels()).containsKey("kubernetes.io/metadata.name");
            }
        }));
    }

    @Test
    void callersReachOnlyTheTokenPortAndPrometheusOnlyTheManagementPort() throws IOException {
        V1NetworkPolicy policy = V1NetworkPolicy.fromJson(object("networkpolicy.yaml").toString());
        assertThat(policy.getSpec().getIngress()).allSatisfy(rule -> assertThat(rule.getPorts()).hasSize(1))
                .extracting(rule -> peerName(rule.getFrom().get(0)) + "->" + rule.getPorts().get(0).getPort().getIntValue())
                .containsExactlyInAnyOrder("token-broker/caller->8080", "prometheus->9000");
        V1Service callers = V1Service.fromJson(object("service.yaml").toString());
        assertThat(callers.getSpec().getPorts()).extracting(port -> port.getTargetPort().getStrValue())
                .containsExactly("http");
        Map<String, Object> monitor = new Yaml().load(Files.readString(MONITORING.resolve("servicemonitor.yaml")));
        assertThat(monitor.toString()).contains("port=management", "path=/q/metrics",
                "app.kubernetes.io/component=management");
        V1Service management = V1Service.fromJson(object("service-management.yaml").toString());
        assertThat(management.getMetadata().getLabels()).containsEntry("app.kubernetes.io/component", "management");
        assertThat(management.getSpec().getPorts()).extracting(port -> port.getTargetPort().getStrValue())
                .containsExactly("management");
    }

    private static String peerName(V1NetworkPolicyPeer peer) {
        Map<String, String> labels = peer.getPodSelector().getMatchLabels();
        return labels.containsKey("token-broker/caller") ? "token-broker/caller" : labels.get("app.kubernetes.io/name");
    }

    @Test
    void theKustomizationListsExistingFilesAndNoSecretWithPlaceholders() throws IOException {
        Map<String, Object> kustomization = new Yaml().load(Files.readString(BASE.resolve("kustomization.yaml")));
        @SuppressWarnings("unchecked")
        List<String> resources = (List<String>) kustomization.get("resources");
        assertThat(resources).doesNotContain("secret.example.yaml")
                .allSatisfy(resource -> assertThat(BASE.resolve(resource)).exists());
        assertThat(kustomization).as("the namespace is the overlay's to set").doesNotContainKey("namespace");
    }

    @Test
    void everyKustomizationRendersToValidObjectsInTheOverlaysNamespace() throws Exception {
        Assumptions.assumeTrue(kubectlInstalled(), "kubectl is not installed");
        List<Path> overlays;
        try (Stream<Path> dirs = Files.list(OVERLAYS)) {
            overlays = dirs.filter(dir -> Files.exists(dir.resolve("kustomization.yaml"))).sorted().toList();
        }
        assertThat(overlays).extracting(dir -> dir.getFileName().toString()).contains("dev-redis", "production");
        for (JsonObject object : rendered(BASE)) {
            validate(object);
        }
        for (Path overlay : overlays) {
            Map<String, Object> kustomization = new Yaml().load(Files.readString(overlay.resolve("kustomization.yaml")));
            String namespace = (String) kustomization.get("namespace");
            assertThat(namespace).as("%s sets a namespace", overlay).isNotBlank();
            List<JsonObject> objects = rendered(overlay);
            assertThat(objects).extracting(o -> o.get("kind").getAsString()).contains("Deployment", "ClusterRoleBinding");
            for (JsonObject object : objects) {
                validate(object);
                JsonObject metadata = object.getAsJsonObject("metadata");
                if (object.get("kind").getAsString().equals("ClusterRoleBinding")) {
                    object.getAsJsonArray("subjects").forEach(subject -> assertThat(
                            subject.getAsJsonObject().get("namespace").getAsString()).as("%s: subject", overlay)
                            .isEqualTo(namespace));
                } else {
                    assertThat(metadata.get("namespace").getAsString()).as("%s: %s", overlay, metadata.get("name"))
                            .isEqualTo(namespace);
                }
            }
        }
    }

    @Test
    void theProductionOverlaySealsRecordsAndReachesRedisOverTlsWithAPassword() throws Exception {
        Assumptions.assumeTrue(kubectlInstalled(), "kubectl is not installed");
        JsonObject deployment = rendered(OVERLAYS.resolve("production")).stream()
                .filter(o -> o.get("kind").getAsString().equals("Deployment")).findFirst().orElseThrow();
        V1Container container = V1Deployment.fromJson(deployment.toString()).getSpec().getTemplate().getSpec()
                .getContainers().get(0);
        assertThat(container.getEnv()).anySatisfy(env -> {
            assertThat(env.getName()).isEqualTo("QUARKUS_REDIS_HOSTS");
            assertThat(env.getValue()).startsWith("rediss://");
        });
        assertThat(container.getEnv()).filteredOn(env -> env.getValueFrom() != null)
                .extracting(env -> env.getName())
                .contains("QUARKUS_REDIS_PASSWORD", "BROKER_STORE_ENCRYPTION_KEY");
    }

    private static boolean kubectlInstalled() {
        try {
            return new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@code kubectl kustomize dir}, parsed. */
    private static List<JsonObject> rendered(Path dir) throws IOException, InterruptedException {
        Process kustomize = new ProcessBuilder("kubectl", "kustomize", dir.toString()).start();
        String output = new String(kustomize.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        String errors = new String(kustomize.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(kustomize.waitFor()).as("kubectl kustomize %s: %s", dir, errors).isZero();
        List<JsonObject> objects = new ArrayList<>();
        for (Object document : new Yaml().loadAll(output)) {
            if (document != null) {
                objects.add(GSON.toJsonTree(document).getAsJsonObject());
            }
        }
        return objects;
    }

    private static void validate(JsonObject object) {
        String kind = object.get("kind").getAsString();
        Class<?> model = MODELS.get(kind);
        assertThat(model).as("a model for kind %s", kind).isNotNull();
        try {
            model.getMethod("validateJsonObject", JsonObject.class).invoke(null, object);
        } catch (InvocationTargetException invalid) {
            throw new AssertionError(kind + " " + object.getAsJsonObject("metadata").get("name") + ": "
                    + invalid.getCause().getMessage(), invalid.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonObject object(String file) throws IOException {
        Object document = new Yaml().load(Files.readString(BASE.resolve(file)));
        return GSON.toJsonTree(document).getAsJsonObject();
    }

    private static List<JsonObject> manifests() throws IOException {
        List<JsonObject> objects = new ArrayList<>();
        try (Stream<Path> files = Files.walk(K8S)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml"))
                    .filter(f -> !f.getFileName().toString().equals("kustomization.yaml"))
                    .filter(f -> !f.startsWith(K8S.resolve("monitoring")))
                    // Overlays hold patches (partial objects): they are checked as rendered, above.
                    .filter(f -> !f.startsWith(OVERLAYS) || f.getFileName().toString().equals("redis.yaml"))
                    .toList()) {
                for (Object document : new Yaml().loadAll(Files.readString(file))) {
                    if (document != null) {
                        objects.add(GSON.toJsonTree(document).getAsJsonObject());
                    }
                }
            }
        }
        return objects;
    }
}
