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
import java.io.StringReader;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Every manifest under {@code k8s/}, and everything each kustomization renders, against the Kubernetes
 * API models, strictly: an unknown or misspelt field fails the build, as
 * {@code kubectl apply --validate=strict} would. And the placeholders cannot reach a cluster by
 * accident: the base holds nothing particular to a site, the overlays' examples say so and let no one
 * in, and the README's Secret commands create what the manifests read.
 */
class KubernetesManifestsTest {

    private static final Path K8S = Path.of("k8s");
    private static final Path BASE = K8S.resolve("base");
    private static final Path OVERLAYS = K8S.resolve("overlays");
    private static final Path MONITORING = K8S.resolve("monitoring");
    private static final Path PRODUCTION = OVERLAYS.resolve("production");
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
    /** Properties only a site can set: where Redis and the platform are, who calls, whose tokens are valid. */
    private static final Pattern SITE_PROPERTY = Pattern.compile("quarkus\\.redis\\.hosts"
            + "|broker\\.clients\\.[^.]+\\.(base-url|api-base-url)|broker\\.workload-identity\\.(issuer|jwks-url)"
            + "|broker\\.callers\\..+");
    private static final Pattern EXAMPLE_HOST = Pattern.compile("\\bexample\\.(com|net|org|internal|invalid)\\b");
    private static final Pattern IPV4 = Pattern.compile("\\b\\d{1,3}(\\.\\d{1,3}){3}\\b");
    private static final Pattern URL_HOST = Pattern.compile("\\b[a-z]+://([^/\\s:\"'`]+)");
    /** RFC 5737: addresses for documentation, which no network routes. */
    private static final List<String> DOCUMENTATION_RANGES = List.of("192.0.2.", "198.51.100.", "203.0.113.");
    /** A SHA-256 nobody knows a key for. */
    private static final String NO_KNOWN_KEY = "0".repeat(64);
    private static final String CALLERS = "broker.callers.";

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
        V1NetworkPolicy policy = productionPolicy();
        policy.getSpec().getIngress().forEach(rule -> rule.getFrom().forEach(peer -> {
            var namespaces = peer.getNamespaceSelector();
            if (namespaces == null) {
                // A pod selector alone selects in the policy's own namespace: only the replicas themselves.
                assertThat(peer.getPodSelector().getMatchLabels()).as("only the replicas, without a namespace")
                        .containsExactly(Map.entry("app.kubernetes.io/name", "token-broker"));
                return;
            }
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
    void callersReachOnlyTheTokenPortAndPrometheusAndPeersOnlyTheManagementPort() throws IOException {
        V1NetworkPolicy policy = productionPolicy();
        assertThat(policy.getSpec().getIngress()).allSatisfy(rule -> assertThat(rule.getPorts()).hasSize(1))
                .extracting(rule -> peerName(rule.getFrom().get(0)) + "->" + rule.getPorts().get(0).getPort().getIntValue())
                .containsExactlyInAnyOrder("token-broker/caller->8080", "prometheus->9000", "token-broker->9000");
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
        Map<String, Object> kustomization = yaml(BASE.resolve("kustomization.yaml"));
        assertThat(resources(BASE)).doesNotContain("secret.example.yaml")
                .allSatisfy(resource -> assertThat(BASE.resolve(resource)).exists());
        assertThat(kustomization).as("the namespace is the overlay's to set").doesNotContainKey("namespace");
        for (Path overlay : overlays()) {
            assertThat(resources(overlay)).as("%s", overlay).contains("../../base")
                    .allSatisfy(resource -> assertThat(overlay.resolve(resource)).exists());
        }
    }

    @Test
    void theBaseHoldsNothingParticularToASite() throws IOException {
        assertThat(yaml(BASE.resolve("kustomization.yaml"))).as("the image's registry is the overlay's")
                .doesNotContainKey("images");
        List<Path> files;
        try (Stream<Path> listed = Files.list(BASE)) {
            files = listed.sorted().toList();
        }
        for (Path file : files) {
            String text = Files.readString(file);
            assertThat(text).as("%s: no example host", file).doesNotContainPattern(EXAMPLE_HOST);
            assertThat(text).as("%s: no address or address block", file).doesNotContainPattern(IPV4);
            Matcher url = URL_HOST.matcher(text);
            while (url.find()) {
                assertThat(url.group(1)).as("%s: in-cluster URLs only", file)
                        .matches("[a-z0-9-]+|.+\\.svc(\\.cluster\\.local)?");
            }
        }
        List<String> kinds = new ArrayList<>();
        for (String resource : resources(BASE)) {
            for (Object document : new Yaml().loadAll(Files.readString(BASE.resolve(resource)))) {
                kinds.add(String.valueOf(((Map<?, ?>) document).get("kind")));
            }
        }
        assertThat(kinds).as("the NetworkPolicy names a site's namespaces and addresses: it is the overlay's")
                .contains("Deployment").doesNotContain("NetworkPolicy");
        assertThat(baseProperties().stringPropertyNames()).as("k8s/base/configmap.yaml")
                .noneMatch(name -> SITE_PROPERTY.matcher(name).matches());
    }

    @Test
    void everyOverlayBringsTheValuesOfItsSite() throws IOException {
        var pod = V1Deployment.fromJson(object("deployment.yaml").toString()).getSpec().getTemplate().getSpec();
        assertThat(pod.getVolumes()).filteredOn(volume -> volume.getName().equals("config")).singleElement()
                .satisfies(volume -> assertThat(volume.getProjected().getSources())
                        .extracting(source -> source.getConfigMap().getName())
                        .containsExactly("token-broker-config", "token-broker-site"));
        assertThat(pod.getContainers().get(0).getEnv()).anySatisfy(env -> {
            assertThat(env.getName()).isEqualTo("QUARKUS_CONFIG_LOCATIONS");
            assertThat(env.getValue()).isEqualTo("/config/application.properties,/config/site.properties");
        });
        Set<String> shared = baseProperties().stringPropertyNames();
        for (Path overlay : overlays()) {
            Map<String, Object> kustomization = yaml(overlay.resolve("kustomization.yaml"));
            assertThat(String.valueOf(kustomization.get("configMapGenerator"))).as("%s: its site's ConfigMap", overlay)
                    .contains("name=token-broker-site", "files=[site.properties]");
            assertThat(String.valueOf(kustomization.get("images"))).as("%s: its image", overlay)
                    .contains("name=token-broker", "newTag=");
            assertThat(siteProperties(overlay).stringPropertyNames()).as("%s/site.properties", overlay)
                    .contains("quarkus.redis.hosts", "broker.clients.default.base-url", "broker.workload-identity.issuer")
                    .doesNotContainAnyElementsOf(shared);
        }
    }

    @Test
    void theExampleCallersAreMarkedAndLetNoOneIn() throws IOException {
        for (Path overlay : overlays()) {
            Properties site = siteProperties(overlay);
            List<String> properties = site.stringPropertyNames().stream().filter(name -> name.startsWith(CALLERS))
                    .sorted().toList();
            assertThat(properties).as("%s: callers", overlay).isNotEmpty().allSatisfy(property ->
                    assertThat(property.substring(CALLERS.length())).startsWith("example-"));
            assertThat(properties).filteredOn(property -> property.endsWith(".key-sha256")).isNotEmpty()
                    .allSatisfy(property -> assertThat(site.getProperty(property)).isEqualTo(NO_KNOWN_KEY));
            assertThat(properties).filteredOn(property -> property.endsWith(".service-account")).isNotEmpty()
                    .allSatisfy(property -> assertThat(site.getProperty(property)).startsWith("example-"));
            assertThat(Files.readString(overlay.resolve("site.properties"))).contains("# EXAMPLE callers");
        }
        List<String> callerNamespaces = new ArrayList<>();
        productionPolicy().getSpec().getIngress().forEach(rule -> rule.getFrom().stream()
                .filter(peer -> peer.getPodSelector().getMatchLabels().containsKey("token-broker/caller"))
                .forEach(peer -> peer.getNamespaceSelector().getMatchExpressions()
                        .forEach(expression -> callerNamespaces.addAll(expression.getValues()))));
        assertThat(callerNamespaces).isNotEmpty().allSatisfy(namespace -> assertThat(namespace).startsWith("example-"));
    }

    @Test
    void theExampleAddressBlocksAreMarkedAndRouteNowhere() throws IOException {
        List<String> blocks = new ArrayList<>();
        productionPolicy().getSpec().getEgress().forEach(rule -> rule.getTo().stream()
                .filter(peer -> peer.getIpBlock() != null).forEach(peer -> blocks.add(peer.getIpBlock().getCidr())));
        assertThat(blocks).isNotEmpty().allSatisfy(block ->
                assertThat(DOCUMENTATION_RANGES).anySatisfy(range -> assertThat(block).startsWith(range)));
        assertThat(Files.readAllLines(PRODUCTION.resolve("networkpolicy.yaml"))).filteredOn(line -> line.contains("cidr:"))
                .hasSameSizeAs(blocks).allSatisfy(line -> assertThat(line).contains("# example"));
    }

    @Test
    void theExampleSecretsHoldPlaceholdersOnly() throws IOException {
        assertThat(exampleSecretValues()).isNotEmpty()
                .allSatisfy(value -> assertThat(value).matches("<[^<>]+>"));
    }

    @Test
    void everyKustomizationRendersToValidObjectsInTheOverlaysNamespace() throws Exception {
        Assumptions.assumeTrue(kubectlInstalled(), "kubectl is not installed");
        List<Path> overlays = overlays();
        assertThat(overlays).extracting(dir -> dir.getFileName().toString()).contains("dev-redis", "production");
        for (JsonObject object : rendered(BASE)) {
            validate(object);
        }
        for (Path overlay : overlays) {
            String namespace = namespaceOf(overlay);
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
    void everyOverlayNamesItsClusterRoleBindingAfterItsNamespace() throws Exception {
        Assumptions.assumeTrue(kubectlInstalled(), "kubectl is not installed");
        String base = object("issuer-discovery-binding.yaml").getAsJsonObject("metadata").get("name").getAsString();
        Set<String> names = new HashSet<>();
        List<Path> overlays = overlays();
        for (Path overlay : overlays) {
            List<String> bindings = rendered(overlay).stream()
                    .filter(o -> o.get("kind").getAsString().equals("ClusterRoleBinding"))
                    .map(o -> o.getAsJsonObject("metadata").get("name").getAsString()).toList();
            assertThat(bindings).as("%s", overlay).containsExactly(base + "-" + namespaceOf(overlay));
            names.addAll(bindings);
        }
        assertThat(names).as("cluster-wide, so one name per overlay").hasSize(overlays.size());
    }

    @Test
    void everyOverlayRendersTheConfigMapsItsDeploymentMounts() throws Exception {
        Assumptions.assumeTrue(kubectlInstalled(), "kubectl is not installed");
        for (Path overlay : overlays()) {
            List<JsonObject> objects = rendered(overlay);
            Set<String> configMaps = new TreeSet<>();
            objects.stream().filter(o -> o.get("kind").getAsString().equals("ConfigMap"))
                    .forEach(o -> configMaps.add(o.getAsJsonObject("metadata").get("name").getAsString()));
            JsonObject deployment = objects.stream().filter(o -> o.get("kind").getAsString().equals("Deployment")
                    && o.getAsJsonObject("metadata").get("name").getAsString().equals("token-broker")).findFirst()
                    .orElseThrow();
            List<String> mounted = new ArrayList<>();
            V1Deployment.fromJson(deployment.toString()).getSpec().getTemplate().getSpec().getVolumes().stream()
                    .filter(volume -> volume.getProjected() != null)
                    .forEach(volume -> volume.getProjected().getSources().stream()
                            .filter(source -> source.getConfigMap() != null)
                            .forEach(source -> mounted.add(source.getConfigMap().getName())));
            // kube-root-ca.crt is put in every namespace by Kubernetes itself.
            assertThat(mounted).as("%s", overlay).contains("token-broker-config")
                    .filteredOn(name -> !name.equals("kube-root-ca.crt"))
                    .allSatisfy(name -> assertThat(configMaps).contains(name))
                    .anySatisfy(name -> assertThat(name).startsWith("token-broker-site-"));
        }
    }

    @Test
    void theProductionOverlaySealsRecordsAndReachesRedisOverTlsWithAPassword() throws Exception {
        assertThat(siteProperties(PRODUCTION).getProperty("quarkus.redis.hosts")).startsWith("rediss://");
        Assumptions.assumeTrue(kubectlInstalled(), "kubectl is not installed");
        JsonObject deployment = rendered(PRODUCTION).stream()
                .filter(o -> o.get("kind").getAsString().equals("Deployment")).findFirst().orElseThrow();
        V1Container container = V1Deployment.fromJson(deployment.toString()).getSpec().getTemplate().getSpec()
                .getContainers().get(0);
        assertThat(container.getEnv()).filteredOn(env -> env.getValueFrom() != null)
                .extracting(env -> env.getName())
                .contains("QUARKUS_REDIS_PASSWORD", "BROKER_STORE_ENCRYPTION_KEY");
    }

    @Test
    void theReadmesSecretCommandsCreateEverySecretKeyTheManifestsRead() throws Exception {
        Assumptions.assumeTrue(kubectlInstalled(), "kubectl is not installed");
        Map<String, Set<String>> created = new TreeMap<>();
        for (String command : ReadmeCommandsTest.commands(readmeSection())) {
            if (command.contains(" create secret generic ")) {
                JsonObject secret = dryRun(command);
                JsonObject metadata = secret.getAsJsonObject("metadata");
                assertThat(metadata.has("namespace") ? metadata.get("namespace").getAsString() : "none").as(command)
                        .isEqualTo(namespaceOf(PRODUCTION));
                created.put(metadata.get("name").getAsString(), new TreeSet<>(secret.getAsJsonObject("data").keySet()));
            }
        }
        assertThat(created).as("the README's Secrets are secret.example.yaml's, key for key").isEqualTo(exampleSecretKeys());
        assertThat(secretKeysRead()).isNotEmpty().allSatisfy((secret, keys) ->
                assertThat(created.get(secret)).as("the README's Secret %s", secret).containsAll(keys));
    }

    @Test
    void theReadmesKubernetesStepsNameWhatExists() throws IOException {
        String section = readmeSection();
        Matcher path = Pattern.compile("`(k8s/[A-Za-z0-9_./-]*[A-Za-z0-9_-])`").matcher(section);
        while (path.find()) {
            assertThat(Path.of(path.group(1))).as("the README names %s", path.group(1)).exists();
        }
        Pattern kustomization = Pattern.compile("kubectl (?:kustomize|apply -k) (\\S+)");
        Pattern namespace = Pattern.compile("kubectl (?:-n (\\S+) .+|create namespace (\\S+))");
        List<String> commands = ReadmeCommandsTest.commands(section);
        assertThat(commands).anySatisfy(command -> assertThat(command).matches(kustomization))
                .anySatisfy(command -> assertThat(command).startsWith("kubectl create namespace "));
        for (String command : commands) {
            Matcher applied = kustomization.matcher(command);
            if (applied.matches()) {
                assertThat(Path.of(applied.group(1)).resolve("kustomization.yaml")).as(command).exists();
            }
            Matcher in = namespace.matcher(command);
            if (in.matches()) {
                assertThat(in.group(1) != null ? in.group(1) : in.group(2)).as(command).isEqualTo(namespaceOf(PRODUCTION));
            }
        }
        for (Path overlay : overlays()) {
            assertThat(section).contains("`" + overlay.getFileName() + "`", "`" + namespaceOf(overlay) + "`");
        }
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
        String output = new String(kustomize.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String errors = new String(kustomize.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
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
        return GSON.toJsonTree(yaml(BASE.resolve(file))).getAsJsonObject();
    }

    private static Map<String, Object> yaml(Path file) throws IOException {
        return new Yaml().load(Files.readString(file));
    }

    private static V1NetworkPolicy productionPolicy() throws IOException {
        Object document = yaml(PRODUCTION.resolve("networkpolicy.yaml"));
        return V1NetworkPolicy.fromJson(GSON.toJsonTree(document).toString());
    }

    /** The overlays, each a directory with a kustomization. */
    private static List<Path> overlays() throws IOException {
        try (Stream<Path> dirs = Files.list(OVERLAYS)) {
            return dirs.filter(dir -> Files.exists(dir.resolve("kustomization.yaml"))).sorted().toList();
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> resources(Path dir) throws IOException {
        return (List<String>) yaml(dir.resolve("kustomization.yaml")).get("resources");
    }

    private static String namespaceOf(Path overlay) throws IOException {
        return (String) yaml(overlay.resolve("kustomization.yaml")).get("namespace");
    }

    /** The base's application.properties (k8s/base/configmap.yaml). */
    @SuppressWarnings("unchecked")
    private static Properties baseProperties() throws IOException {
        Map<String, Object> data = (Map<String, Object>) yaml(BASE.resolve("configmap.yaml")).get("data");
        Properties properties = new Properties();
        properties.load(new StringReader((String) data.get("application.properties")));
        return properties;
    }

    private static Properties siteProperties(Path overlay) throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(Files.readString(overlay.resolve("site.properties"))));
        return properties;
    }

    /** Each Secret of secret.example.yaml with its keys. */
    @SuppressWarnings("unchecked")
    private static Map<String, Set<String>> exampleSecretKeys() throws IOException {
        Map<String, Set<String>> secrets = new TreeMap<>();
        for (Object document : new Yaml().loadAll(Files.readString(BASE.resolve("secret.example.yaml")))) {
            Map<String, Object> secret = (Map<String, Object>) document;
            String name = (String) ((Map<String, Object>) secret.get("metadata")).get("name");
            secrets.put(name, new TreeSet<>(((Map<String, Object>) secret.get("stringData")).keySet()));
        }
        return secrets;
    }

    @SuppressWarnings("unchecked")
    private static List<String> exampleSecretValues() throws IOException {
        List<String> values = new ArrayList<>();
        for (Object document : new Yaml().loadAll(Files.readString(BASE.resolve("secret.example.yaml")))) {
            ((Map<String, Object>) ((Map<String, Object>) document).get("stringData")).values()
                    .forEach(value -> values.add(String.valueOf(value)));
        }
        return values;
    }

    /**
     * The Secret keys the manifests read, by Secret: {@code secretKeyRef}s, the {@code ${VAR}}s (without
     * a default) of the properties, which come from the {@code envFrom} Secret, and the file each
     * {@code secret-file} names in a mounted Secret.
     */
    private static Map<String, Set<String>> secretKeysRead() throws IOException {
        Map<String, Set<String>> read = new TreeMap<>();
        try (Stream<Path> files = Stream.concat(Files.walk(BASE), Files.walk(OVERLAYS))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml"))
                    .filter(f -> !f.getFileName().toString().equals("secret.example.yaml")).toList()) {
                for (Object document : new Yaml().loadAll(Files.readString(file))) {
                    secretReferences(document, "", read);
                }
            }
        }
        var pod = V1Deployment.fromJson(object("deployment.yaml").toString()).getSpec().getTemplate().getSpec();
        List<String> fromEnvironment = pod.getContainers().get(0).getEnvFrom().stream()
                .filter(source -> source.getSecretRef() != null).map(source -> source.getSecretRef().getName()).toList();
        assertThat(fromEnvironment).hasSize(1);
        List<Properties> configurations = new ArrayList<>(List.of(baseProperties()));
        for (Path overlay : overlays()) {
            configurations.add(siteProperties(overlay));
        }
        Pattern variable = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)}");
        for (Properties configuration : configurations) {
            for (String name : configuration.stringPropertyNames()) {
                String value = configuration.getProperty(name);
                Matcher reference = variable.matcher(value);
                while (reference.find()) {
                    read.computeIfAbsent(fromEnvironment.get(0), any -> new TreeSet<>()).add(reference.group(1));
                }
                if (name.endsWith(".secret-file")) {
                    Path secretFile = Path.of(value);
                    String mountName = pod.getContainers().get(0).getVolumeMounts().stream()
                            .filter(mount -> Path.of(mount.getMountPath()).equals(secretFile.getParent()))
                            .findFirst().orElseThrow().getName();
                    String secret = pod.getVolumes().stream().filter(volume -> volume.getName().equals(mountName))
                            .findFirst().orElseThrow().getSecret().getSecretName();
                    read.computeIfAbsent(secret, any -> new TreeSet<>()).add(secretFile.getFileName().toString());
                }
            }
        }
        return read;
    }

    private static void secretReferences(Object node, String key, Map<String, Set<String>> read) {
        if (node instanceof Map<?, ?> map) {
            if (key.equals("secretKeyRef")) {
                read.computeIfAbsent((String) map.get("name"), any -> new TreeSet<>()).add((String) map.get("key"));
            } else if (key.equals("secretRef") || key.equals("secret") && map.containsKey("secretName")) {
                read.computeIfAbsent((String) map.get(key.equals("secret") ? "secretName" : "name"),
                        any -> new TreeSet<>());
            }
            map.forEach((name, value) -> secretReferences(value, String.valueOf(name), read));
        } else if (node instanceof List<?> list) {
            list.forEach(item -> secretReferences(item, key, read));
        }
    }

    /** The README's "Kubernetes" section, to the next heading. */
    private static String readmeSection() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("\n### Kubernetes\n");
        assertThat(start).as("the README's Kubernetes section").isNotNegative();
        Matcher next = Pattern.compile("\n#{2,3} ").matcher(readme);
        return readme.substring(start, next.find(start + 1) ? next.start() : readme.length());
    }

    /** {@code command}, a {@code kubectl create secret}, run as written with {@code --dry-run=client}: the Secret it makes. */
    private static JsonObject dryRun(String command) throws IOException, InterruptedException {
        Process kubectl = new ProcessBuilder("bash", "-c", command + " --dry-run=client -o json").start();
        String output = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String errors = new String(kubectl.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kubectl.waitFor()).as("%s: %s", command, errors).isZero();
        return GSON.fromJson(output, JsonObject.class);
    }

    private static List<JsonObject> manifests() throws IOException {
        Set<Path> overlayResources = new HashSet<>();
        for (Path overlay : overlays()) {
            resources(overlay).forEach(resource -> overlayResources.add(overlay.resolve(resource).normalize()));
        }
        List<JsonObject> objects = new ArrayList<>();
        try (Stream<Path> files = Files.walk(K8S)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml"))
                    .filter(f -> !f.getFileName().toString().equals("kustomization.yaml"))
                    .filter(f -> !f.startsWith(MONITORING))
                    // Overlays also hold patches (partial objects): those are checked as rendered, above.
                    .filter(f -> !f.startsWith(OVERLAYS) || overlayResources.contains(f.normalize()))
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
