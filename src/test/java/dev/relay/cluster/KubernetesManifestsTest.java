package dev.relay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import dev.relay.Services;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Kubernetes manifests agree with each other and with {@code cluster.conf}, as rendered for each
 * overlay: what the pods are labelled, what bootstrap looks for, what the Services, probes and
 * network policy point at, what the configuration listens on, what the ConfigMaps and Secrets hold,
 * what RBAC grants.
 *
 * <p>kubectl is not on this machine, so {@link Kustomize} renders the directories with the subset
 * of kustomize the manifests use (resources, namespace, patches that merge maps, images) and fails
 * on any other kustomization field, so a manifest cannot silently outgrow what is checked here.
 */
class KubernetesManifestsTest {

  private static final Path K8S = Path.of("k8s");
  private static final List<String> OVERLAYS = List.of("example", "external-db", "production");

  /** cluster.conf as a node loads it with -Dconfig.file=cluster.conf (no RELAY_* variables set). */
  private static final Config CLUSTER =
      ConfigFactory.load(ConfigFactory.parseFile(Path.of("cluster.conf").toFile(),
          // Its include "application" is found on the class path, as in the jar.
          ConfigParseOptions.defaults().setClassLoader(KubernetesManifestsTest.class.getClassLoader())));

  // ---------------------------------------------------------------------------------------------
  // The base

  @Test
  void theBaseRendersAsKustomizeWouldFromK8s() {
    List<ObjectNode> base = Kustomize.render(K8S);
    for (String kind : List.of("Namespace", "ServiceAccount", "Role", "RoleBinding", "Deployment", "PodDisruptionBudget", "NetworkPolicy")) {
      assertEquals(1, base.stream().filter(r -> kind.equals(r.path("kind").asText())).count(), "one " + kind + " in the base");
    }
    assertEquals(2, base.stream().filter(r -> "Service".equals(r.path("kind").asText())).count(), "a Service for ingest and one for admin");
    for (ObjectNode resource : base) {
      if (!"Namespace".equals(resource.path("kind").asText())) {
        assertEquals("relay", resource.at("/metadata/namespace").asText(), "namespace of " + id(resource));
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Labels and selectors

  @ParameterizedTest
  @ValueSource(strings = {"example", "external-db", "production"})
  void everySelectorOfRelayMatchesTheRelayPodsAndBootstrapFindsThemAlone(String overlay) {
    List<ObjectNode> resources = overlay(overlay);
    ObjectNode deployment = deployment(resources);
    Map<String, String> podLabels = strings(deployment.at("/spec/template/metadata/labels"));

    assertSelects(deployment.at("/spec/selector/matchLabels"), podLabels, "the Deployment's selector");
    assertEquals(3, deployment.at("/spec/replicas").asInt(), "replicas");
    for (ObjectNode service : ofKind(resources, "Service")) {
      if (service.at("/metadata/name").asText().startsWith("relay-postgres")) {
        continue;
      }
      assertSelects(service.at("/spec/selector"), podLabels, "Service " + id(service));
    }
    assertSelects(one(resources, "PodDisruptionBudget").at("/spec/selector/matchLabels"), podLabels, "the PodDisruptionBudget");
    ObjectNode policy = one(resources, "NetworkPolicy");
    assertSelects(policy.at("/spec/podSelector/matchLabels"), podLabels, "the NetworkPolicy");
    assertSelects(
        deployment.at("/spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/0/podAffinityTerm/labelSelector/matchLabels"),
        podLabels, "the pod anti-affinity");

    // cluster.conf: contact points are the pods matching pod-label-selector with %s = the service name,
    // which the Deployment passes in RELAY_SERVICE_NAME from the pod's own label.
    JsonNode serviceName = env(deployment, "RELAY_SERVICE_NAME");
    String fieldPath = serviceName.at("/valueFrom/fieldRef/fieldPath").asText();
    String label = fieldPath.replaceAll("^metadata\\.labels\\['(.+)']$", "$1");
    assertTrue(podLabels.containsKey(label), "RELAY_SERVICE_NAME comes from a pod label, got " + fieldPath);
    String selector = CLUSTER.getString("pekko.discovery.kubernetes-api.pod-label-selector").replace("%s", podLabels.get(label));
    assertTrue(matchesSelector(selector, podLabels), "bootstrap's selector " + selector + " finds the Relay pods " + podLabels);
    assertEquals("kubernetes-api", CLUSTER.getString("pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method"));

    for (ObjectNode workload : podTemplates(resources)) {
      if (workload != deployment) {
        Map<String, String> labels = strings(workload.at("/spec/template/metadata/labels"));
        assertFalse(matchesSelector(selector, labels),
            id(workload) + " must not be taken for a Relay node by bootstrap (" + selector + "): " + labels);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Ports and probes

  @ParameterizedTest
  @ValueSource(strings = {"example", "external-db", "production"})
  void portsAndProbesAreWhereTheNodeListens(String overlay) {
    List<ObjectNode> resources = overlay(overlay);
    ObjectNode deployment = deployment(resources);
    Map<String, Integer> ports = containerPorts(deployment);

    assertEquals(CLUSTER.getInt("pekko.remote.artery.canonical.port"), ports.get("remoting"), "remoting port, cluster.conf");
    assertEquals(CLUSTER.getInt("pekko.management.http.port"), ports.get("management"), "management port, cluster.conf");
    assertEquals(intEnv(deployment, "RELAY_HTTP_PORT", CLUSTER.getInt("relay.http.port")), ports.get("http"), "HTTP port");
    assertNotNull(ports.get("admin"), "an admin port");
    assertEquals(ports.get("admin"), intEnv(deployment, "RELAY_ADMIN_PORT", -1), "the admin port is RELAY_ADMIN_PORT");
    assertEquals(4, Set.copyOf(ports.values()).size(), "four distinct ports: " + ports);
    // Bootstrap probes its peers' management port, found by this name in the pod listing.
    assertEquals("management", CLUSTER.getString("pekko.management.cluster.bootstrap.contact-point-discovery.port-name"));

    JsonNode container = deployment.at("/spec/template/spec/containers/0");
    assertEquals("/ready", container.at("/readinessProbe/httpGet/path").asText(), "readiness");
    assertEquals("management", container.at("/readinessProbe/httpGet/port").asText(), "readiness port");
    assertEquals("/alive", container.at("/livenessProbe/httpGet/path").asText(), "liveness");
    assertEquals("management", container.at("/livenessProbe/httpGet/port").asText(), "liveness port");
    assertTrue(container.at("/resources/requests/memory").isTextual() && container.at("/resources/limits/memory").isTextual(),
        "memory requested and limited: " + container.path("resources"));
    assertTrue(container.at("/resources/requests/cpu").isTextual(), "CPU requested");

    Map<String, String> targets = new HashMap<>();
    for (ObjectNode service : ofKind(resources, "Service")) {
      if (!service.at("/metadata/name").asText().startsWith("relay-postgres")) {
        service.at("/spec/ports").forEach(p -> targets.put(service.at("/metadata/name").asText(), p.path("targetPort").asText()));
      }
    }
    assertEquals(Map.of("relay", "http", "relay-admin", "admin"), targets, "Services target ingest and admin only");

    ObjectNode policy = one(resources, "NetworkPolicy");
    JsonNode rules = policy.at("/spec/ingress");
    Set<String> open = new HashSet<>();
    Set<String> ownPodsOnly = new HashSet<>();
    Map<String, String> podLabels = strings(deployment.at("/spec/template/metadata/labels"));
    for (JsonNode rule : rules) {
      Set<String> rulePorts = new HashSet<>();
      rule.path("ports").forEach(p -> rulePorts.add(p.path("port").asText()));
      assertTrue(ports.keySet().containsAll(rulePorts), "NetworkPolicy ports " + rulePorts + " are container ports " + ports.keySet());
      if (rule.path("from").isMissingNode()) {
        open.addAll(rulePorts);
      } else {
        for (JsonNode peer : rule.path("from")) {
          assertEquals(Set.of("podSelector"), fieldNames(peer), "peers of " + rulePorts + " are pods only");
          assertSelects(peer.at("/podSelector/matchLabels"), podLabels, "peers of " + rulePorts);
          assertEquals(strings(peer.at("/podSelector/matchLabels")), strings(policy.at("/spec/podSelector/matchLabels")),
              "peers of " + rulePorts + " are Relay's own pods");
        }
        ownPodsOnly.addAll(rulePorts);
      }
    }
    assertEquals(Set.of("http", "admin"), open, "open to all");
    assertEquals(Set.of("remoting", "management"), ownPodsOnly, "from Relay's pods only");
  }

  // ---------------------------------------------------------------------------------------------
  // ConfigMaps and Secrets

  @ParameterizedTest
  @ValueSource(strings = {"example", "external-db", "production"})
  void everyConfigMapAndSecretKeyReferencedExists(String overlay) {
    List<ObjectNode> resources = overlay(overlay);
    Map<String, Set<String>> configMaps = new HashMap<>();
    Map<String, Set<String>> secrets = new HashMap<>();
    for (ObjectNode configMap : ofKind(resources, "ConfigMap")) {
      configMaps.put(configMap.at("/metadata/name").asText(), fieldNames(configMap.path("data")));
    }
    for (ObjectNode secret : ofKind(resources, "Secret")) {
      Set<String> keys = new HashSet<>(fieldNames(secret.path("data")));
      keys.addAll(fieldNames(secret.path("stringData")));
      secrets.put(secret.at("/metadata/name").asText(), keys);
    }
    for (ObjectNode certificate : ofKind(resources, "Certificate")) {
      // cert-manager writes a kubernetes.io/tls Secret with these keys.
      secrets.put(certificate.at("/spec/secretName").asText(), Set.of("tls.key", "tls.crt", "ca.crt"));
    }

    int references = 0;
    for (ObjectNode workload : podTemplates(resources)) {
      JsonNode pod = workload.at("/spec/template/spec");
      for (JsonNode container : pod.path("containers")) {
        for (JsonNode env : container.path("env")) {
          JsonNode configMapRef = env.at("/valueFrom/configMapKeyRef");
          JsonNode secretRef = env.at("/valueFrom/secretKeyRef");
          if (!configMapRef.isMissingNode()) {
            assertKey(configMaps, configMapRef, "ConfigMap", id(workload) + " env " + env.path("name").asText());
            references++;
          }
          if (!secretRef.isMissingNode()) {
            assertKey(secrets, secretRef, "Secret", id(workload) + " env " + env.path("name").asText());
            references++;
          }
        }
        assertTrue(container.path("envFrom").isMissingNode(), "explicit keys only, so they can be checked");
      }
      for (JsonNode volume : pod.path("volumes")) {
        JsonNode secret = volume.path("secret");
        if (!secret.isMissingNode() && !secret.path("optional").asBoolean(false)) {
          assertTrue(secrets.containsKey(secret.path("secretName").asText()), "Secret of volume " + volume);
        }
      }
    }
    assertTrue(references >= 5, "the Deployment reads its database, token and transport settings from the ConfigMap and Secret");
    String token = secretValue(resources, "relay", "admin-token");
    assertTrue(token.length() >= 32, "an admin token of 32 characters or more: " + token);
  }

  // ---------------------------------------------------------------------------------------------
  // RBAC

  @ParameterizedTest
  @ValueSource(strings = {"example", "external-db", "production"})
  void theServiceAccountMayListThePodsOfItsNamespace(String overlay) {
    List<ObjectNode> resources = overlay(overlay);
    ObjectNode deployment = deployment(resources);
    String namespace = deployment.at("/metadata/namespace").asText();
    String account = deployment.at("/spec/template/spec/serviceAccountName").asText();
    assertTrue(ofKind(resources, "ServiceAccount").stream().anyMatch(a -> account.equals(a.at("/metadata/name").asText())),
        "the ServiceAccount " + account + " exists");

    // Kubernetes discovery calls GET /api/v1/namespaces/{namespace}/pods?labelSelector=...: list pods.
    boolean allowed = false;
    for (ObjectNode binding : ofKind(resources, "RoleBinding")) {
      boolean forAccount = false;
      for (JsonNode subject : binding.path("subjects")) {
        forAccount |= "ServiceAccount".equals(subject.path("kind").asText()) && account.equals(subject.path("name").asText())
            && namespace.equals(subject.path("namespace").asText(binding.at("/metadata/namespace").asText()));
      }
      if (!forAccount || !"Role".equals(binding.at("/roleRef/kind").asText())) {
        continue;
      }
      assertEquals(namespace, binding.at("/metadata/namespace").asText(), "the RoleBinding is in the pods' namespace");
      for (ObjectNode role : ofKind(resources, "Role")) {
        if (!role.at("/metadata/name").asText().equals(binding.at("/roleRef/name").asText())) {
          continue;
        }
        assertEquals(namespace, role.at("/metadata/namespace").asText(), "the Role is in the pods' namespace");
        for (JsonNode rule : role.path("rules")) {
          allowed |= texts(rule.path("apiGroups")).contains("") && texts(rule.path("resources")).contains("pods")
              && texts(rule.path("verbs")).containsAll(List.of("get", "list", "watch"));
        }
      }
    }
    assertTrue(allowed, "a Role bound to " + account + " grants get, list and watch on pods in " + namespace);
  }

  // ---------------------------------------------------------------------------------------------
  // Stopping, rolling out, disruptions

  @Test
  void aStoppingPodIsGivenLongerThanCoordinatedShutdownCanTake() {
    ObjectNode deployment = deployment(overlay("example"));
    Config shutdown = CLUSTER.getConfig("pekko.coordinated-shutdown");
    Duration fallback = shutdown.getDuration("default-phase-timeout");
    Duration total = Duration.ZERO;
    for (String phase : shutdown.getConfig("phases").root().keySet()) {
      Config settings = shutdown.getConfig("phases").getConfig("\"" + phase + "\"");
      total = total.plus(settings.hasPath("timeout") ? settings.getDuration("timeout") : fallback);
    }
    long grace = deployment.at("/spec/template/spec/terminationGracePeriodSeconds").asLong();
    assertTrue(grace > total.toSeconds(),
        "terminationGracePeriodSeconds " + grace + " exceeds the sum of coordinated shutdown's phase timeouts, " + total);
    assertTrue(CLUSTER.getDuration("relay.http.drain-timeout").toSeconds() < grace, "the HTTP drain fits too");
  }

  @ParameterizedTest
  @ValueSource(strings = {"example", "external-db", "production"})
  void aRolloutOrDrainNeverTakesTheClusterBelowItsMajority(String overlay) {
    List<ObjectNode> resources = overlay(overlay);
    ObjectNode deployment = deployment(resources);
    assertEquals("0", deployment.at("/spec/strategy/rollingUpdate/maxUnavailable").asText(), "maxUnavailable");
    int replicas = deployment.at("/spec/replicas").asInt();
    ObjectNode budget = one(resources, "PodDisruptionBudget");
    int unavailable = budget.at("/spec/maxUnavailable").asInt(replicas);
    assertTrue(replicas - unavailable > replicas / 2, "a drain keeps a majority of " + replicas + ": " + budget.path("spec"));
    int contactPoints = intEnv(deployment, "RELAY_REQUIRED_CONTACT_POINTS",
        CLUSTER.getInt("pekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr"));
    assertTrue(contactPoints >= 2 && contactPoints <= replicas, "required contact points " + contactPoints + " of " + replicas);
    assertEquals("keep-majority", CLUSTER.getString("pekko.cluster.split-brain-resolver.active-strategy"));
  }

  // ---------------------------------------------------------------------------------------------
  // Remoting TLS

  @Test
  void remotingTlsIsOffInTheExampleAndOnInProductionWithItsSecretMountedWhereClusterConfReadsIt() {
    assertEquals("tcp", configValue(overlay("example"), "relay", "remoting-transport"));
    assertEquals("tcp", configValue(overlay("external-db"), "relay", "remoting-transport"));
    List<ObjectNode> production = overlay("production");
    assertEquals("tls-tcp", configValue(production, "relay", "remoting-transport"));

    ObjectNode deployment = deployment(production);
    assertEquals("relay", env(deployment, "RELAY_REMOTE_TRANSPORT").at("/valueFrom/configMapKeyRef/name").asText());
    assertEquals("remoting-transport", env(deployment, "RELAY_REMOTE_TRANSPORT").at("/valueFrom/configMapKeyRef/key").asText());
    String volume = null;
    for (JsonNode v : deployment.at("/spec/template/spec/volumes")) {
      if (v.at("/secret/secretName").asText().equals("relay-remoting-tls")) {
        volume = v.path("name").asText();
      }
    }
    assertNotNull(volume, "the TLS Secret is a volume");
    String mountPath = null;
    for (JsonNode mount : deployment.at("/spec/template/spec/containers/0/volumeMounts")) {
      if (mount.path("name").asText().equals(volume)) {
        mountPath = mount.path("mountPath").asText();
      }
    }
    String dir = CLUSTER.getString("relay.remote-tls-dir");
    assertEquals(dir, mountPath, "mounted where cluster.conf reads it");
    String prefix = "pekko.remote.artery.ssl.rotating-keys-engine.";
    assertEquals(dir + "/tls.key", CLUSTER.getString(prefix + "key-file"));
    assertEquals(dir + "/tls.crt", CLUSTER.getString(prefix + "cert-file"));
    assertEquals(dir + "/ca.crt", CLUSTER.getString(prefix + "ca-cert-file"));
    assertTrue(ofKind(production, "Certificate").stream().anyMatch(c -> "relay-remoting-tls".equals(c.at("/spec/secretName").asText())),
        "production issues the certificate into relay-remoting-tls");
    assertTrue(CLUSTER.getString("pekko.remote.artery.ssl.ssl-engine-provider").endsWith("RotatingKeysSSLEngineProvider"));
  }

  @Test
  void productionPointsTheImageAtARegistry() {
    ObjectNode deployment = deployment(overlay("production"));
    String image = deployment.at("/spec/template/spec/containers/0/image").asText();
    assertTrue(image.contains("/") && image.contains(":"), "a registry image with a tag: " + image);
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private static List<ObjectNode> overlay(String name) {
    assertTrue(OVERLAYS.contains(name));
    return Kustomize.render(K8S.resolve("overlays").resolve(name));
  }

  private static ObjectNode deployment(List<ObjectNode> resources) {
    return ofKind(resources, "Deployment").stream()
        .filter(d -> "relay".equals(d.at("/metadata/name").asText()))
        .findFirst().orElseThrow(() -> new AssertionError("no Deployment relay"));
  }

  private static ObjectNode one(List<ObjectNode> resources, String kind) {
    List<ObjectNode> found = ofKind(resources, kind);
    assertEquals(1, found.size(), "one " + kind);
    return found.get(0);
  }

  private static List<ObjectNode> ofKind(List<ObjectNode> resources, String kind) {
    return resources.stream().filter(r -> kind.equals(r.path("kind").asText())).toList();
  }

  private static List<ObjectNode> podTemplates(List<ObjectNode> resources) {
    return resources.stream().filter(r -> r.at("/spec/template/spec/containers").isArray()).toList();
  }

  private static Map<String, Integer> containerPorts(ObjectNode deployment) {
    Map<String, Integer> ports = new HashMap<>();
    deployment.at("/spec/template/spec/containers/0/ports").forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
    return ports;
  }

  private static JsonNode env(ObjectNode deployment, String name) {
    for (JsonNode env : deployment.at("/spec/template/spec/containers/0/env")) {
      if (name.equals(env.path("name").asText())) {
        return env;
      }
    }
    throw new AssertionError("no env " + name);
  }

  private static int intEnv(ObjectNode deployment, String name, int otherwise) {
    for (JsonNode env : deployment.at("/spec/template/spec/containers/0/env")) {
      if (name.equals(env.path("name").asText())) {
        return Integer.parseInt(env.path("value").asText());
      }
    }
    return otherwise;
  }

  private static String configValue(List<ObjectNode> resources, String configMap, String key) {
    return ofKind(resources, "ConfigMap").stream().filter(c -> configMap.equals(c.at("/metadata/name").asText()))
        .map(c -> c.at("/data/" + key).asText()).findFirst().orElseThrow();
  }

  private static String secretValue(List<ObjectNode> resources, String secret, String key) {
    return ofKind(resources, "Secret").stream().filter(c -> secret.equals(c.at("/metadata/name").asText()))
        .map(c -> c.at("/stringData/" + key).asText()).findFirst().orElseThrow();
  }

  private static void assertKey(Map<String, Set<String>> sources, JsonNode ref, String kind, String where) {
    String name = ref.path("name").asText();
    String key = ref.path("key").asText();
    assertTrue(sources.containsKey(name), where + ": " + kind + " " + name + " is in the overlay, which has " + sources.keySet());
    assertTrue(sources.get(name).contains(key), where + ": " + kind + " " + name + " has key " + key + ", it has " + sources.get(name));
  }

  private static void assertSelects(JsonNode selector, Map<String, String> labels, String what) {
    Map<String, String> wanted = strings(selector);
    assertFalse(wanted.isEmpty(), what + " has a selector");
    wanted.forEach((k, v) -> assertEquals(v, labels.get(k), what + " selects " + wanted + " of the pods labelled " + labels));
  }

  /** An equality-based label selector, as pekko-discovery-kubernetes-api sends it: {@code a=b,c=d}. */
  private static boolean matchesSelector(String selector, Map<String, String> labels) {
    return Stream.of(selector.split(",")).allMatch(term -> {
      String[] pair = term.split("==?", 2);
      return pair.length == 2 && pair[1].trim().equals(labels.get(pair[0].trim()));
    });
  }

  private static Map<String, String> strings(JsonNode object) {
    Map<String, String> map = new HashMap<>();
    object.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
    return map;
  }

  private static Set<String> fieldNames(JsonNode object) {
    Set<String> names = new HashSet<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(t -> texts.add(t.asText()));
    return texts;
  }

  private static String id(JsonNode resource) {
    return resource.path("kind").asText() + "/" + resource.at("/metadata/name").asText();
  }

  /**
   * The part of kustomize these manifests use, applied as kustomize applies it: {@code resources}
   * (files of one or more documents, or directories with their own kustomization), {@code namespace}
   * (set on every namespaced resource and on the ServiceAccount subjects of RoleBindings),
   * {@code patches} by path (merged into the resource of the same kind and name: maps merged, other
   * values replaced) and {@code images} (newName, newTag). Any other field fails the render.
   */
  static final class Kustomize {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> SUPPORTED = Set.of("apiVersion", "kind", "namespace", "resources", "patches", "images");
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding");

    static List<ObjectNode> render(Path directory) {
      try {
        ObjectNode kustomization = (ObjectNode) YAML.readTree(directory.resolve("kustomization.yaml").toFile());
        Set<String> unsupported = new HashSet<>(fieldNames(kustomization));
        unsupported.removeAll(SUPPORTED);
        if (!unsupported.isEmpty()) {
          fail(directory + "/kustomization.yaml uses " + unsupported + ", which this test does not apply: teach Kustomize");
        }
        List<ObjectNode> resources = new ArrayList<>();
        for (JsonNode entry : kustomization.path("resources")) {
          Path path = directory.resolve(entry.asText()).normalize();
          for (ObjectNode resource : Files.isDirectory(path) ? render(path) : documents(path)) {
            if (resources.stream().anyMatch(r -> id(r).equals(id(resource)))) {
              fail("two resources " + id(resource) + " in " + directory + " (kustomize refuses that)");
            }
            resources.add(resource);
          }
        }
        for (JsonNode patch : kustomization.path("patches")) {
          assertEquals(Set.of("path"), fieldNames(patch), "patches by path only");
          for (ObjectNode document : documents(directory.resolve(patch.path("path").asText()))) {
            ObjectNode target = resources.stream().filter(r -> id(r).equals(id(document))).findFirst()
                .orElseThrow(() -> new AssertionError("patch " + patch + " has no target " + id(document)));
            merge(target, document);
          }
        }
        for (JsonNode image : kustomization.path("images")) {
          for (ObjectNode workload : podTemplates(resources)) {
            for (JsonNode container : workload.at("/spec/template/spec/containers")) {
              String current = container.path("image").asText();
              if (current.split(":")[0].equals(image.path("name").asText())) {
                String name = image.path("newName").asText(current.split(":")[0]);
                String tag = image.has("newTag") ? ":" + image.path("newTag").asText() : "";
                ((ObjectNode) container).put("image", name + tag);
              }
            }
          }
        }
        if (kustomization.has("namespace")) {
          String namespace = kustomization.path("namespace").asText();
          for (ObjectNode resource : resources) {
            if (!CLUSTER_SCOPED.contains(resource.path("kind").asText())) {
              ((ObjectNode) resource.path("metadata")).put("namespace", namespace);
            }
            if ("RoleBinding".equals(resource.path("kind").asText())) {
              resource.path("subjects").forEach(s -> {
                if ("ServiceAccount".equals(s.path("kind").asText())) {
                  ((ObjectNode) s).put("namespace", namespace);
                }
              });
            }
          }
        }
        return resources;
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    private static List<ObjectNode> documents(Path file) throws IOException {
      List<ObjectNode> documents = new ArrayList<>();
      try (var parser = YAML.getFactory().createParser(file.toFile())) {
        Iterator<JsonNode> values = YAML.readValues(parser, JsonNode.class);
        while (values.hasNext()) {
          JsonNode document = values.next();
          if (document != null && !document.isNull() && !document.isMissingNode()) {
            assertTrue(document.has("kind") && document.at("/metadata/name").isTextual(), file + ": a resource with kind and name");
            documents.add((ObjectNode) document);
          }
        }
      }
      return documents;
    }

    private static void merge(ObjectNode target, JsonNode patch) {
      patch.fields().forEachRemaining(e -> {
        JsonNode existing = target.get(e.getKey());
        if (existing instanceof ObjectNode object && e.getValue().isObject()) {
          merge(object, e.getValue());
        } else {
          target.set(e.getKey(), e.getValue());
        }
      });
    }
  }
}
