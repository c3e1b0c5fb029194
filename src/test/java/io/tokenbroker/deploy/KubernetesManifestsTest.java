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
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Every manifest under {@code k8s/} against the Kubernetes API models, strictly: an unknown or
 * misspelt field fails the build, as {@code kubectl apply --validate=strict} would.
 */
class KubernetesManifestsTest {

    private static final Path K8S = Path.of("k8s");
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
        assertThat(pod.getTopologySpreadConstraints()).extracting(c -> c.getTopologyKey())
                .contains("kubernetes.io/hostname");
        V1Container container = pod.getContainers().get(0);
        assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo("/q/health/started");
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(container.getResources().getLimits()).containsKey("memory");
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(container.getEnvFrom()).anySatisfy(source ->
                assertThat(source.getSecretRef().getName()).isEqualTo("token-broker-credentials"));
    }

    @Test
    void theKustomizationListsExistingFilesAndNoSecretWithPlaceholders() throws IOException {
        Map<String, Object> kustomization = new Yaml().load(Files.readString(K8S.resolve("kustomization.yaml")));
        @SuppressWarnings("unchecked")
        List<String> resources = (List<String>) kustomization.get("resources");
        assertThat(resources).doesNotContain("secret.example.yaml")
                .allSatisfy(resource -> assertThat(K8S.resolve(resource)).exists());
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
        Object document = new Yaml().load(Files.readString(K8S.resolve(file)));
        return GSON.toJsonTree(document).getAsJsonObject();
    }

    private static List<JsonObject> manifests() throws IOException {
        List<JsonObject> objects = new ArrayList<>();
        try (Stream<Path> files = Files.walk(K8S)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml"))
                    .filter(f -> !f.getFileName().toString().equals("kustomization.yaml"))
                    .filter(f -> !f.startsWith(K8S.resolve("monitoring")))
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
