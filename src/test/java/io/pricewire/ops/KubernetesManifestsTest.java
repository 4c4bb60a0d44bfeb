package io.pricewire.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.pricewire.config.Settings;
import io.pricewire.config.SettingsException;
import io.pricewire.config.SettingsLoader;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The manifests of {@code deploy/kubernetes}, checked against what the gateway reads and serves:
 * every setting they give is one the gateway knows and accepts ({@link SettingsLoader#map}),
 * secrets come from a Secret, probes ask for paths the ops port serves on a port the container
 * declares, selectors find the pods, discovery lists pods before they are ready, and a stopping
 * node has the time its shutdown takes.
 *
 * <p>Each rule returns the problems it finds, so a broken manifest is reported whole. The last
 * test breaks the manifests one way at a time and expects a rule to say so: none of them passes
 * whatever the files hold.
 */
@DisplayName("Kubernetes manifests")
class KubernetesManifestsTest {

  static final Path DIR = Path.of("deploy/kubernetes");
  static final String KUSTOMIZE = "kustomize.config.k8s.io/v1beta1";
  /** The kinds these manifests may hold, each with its API version. */
  static final Map<String, String> KINDS = Map.of(
      "StatefulSet", "apps/v1",
      "Deployment", "apps/v1",
      "Service", "v1",
      "ConfigMap", "v1",
      "Secret", "v1",
      "PodDisruptionBudget", "policy/v1",
      "Kustomization", KUSTOMIZE);
  /** Settings that are credentials: never in a ConfigMap, never inline. */
  static final Set<String> SECRET_SETTINGS = Set.of("PRICEWIRE_PG_URI", "PRICEWIRE_JWT_SECRET",
      "PRICEWIRE_JWT_PUBLIC_KEY", "PRICEWIRE_ADMIN_TOKEN", "PRICEWIRE_SUPPLIER_KEYS");
  /** What the downward API gives a pod, as sample values for the gateway's own validation. */
  static final Map<String, String> FIELD_SAMPLES = Map.of(
      "status.podIP", "10.244.1.17",
      "metadata.name", "pricewire-0",
      "metadata.namespace", "shop",
      "spec.nodeName", "node-1",
      "status.hostIP", "10.0.0.4");
  /** The paths {@link OpsVerticle} serves for probes. */
  static final Set<String> HEALTH_PATHS = Set.of("/health/live", "/health/ready");
  /**
   * Beyond PRICEWIRE_SHUTDOWN_TIMEOUT_MS, the shutdown hook in Main gives the gateway 1 s more to
   * stop and Vert.x 5 s to close.
   */
  static final long SHUTDOWN_EXTRA_MS = 6_000;

  static Manifests manifests;

  @BeforeAll
  static void load() {
    manifests = Manifests.load(DIR);
  }

  @Test
  @DisplayName("every document is a known kind with its API version and a name")
  void kinds() {
    assertNone("documents", Rules.kinds(manifests));
  }

  @Test
  @DisplayName("the kustomization lists every manifest but the example Secret, and only files that exist")
  void kustomization() {
    assertNone("kustomization", Rules.kustomization(manifests));
  }

  @Test
  @DisplayName("every PRICEWIRE_* name in the environment and the ConfigMaps is a setting the gateway reads")
  void settingNames() {
    assertNone("setting names", Rules.settingNames(manifests));
  }

  @Test
  @DisplayName("every ConfigMap value is a string (an unquoted on or 8080 is not)")
  void configMapStrings() {
    assertNone("ConfigMap values", Rules.configMapStrings(manifests));
  }

  @Test
  @DisplayName("the settings a pod gets pass the gateway's own validation, in clustered PostgreSQL mode")
  void settingsValid() {
    assertNone("settings", Rules.settingsValid(manifests));
  }

  @Test
  @DisplayName("credentials come from a Secret by secretKeyRef, and the example Secret holds placeholders only")
  void secrets() {
    assertNone("secrets", Rules.secrets(manifests));
  }

  @Test
  @DisplayName("the container declares the public, ops and Hazelcast ports the settings give")
  void ports() {
    assertNone("ports", Rules.ports(manifests));
  }

  @Test
  @DisplayName("probes ask for /health/live and /health/ready on the ops port, and wait long enough")
  void probes() {
    assertNone("probes", Rules.probes(manifests));
  }

  @Test
  @DisplayName("the selectors of the workload, the Services, the PDB and the anti-affinity match the pod labels")
  void selectors() {
    assertNone("selectors", Rules.selectors(manifests));
  }

  @Test
  @DisplayName("discovery: PRICEWIRE_CLUSTER_KUBERNETES_SERVICE names a headless Service that lists pods before "
      + "they are ready, on the Hazelcast port")
  void discovery() {
    assertNone("discovery", Rules.discovery(manifests));
  }

  @Test
  @DisplayName("the public Service exposes the public port without session affinity, and no Service the ops port")
  void publicService() {
    assertNone("public Service", Rules.publicService(manifests));
  }

  @Test
  @DisplayName("a stopping pod has longer than the gateway's shutdown takes")
  void shutdown() {
    assertNone("shutdown", Rules.shutdown(manifests));
  }

  @Test
  @DisplayName("every container has CPU and memory requests and limits, and the heap follows the memory limit")
  void resources() {
    assertNone("resources", Rules.resources(manifests));
  }

  @Test
  @DisplayName("three replicas start in parallel, spread over machines, non-root on a read-only file system, "
      + "one down at a time")
  void shape() {
    assertNone("shape", Rules.shape(manifests));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("breakages")
  @DisplayName("each way of breaking the manifests is reported")
  void breakagesAreReported(Consumer<Manifests> breakage, String expected) {
    Manifests broken = Manifests.load(DIR);
    breakage.accept(broken);
    List<String> problems = new ArrayList<>(Rules.all(broken));
    problems.removeAll(Rules.all(manifests));
    assertThat(problems).as("problems the broken manifests have and the intact ones do not").anySatisfy(
        p -> assertThat(p).containsIgnoringCase(expected));
  }

  static Stream<Arguments> breakages() {
    return Stream.of(
        broken("the StatefulSet on an old API version", m -> m.workload().put("apiVersion", "apps/v1beta2"),
            "apiVersion"),
        broken("a kind the rules do not know", m -> m.doc("Service", "pricewire").put("kind", "Ingress"),
            "kind"),
        broken("a document without a name", m -> map(m.doc("PodDisruptionBudget", null).get("metadata"))
            .remove("name"), "metadata.name"),
        broken("a manifest left out of the kustomization",
            m -> list(m.kustomization().get("resources")).remove("pdb.yaml"), "pdb.yaml"),
        broken("the kustomization names a missing file",
            m -> list(m.kustomization().get("resources")).add("ingress.yaml"), "ingress.yaml"),
        broken("the example Secret in the kustomization",
            m -> list(m.kustomization().get("resources")).add("secret.example.yaml"), "example Secret"),
        broken("a misspelt key in the ConfigMap", m -> m.configData().put("PRICEWIRE_CLUSTER_NAMES", "x"),
            "PRICEWIRE_CLUSTER_NAMES"),
        broken("a misspelt name in the container's env", m -> m.env().add(envValue("PRICEWIRE_NODENAME", "x")),
            "PRICEWIRE_NODENAME"),
        broken("a setting both in the ConfigMap and in env", m -> m.env().add(envValue("PRICEWIRE_STORE",
            "postgres")), "both"),
        broken("an unquoted on in the ConfigMap", m -> m.configData().put("PRICEWIRE_AUTH", Boolean.TRUE),
            "not a string"),
        broken("a Hazelcast port out of range", m -> m.configData().put("PRICEWIRE_CLUSTER_PORT", "70000"),
            "PRICEWIRE_CLUSTER_PORT=70000"),
        broken("clustering on the memory store", m -> m.configData().put("PRICEWIRE_STORE", "memory"),
            "needs PRICEWIRE_STORE=postgres"),
        broken("clustering off", m -> m.configData().put("PRICEWIRE_CLUSTER", "off"), "clustered mode"),
        broken("members listed as well as the service", m -> m.configData().put("PRICEWIRE_CLUSTER_MEMBERS",
            "10.0.0.5:5701"), "both set"),
        broken("the PostgreSQL URI inline in the ConfigMap", m -> {
          m.env().removeIf(e -> "PRICEWIRE_PG_URI".equals(map(e).get("name")));
          m.configData().put("PRICEWIRE_PG_URI", "postgresql://pricewire:secret@postgres:5432/pricewire");
        }, "PRICEWIRE_PG_URI"),
        broken("the admin token inline in env", m -> {
          m.env().removeIf(e -> "PRICEWIRE_ADMIN_TOKEN".equals(map(e).get("name")));
          m.env().add(envValue("PRICEWIRE_ADMIN_TOKEN", "0123456789abcdef0123"));
        }, "PRICEWIRE_ADMIN_TOKEN"),
        broken("no JWT secret with authentication on",
            m -> m.env().removeIf(e -> "PRICEWIRE_JWT_SECRET".equals(map(e).get("name"))), "JWT"),
        broken("a secretKeyRef to a key the Secret does not hold", m -> m.env().stream().map(e -> map(e))
            .filter(e -> "PRICEWIRE_PG_URI".equals(e.get("name")))
            .forEach(e -> map(at(e, "valueFrom", "secretKeyRef")).put("key", "postgres-uri")), "postgres-uri"),
        broken("a real-looking value in the example Secret", m -> map(m.doc("Secret", null).get("stringData"))
            .put("admin-token", "s3cr3t-s3cr3t-s3cr3t"), "change-me"),
        broken("envFrom naming a missing ConfigMap", m -> map(at(m.container(), "envFrom", 0, "configMapRef"))
            .put("name", "pricewire-settings"), "pricewire-settings"),
        broken("the ops port renumbered in the container only", m -> map(m.port("ops")).put("containerPort", 9091),
            "PRICEWIRE_OPS_PORT"),
        broken("the Hazelcast port left undeclared",
            m -> list(m.container().get("ports")).removeIf(p -> "hazelcast".equals(map(p).get("name"))), "hazelcast"),
        broken("liveness asking for /healthz", m -> map(at(m.container(), "livenessProbe", "httpGet"))
            .put("path", "/healthz"), "/health/live"),
        broken("readiness asking for the liveness path", m -> map(at(m.container(), "readinessProbe", "httpGet"))
            .put("path", "/health/live"), "/health/ready"),
        broken("readiness on the public port", m -> map(at(m.container(), "readinessProbe", "httpGet"))
            .put("port", "http"), "ops port"),
        broken("a probe on a port the container does not declare", m -> map(at(m.container(), "livenessProbe",
            "httpGet")).put("port", "admin"), "declares no port"),
        broken("no startup probe", m -> m.container().remove("startupProbe"), "startupProbe"),
        broken("a startup probe that gives up after 15 s", m -> map(m.container().get("startupProbe"))
            .put("failureThreshold", 3), "startupProbe"),
        broken("readiness giving up before the store check answers",
            m -> map(m.container().get("readinessProbe")).put("timeoutSeconds", 1), "PRICEWIRE_STORE_TIMEOUT_MS"),
        broken("a Service selecting another label", m -> map(at(m.doc("Service", "pricewire"), "spec", "selector"))
            .put("app.kubernetes.io/component", "api"), "Service pricewire"),
        broken("the PDB selecting another app", m -> map(at(m.doc("PodDisruptionBudget", null), "spec", "selector",
            "matchLabels")).put("app.kubernetes.io/name", "pricewire-gateway"), "PodDisruptionBudget"),
        broken("the workload selecting what its template does not carry", m -> map(at(m.workload(), "spec",
            "selector", "matchLabels")).put("tier", "feed"), "selector"),
        broken("anti-affinity on another label", m -> map(at(m.podSpec(), "affinity", "podAntiAffinity",
            "preferredDuringSchedulingIgnoredDuringExecution", 0, "podAffinityTerm", "labelSelector",
            "matchLabels")).put("app.kubernetes.io/name", "other"), "anti-affinity"),
        broken("discovery that hides pods until ready", m -> map(m.doc("Service", "pricewire-cluster")
            .get("spec")).put("publishNotReadyAddresses", false), "publishNotReadyAddresses"),
        broken("a discovery Service with a virtual IP", m -> map(m.doc("Service", "pricewire-cluster")
            .get("spec")).remove("clusterIP"), "clusterIP"),
        broken("a discovery Service on another port", m -> map(at(m.doc("Service", "pricewire-cluster"), "spec",
            "ports", 0)).put("port", 5702), "Hazelcast port"),
        broken("PRICEWIRE_CLUSTER_KUBERNETES_SERVICE naming no Service",
            m -> m.configData().put("PRICEWIRE_CLUSTER_KUBERNETES_SERVICE", "pricewire-peers.shop.svc.cluster.local"),
            "names no Service"),
        broken("the StatefulSet governed by the public Service", m -> map(m.workload().get("spec"))
            .put("serviceName", "pricewire"), "serviceName"),
        broken("the public Service exposing the ops port", m -> list(at(m.doc("Service", "pricewire"), "spec",
            "ports")).add(new LinkedHashMap<>(Map.of("name", "ops", "port", 8081, "targetPort", "ops"))), "ops port"),
        broken("client IP session affinity", m -> map(m.doc("Service", "pricewire").get("spec"))
            .put("sessionAffinity", "ClientIP"), "sessionAffinity"),
        broken("a grace period shorter than the shutdown", m -> m.podSpec().put("terminationGracePeriodSeconds", 10),
            "terminationGracePeriodSeconds"),
        broken("a longer shutdown timeout than the grace period",
            m -> m.configData().put("PRICEWIRE_SHUTDOWN_TIMEOUT_MS", "60000"), "terminationGracePeriodSeconds"),
        broken("no resource limits", m -> map(m.container().get("resources")).remove("limits"), "limits"),
        broken("no CPU request", m -> map(at(m.container(), "resources", "requests")).remove("cpu"), "requests.cpu"),
        broken("a memory request above the limit", m -> map(at(m.container(), "resources", "requests"))
            .put("memory", "3Gi"), "above"),
        broken("a fixed heap instead of one from the limit", m -> m.env().stream().map(e -> map(e))
            .filter(e -> "JAVA_TOOL_OPTIONS".equals(e.get("name"))).forEach(e -> e.put("value", "-Xmx1g")),
            "MaxRAMPercentage"),
        broken("one replica", m -> map(m.workload().get("spec")).put("replicas", 1), "replicas"),
        broken("pods started one by one", m -> map(m.workload().get("spec")).remove("podManagementPolicy"),
            "Parallel"),
        broken("a PDB that allows two down", m -> map(m.doc("PodDisruptionBudget", null).get("spec"))
            .put("maxUnavailable", 2), "maxUnavailable"),
        broken("service links left on", m -> m.podSpec().remove("enableServiceLinks"), "enableServiceLinks"),
        broken("a writable root file system", m -> map(m.container().get("securityContext"))
            .put("readOnlyRootFilesystem", false), "readOnlyRootFilesystem"),
        broken("root allowed", m -> map(m.podSpec().get("securityContext")).remove("runAsNonRoot"), "runAsNonRoot"),
        broken("no /tmp", m -> list(m.container().get("volumeMounts")).clear(), "/tmp"));
  }

  static Arguments broken(String what, Consumer<Manifests> breakage, String expected) {
    return Arguments.of(Named.of(what, breakage), expected);
  }

  static Map<String, Object> envValue(String name, String value) {
    return new LinkedHashMap<>(Map.of("name", name, "value", value));
  }

  static void assertNone(String what, List<String> problems) {
    assertThat(problems).withFailMessage("%s in %s:%n  %s", what, DIR, String.join("\n  ", problems)).isEmpty();
  }

  /** One YAML document and where it came from. */
  record Doc(String file, int index, Map<String, Object> body) {
    String kind() {
      return str(body.get("kind"));
    }

    String name() {
      return str(at(body, "metadata", "name"));
    }

    String where() {
      return file + (index > 0 ? " (document " + (index + 1) + ")" : "") + ": " + kind() + " " + name();
    }
  }

  /** Every YAML document of the directory, as plain maps and lists that a breakage may edit. */
  static final class Manifests {
    final List<String> files;
    final List<Doc> docs;
    final List<String> unreadable;

    private Manifests(List<String> files, List<Doc> docs, List<String> unreadable) {
      this.files = files;
      this.docs = docs;
      this.unreadable = unreadable;
    }

    static Manifests load(Path dir) {
      List<String> files = new ArrayList<>();
      List<Doc> docs = new ArrayList<>();
      List<String> unreadable = new ArrayList<>();
      try (Stream<Path> paths = Files.list(dir)) {
        paths.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".yaml") || f.endsWith(".yml")).sorted()
            .forEach(files::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      for (String file : files) {
        try (Reader in = Files.newBufferedReader(dir.resolve(file), StandardCharsets.UTF_8)) {
          int index = 0;
          for (Object o : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(in)) {
            if (o instanceof Map<?, ?> body) {
              docs.add(new Doc(file, index, cast(body)));
            } else if (o != null) {
              unreadable.add(file + " (document " + (index + 1) + ") is not a mapping");
            }
            index++;
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
          unreadable.add(file + " is not valid YAML: " + e.getMessage());
        }
      }
      return new Manifests(files, docs, unreadable);
    }

    List<Doc> ofKind(String kind) {
      return docs.stream().filter(d -> kind.equals(d.kind())).toList();
    }

    /** The document of this kind and name (any name when null); an empty map if there is none. */
    Map<String, Object> doc(String kind, String name) {
      return ofKind(kind).stream().filter(d -> name == null || name.equals(d.name())).map(Doc::body).findFirst()
          .orElseGet(LinkedHashMap::new);
    }

    Doc workloadDoc() {
      return docs.stream().filter(d -> "StatefulSet".equals(d.kind()) || "Deployment".equals(d.kind())).findFirst()
          .orElse(null);
    }

    Map<String, Object> workload() {
      Doc d = workloadDoc();
      return d == null ? new LinkedHashMap<>() : d.body();
    }

    Map<String, Object> podSpec() {
      return map(at(workload(), "spec", "template", "spec"));
    }

    Map<String, String> podLabels() {
      return strings(map(at(workload(), "spec", "template", "metadata", "labels")));
    }

    /** Every container of the pod, init containers too. */
    List<Map<String, Object>> containers() {
      List<Map<String, Object>> all = new ArrayList<>();
      list(podSpec().get("initContainers")).forEach(c -> all.add(map(c)));
      list(podSpec().get("containers")).forEach(c -> all.add(map(c)));
      return all;
    }

    /** The gateway's container: the first one. */
    Map<String, Object> container() {
      return map(at(podSpec(), "containers", 0));
    }

    List<Object> env() {
      Map<String, Object> c = container();
      if (!(c.get("env") instanceof List)) {
        c.put("env", new ArrayList<>());
      }
      return list(c.get("env"));
    }

    Map<String, Object> port(String name) {
      return list(container().get("ports")).stream().map(p -> map(p)).filter(p -> name.equals(p.get("name")))
          .findFirst().orElseGet(LinkedHashMap::new);
    }

    Map<String, Object> kustomization() {
      return doc("Kustomization", null);
    }

    /** The data of the ConfigMap the gateway's container reads with envFrom. */
    Map<String, Object> configData() {
      String name = str(at(container(), "envFrom", 0, "configMapRef", "name"));
      return map(at(doc("ConfigMap", name), "data"));
    }

    /** A Secret's values by key, from stringData or decoded from data; null for no such Secret. */
    Map<String, String> secret(String name) {
      Map<String, Object> s = doc("Secret", name);
      if (s.isEmpty()) {
        return null;
      }
      Map<String, String> values = new TreeMap<>();
      map(s.get("data")).forEach((k, v) -> values.put(k, new String(Base64.getDecoder().decode(str(v)),
          StandardCharsets.UTF_8)));
      map(s.get("stringData")).forEach((k, v) -> values.put(k, str(v)));
      return values;
    }
  }

  /** Each rule returns what it finds wrong, one sentence a problem. */
  static final class Rules {

    private Rules() {
    }

    static List<String> all(Manifests m) {
      List<String> all = new ArrayList<>();
      for (Function<Manifests, List<String>> rule : List.<Function<Manifests, List<String>>>of(Rules::kinds,
          Rules::kustomization, Rules::settingNames, Rules::configMapStrings, Rules::settingsValid, Rules::secrets,
          Rules::ports, Rules::probes, Rules::selectors, Rules::discovery, Rules::publicService, Rules::shutdown,
          Rules::resources, Rules::shape)) {
        all.addAll(rule.apply(m));
      }
      return all;
    }

    static List<String> kinds(Manifests m) {
      List<String> problems = new ArrayList<>(m.unreadable);
      if (m.docs.isEmpty()) {
        problems.add("no manifests found");
      }
      Set<String> seen = new LinkedHashSet<>();
      for (Doc d : m.docs) {
        String kind = d.kind();
        String expected = kind == null ? null : KINDS.get(kind);
        if (expected == null) {
          problems.add(d.file + ": kind " + kind + " is not one of " + new TreeMap<>(KINDS).keySet());
          continue;
        }
        if (!expected.equals(str(d.body.get("apiVersion")))) {
          problems.add(d.where() + " has apiVersion " + d.body.get("apiVersion") + ", expected " + expected);
        }
        if (kind.equals("Kustomization")) {
          if (!d.file.equals("kustomization.yaml")) {
            problems.add(d.file + " holds a Kustomization: kubectl reads it only from kustomization.yaml");
          }
          continue;
        }
        if (d.name() == null || d.name().isBlank()) {
          problems.add(d.file + ": a " + kind + " without metadata.name");
        } else if (!seen.add(kind + "/" + d.name())) {
          problems.add(d.where() + " is defined twice");
        }
      }
      long workloads = m.docs.stream().filter(d -> "StatefulSet".equals(d.kind()) || "Deployment".equals(d.kind()))
          .count();
      if (workloads != 1) {
        problems.add("expected one StatefulSet or Deployment, found " + workloads);
      }
      return problems;
    }

    static List<String> kustomization(Manifests m) {
      List<String> problems = new ArrayList<>();
      List<Doc> k = m.ofKind("Kustomization");
      if (k.isEmpty()) {
        return problems;
      }
      Set<String> listed = new LinkedHashSet<>();
      list(k.get(0).body.get("resources")).forEach(r -> listed.add(str(r)));
      for (String r : listed) {
        if (!m.files.contains(r)) {
          problems.add("kustomization.yaml lists " + r + ", which is not a file of " + DIR);
        }
      }
      for (String file : m.files) {
        List<Doc> inFile = m.docs.stream().filter(d -> d.file.equals(file)).toList();
        boolean kustomization = inFile.stream().anyMatch(d -> "Kustomization".equals(d.kind()));
        boolean example = !inFile.isEmpty() && inFile.stream().allMatch(d -> "Secret".equals(d.kind()));
        if (example && listed.contains(file)) {
          problems.add("kustomization.yaml lists " + file + ": the example Secret's placeholders would be applied");
        } else if (!example && !kustomization && !listed.contains(file)) {
          problems.add("kustomization.yaml does not list " + file + ", so `kubectl apply -k` leaves it out");
        }
      }
      return problems;
    }

    static List<String> settingNames(Manifests m) {
      List<String> problems = new ArrayList<>();
      Set<String> known = SettingsLoader.knownKeys();
      for (Doc d : m.ofKind("ConfigMap")) {
        for (String key : map(d.body.get("data")).keySet()) {
          if (!known.contains(key)) {
            problems.add(d.where() + ": " + key + " is not a setting of the gateway (SettingsLoader.knownKeys)");
          }
        }
      }
      for (Map<String, Object> c : m.containers()) {
        Set<String> names = new LinkedHashSet<>();
        Set<String> fromConfigMaps = new LinkedHashSet<>();
        list(c.get("envFrom")).forEach(f -> fromConfigMaps.addAll(
            map(at(m.doc("ConfigMap", str(at(f, "configMapRef", "name"))), "data")).keySet()));
        for (Object e : list(c.get("env"))) {
          String name = str(map(e).get("name"));
          if (name == null) {
            problems.add("container " + c.get("name") + " has an env entry without a name");
            continue;
          }
          if (!names.add(name)) {
            problems.add("container " + c.get("name") + " sets " + name + " twice in env");
          }
          if (name.startsWith("PRICEWIRE_") && !known.contains(name)) {
            problems.add("container " + c.get("name") + ": env " + name + " is not a setting of the gateway "
                + "(SettingsLoader.knownKeys)");
          }
          if (fromConfigMaps.contains(name)) {
            problems.add("container " + c.get("name") + ": " + name + " is set both in env and in the ConfigMap "
                + "it reads with envFrom (env silently wins): set it in one place");
          }
        }
      }
      return problems;
    }

    static List<String> configMapStrings(Manifests m) {
      List<String> problems = new ArrayList<>();
      for (Doc d : m.ofKind("ConfigMap")) {
        map(d.body.get("data")).forEach((k, v) -> {
          if (!(v instanceof String)) {
            problems.add(d.where() + ": " + k + " is not a string (" + v + " reads as " + typeOf(v)
                + "): quote it, a ConfigMap holds strings only");
          }
        });
      }
      for (Map<String, Object> c : m.containers()) {
        for (Object e : list(c.get("env"))) {
          Object v = map(e).get("value");
          if (v != null && !(v instanceof String)) {
            problems.add("container " + c.get("name") + ": env " + map(e).get("name") + " is not a string (" + v
                + " reads as " + typeOf(v) + "): quote it");
          }
        }
      }
      return problems;
    }

    static List<String> settingsValid(Manifests m) {
      List<String> problems = new ArrayList<>();
      Map<String, String> raw = new TreeMap<>(SettingsLoader.defaults());
      raw.putAll(environment(m, problems));
      Settings s;
      try {
        s = SettingsLoader.map(new JsonObject(new LinkedHashMap<>(raw)));
      } catch (SettingsException e) {
        e.problems().forEach(p -> problems.add("the gateway refuses its settings: " + p));
        return problems;
      }
      if (!s.cluster().enabled()) {
        problems.add("the pods would not run in clustered mode: PRICEWIRE_CLUSTER is " + raw.get("PRICEWIRE_CLUSTER"));
      }
      if (s.cluster().kubernetesService() == null) {
        problems.add("PRICEWIRE_CLUSTER_KUBERNETES_SERVICE is empty: nodes would not find each other through "
            + "the headless Service");
      }
      if (s.auth().enabled() && s.auth().jwtSecret() == null && s.auth().jwtPublicKey() == null) {
        problems.add("no PRICEWIRE_JWT_SECRET or PRICEWIRE_JWT_PUBLIC_KEY: with PRICEWIRE_STORE=postgres and "
            + "authentication on the gateway does not start");
      }
      if (s.auth().enabled() && s.auth().adminToken() == null) {
        problems.add("no PRICEWIRE_ADMIN_TOKEN: the admin API (supplier keys, rates) would refuse every call");
      }
      return problems;
    }

    static List<String> secrets(Manifests m) {
      List<String> problems = new ArrayList<>();
      for (Doc d : m.ofKind("ConfigMap")) {
        for (String key : map(d.body.get("data")).keySet()) {
          if (SECRET_SETTINGS.contains(key)) {
            problems.add(d.where() + " holds " + key + ": a credential belongs in a Secret, read with secretKeyRef");
          }
        }
      }
      Set<String> given = new LinkedHashSet<>();
      for (Map<String, Object> c : m.containers()) {
        for (Object o : list(c.get("env"))) {
          Map<String, Object> e = map(o);
          String name = str(e.get("name"));
          Map<String, Object> ref = map(at(e, "valueFrom", "secretKeyRef"));
          if (!ref.isEmpty()) {
            Map<String, String> secret = m.secret(str(ref.get("name")));
            if (secret == null) {
              problems.add("env " + name + " reads Secret " + ref.get("name") + ", which no manifest here defines "
                  + "(not even as an example)");
            } else if (!secret.containsKey(str(ref.get("key")))) {
              problems.add("env " + name + " reads key " + ref.get("key") + " of Secret " + ref.get("name")
                  + ", which has no key " + ref.get("key") + " (it has " + secret.keySet() + ")");
            }
          }
          if (name != null && SECRET_SETTINGS.contains(name)) {
            if (ref.isEmpty()) {
              problems.add("env " + name + " is a credential given inline or from a ConfigMap: read it from a Secret "
                  + "with secretKeyRef");
            } else {
              given.add(name);
            }
          }
        }
      }
      for (String required : List.of("PRICEWIRE_PG_URI", "PRICEWIRE_ADMIN_TOKEN")) {
        if (!given.contains(required)) {
          problems.add(required + " is not read from a Secret");
        }
      }
      if (!given.contains("PRICEWIRE_JWT_SECRET") && !given.contains("PRICEWIRE_JWT_PUBLIC_KEY")) {
        problems.add("neither PRICEWIRE_JWT_SECRET nor PRICEWIRE_JWT_PUBLIC_KEY is read from a Secret");
      }
      for (Doc d : m.ofKind("Secret")) {
        m.secret(d.name()).forEach((k, v) -> {
          if (!v.contains("change-me")) {
            problems.add(d.where() + ": " + k + " is not marked as a placeholder (change-me): real credentials do "
                + "not belong in the repository");
          }
        });
      }
      for (Map<String, Object> c : m.containers()) {
        for (Object f : list(c.get("envFrom"))) {
          String configMap = str(at(f, "configMapRef", "name"));
          if (configMap != null && m.doc("ConfigMap", configMap).isEmpty()) {
            problems.add("container " + c.get("name") + " reads ConfigMap " + configMap + " with envFrom, which no "
                + "manifest defines");
          }
          if (!map(map(f).get("secretRef")).isEmpty()) {
            problems.add("container " + c.get("name") + " reads a whole Secret with envFrom: name each credential "
                + "with secretKeyRef");
          }
        }
      }
      return problems;
    }

    static List<String> ports(Manifests m) {
      List<String> problems = new ArrayList<>();
      Map<String, String> settings = effective(m);
      Map<String, String> expected = Map.of("http", "PRICEWIRE_HTTP_PORT", "ops", "PRICEWIRE_OPS_PORT",
          "hazelcast", "PRICEWIRE_CLUSTER_PORT", "cluster-bus", "PRICEWIRE_CLUSTER_BUS_PORT");
      new TreeMap<>(expected).forEach((name, key) -> {
        Object declared = m.port(name).get("containerPort");
        if (declared == null) {
          problems.add("the gateway's container declares no port named " + name + " (" + key + "="
              + settings.get(key) + ")");
        } else if (!String.valueOf(declared).equals(settings.get(key))) {
          problems.add("container port " + name + " is " + declared + " but the gateway listens on " + key + "="
              + settings.get(key));
        }
      });
      return problems;
    }

    static List<String> probes(Manifests m) {
      List<String> problems = new ArrayList<>();
      Map<String, String> settings = effective(m);
      Map<String, Object> c = m.container();
      Map<String, String> paths = Map.of("livenessProbe", "/health/live", "readinessProbe", "/health/ready");
      for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
        Map<String, Object> p = map(c.get(probe));
        if (p.isEmpty()) {
          problems.add("the gateway's container has no " + probe);
          continue;
        }
        Map<String, Object> get = map(p.get("httpGet"));
        String path = str(get.get("path"));
        String wanted = paths.get(probe);
        if (wanted != null && !wanted.equals(path)) {
          problems.add(probe + " asks for " + path + ", expected " + wanted);
        } else if (path == null || !HEALTH_PATHS.contains(path)) {
          problems.add(probe + " asks for " + path + ", which the ops port does not serve (it serves "
              + new java.util.TreeSet<>(HEALTH_PATHS) + ")");
        }
        Integer port = containerPort(c, get.get("port"));
        if (port == null) {
          problems.add(probe + " asks port " + get.get("port") + ", but the container declares no port by that "
              + "name or number");
        } else if (!String.valueOf(port).equals(settings.get("PRICEWIRE_OPS_PORT"))) {
          problems.add(probe + " asks port " + get.get("port") + " (" + port + "), not the ops port "
              + "PRICEWIRE_OPS_PORT=" + settings.get("PRICEWIRE_OPS_PORT") + " where /health/* is served");
        }
      }
      Map<String, Object> startup = map(c.get("startupProbe"));
      if (!startup.isEmpty()) {
        long seconds = (long) number(startup.get("periodSeconds"), 10) * number(startup.get("failureThreshold"), 3);
        if (seconds < 120) {
          problems.add("the startupProbe gives a node " + seconds + " s to open its store (migrations, perhaps "
              + "behind another node's lock) and join the cluster: give it at least 120 s");
        }
      }
      Map<String, Object> ready = map(c.get("readinessProbe"));
      if (!ready.isEmpty()) {
        long timeoutMs = number(ready.get("timeoutSeconds"), 1) * 1000L;
        long storeMs = Long.parseLong(settings.getOrDefault("PRICEWIRE_STORE_TIMEOUT_MS", "0"));
        if (timeoutMs <= storeMs) {
          problems.add("readinessProbe.timeoutSeconds (" + timeoutMs / 1000 + " s) is not above "
              + "PRICEWIRE_STORE_TIMEOUT_MS=" + storeMs + ", which the readiness check may wait for PostgreSQL");
        }
      }
      return problems;
    }

    static List<String> selectors(Manifests m) {
      List<String> problems = new ArrayList<>();
      Map<String, String> labels = m.podLabels();
      Doc w = m.workloadDoc();
      if (w == null) {
        return problems;
      }
      if (labels.isEmpty()) {
        problems.add(w.where() + ": the pod template has no labels");
      }
      selects(problems, w.where() + " spec.selector.matchLabels", map(at(w.body, "spec", "selector", "matchLabels")),
          labels);
      for (Doc s : m.ofKind("Service")) {
        selects(problems, s.where() + " spec.selector", map(at(s.body, "spec", "selector")), labels);
        for (Object p : list(at(s.body, "spec", "ports"))) {
          Object target = map(p).getOrDefault("targetPort", map(p).get("port"));
          if (containerPort(m.container(), target) == null) {
            problems.add(s.where() + " targets port " + target + ", which the container does not declare");
          }
        }
      }
      for (Doc p : m.ofKind("PodDisruptionBudget")) {
        selects(problems, p.where() + " spec.selector.matchLabels", map(at(p.body, "spec", "selector",
            "matchLabels")), labels);
      }
      for (Object term : list(at(m.podSpec(), "affinity", "podAntiAffinity",
          "preferredDuringSchedulingIgnoredDuringExecution"))) {
        selects(problems, "the pods' anti-affinity", map(at(term, "podAffinityTerm", "labelSelector",
            "matchLabels")), labels);
      }
      return problems;
    }

    private static void selects(List<String> problems, String what, Map<String, Object> selector,
        Map<String, String> labels) {
      if (selector.isEmpty()) {
        problems.add(what + " is empty");
        return;
      }
      selector.forEach((k, v) -> {
        if (!Objects.equals(str(v), labels.get(k))) {
          problems.add(what + " wants " + k + "=" + v + ", but the pod template labels are " + labels
              + ": it selects no gateway pod");
        }
      });
    }

    static List<String> discovery(Manifests m) {
      List<String> problems = new ArrayList<>();
      Map<String, String> settings = effective(m);
      String dns = settings.get("PRICEWIRE_CLUSTER_KUBERNETES_SERVICE");
      if (dns == null || dns.isBlank()) {
        problems.add("PRICEWIRE_CLUSTER_KUBERNETES_SERVICE is not set");
        return problems;
      }
      Matcher name = Pattern.compile("([a-z0-9-]+)(?:\\.([a-z0-9-]+)(?:\\.svc(?:\\.[a-z0-9.-]+)?)?)?").matcher(dns);
      if (!name.matches()) {
        problems.add("PRICEWIRE_CLUSTER_KUBERNETES_SERVICE=" + dns + " is not a Service's DNS name (name, "
            + "name.namespace or name.namespace.svc.cluster.local)");
        return problems;
      }
      String namespace = str(m.kustomization().get("namespace"));
      if (name.group(2) != null && namespace != null && !namespace.equals(name.group(2))) {
        problems.add("PRICEWIRE_CLUSTER_KUBERNETES_SERVICE=" + dns + " names namespace " + name.group(2)
            + ", but kustomization.yaml puts everything in " + namespace);
      }
      Map<String, Object> service = m.doc("Service", name.group(1));
      if (service.isEmpty()) {
        problems.add("PRICEWIRE_CLUSTER_KUBERNETES_SERVICE=" + dns + " names no Service of these manifests");
        return problems;
      }
      Map<String, Object> spec = map(service.get("spec"));
      if (!"None".equals(str(spec.get("clusterIP")))) {
        problems.add("Service " + name.group(1) + " must be headless (clusterIP: None): its DNS name must list the "
            + "pods, not a virtual IP");
      }
      if (!Boolean.TRUE.equals(spec.get("publishNotReadyAddresses"))) {
        problems.add("Service " + name.group(1) + " must set publishNotReadyAddresses: true, since a node is ready "
            + "only once it has joined the others");
      }
      String clusterPort = settings.get("PRICEWIRE_CLUSTER_PORT");
      boolean exposed = list(spec.get("ports")).stream().map(p -> map(p)).anyMatch(p ->
          String.valueOf(p.get("port")).equals(clusterPort) && Objects.equals(
              containerPort(m.container(), p.getOrDefault("targetPort", p.get("port"))), number(clusterPort, -1)));
      if (!exposed) {
        problems.add("Service " + name.group(1) + " does not expose the Hazelcast port PRICEWIRE_CLUSTER_PORT="
            + clusterPort + " onto the container's port of that number");
      }
      Doc w = m.workloadDoc();
      if (w != null && "StatefulSet".equals(w.kind()) && !name.group(1).equals(str(at(w.body, "spec",
          "serviceName")))) {
        problems.add(w.where() + " has serviceName " + at(w.body, "spec", "serviceName") + ": its governing Service "
            + "should be the headless one, " + name.group(1));
      }
      return problems;
    }

    static List<String> publicService(Manifests m) {
      List<String> problems = new ArrayList<>();
      Map<String, String> settings = effective(m);
      Integer http = number(settings.get("PRICEWIRE_HTTP_PORT"), -1);
      Integer ops = number(settings.get("PRICEWIRE_OPS_PORT"), -1);
      boolean servesHttp = false;
      for (Doc s : m.ofKind("Service")) {
        Map<String, Object> spec = map(s.body.get("spec"));
        if ("None".equals(str(spec.get("clusterIP")))) {
          continue;
        }
        for (Object p : list(spec.get("ports"))) {
          Integer target = containerPort(m.container(), map(p).getOrDefault("targetPort", map(p).get("port")));
          servesHttp |= http.equals(target);
          if (ops.equals(target)) {
            problems.add(s.where() + " exposes the ops port (" + ops + "), where the admin API is served: keep it "
                + "inside the cluster, reachable by the pods' addresses only");
          }
        }
        Object affinity = spec.get("sessionAffinity");
        if (affinity != null && !"None".equals(affinity)) {
          problems.add(s.where() + " sets sessionAffinity " + affinity + ": not needed, any node resumes a client "
              + "exactly, and it would keep clients on a node being drained");
        }
      }
      if (!servesHttp) {
        problems.add("no Service exposes the public port PRICEWIRE_HTTP_PORT=" + http);
      }
      return problems;
    }

    static List<String> shutdown(Manifests m) {
      List<String> problems = new ArrayList<>();
      long timeoutMs = Long.parseLong(effective(m).getOrDefault("PRICEWIRE_SHUTDOWN_TIMEOUT_MS", "0"));
      Object grace = m.podSpec().get("terminationGracePeriodSeconds");
      long graceMs = number(grace, 30) * 1000L;
      if (grace == null) {
        problems.add("terminationGracePeriodSeconds is not set: say how long a stopping node may take");
      } else if (graceMs <= timeoutMs + SHUTDOWN_EXTRA_MS) {
        problems.add("terminationGracePeriodSeconds=" + grace + " is not above PRICEWIRE_SHUTDOWN_TIMEOUT_MS="
            + timeoutMs + " plus " + SHUTDOWN_EXTRA_MS / 1000 + " s for the gateway and Vert.x to close: the "
            + "node would be killed with commits in flight");
      }
      return problems;
    }

    static List<String> resources(Manifests m) {
      List<String> problems = new ArrayList<>();
      if (m.containers().isEmpty()) {
        problems.add("the pod has no containers");
      }
      for (Map<String, Object> c : m.containers()) {
        Map<String, Object> res = map(c.get("resources"));
        for (String kind : List.of("requests", "limits")) {
          for (String what : List.of("cpu", "memory")) {
            if (at(res, kind, what) == null) {
              problems.add("container " + c.get("name") + " has no resources." + kind + "." + what);
            }
          }
        }
        for (String what : List.of("cpu", "memory")) {
          BigDecimal request = quantity(at(res, "requests", what));
          BigDecimal limit = quantity(at(res, "limits", what));
          if (request != null && limit != null && request.compareTo(limit) > 0) {
            problems.add("container " + c.get("name") + " requests more " + what + " (" + at(res, "requests", what)
                + ") than its limit (" + at(res, "limits", what) + "): a request above the limit is refused");
          }
        }
      }
      String jvm = list(m.container().get("env")).stream().map(e -> map(e))
          .filter(e -> "JAVA_TOOL_OPTIONS".equals(e.get("name"))).map(e -> str(e.get("value"))).findFirst()
          .orElse("");
      if (!jvm.contains("-XX:MaxRAMPercentage=") || jvm.matches(".*-Xmx\\S+.*")) {
        problems.add("JAVA_TOOL_OPTIONS=\"" + jvm + "\": size the heap from the memory limit with "
            + "-XX:MaxRAMPercentage (and no -Xmx), so that it changes with the limit");
      }
      return problems;
    }

    static List<String> shape(Manifests m) {
      List<String> problems = new ArrayList<>();
      Doc w = m.workloadDoc();
      if (w == null) {
        return problems;
      }
      Map<String, Object> spec = map(w.body.get("spec"));
      if (number(spec.get("replicas"), 1) != 3) {
        problems.add(w.where() + " has replicas " + spec.get("replicas") + ", expected 3");
      }
      if ("StatefulSet".equals(w.kind()) && !"Parallel".equals(spec.get("podManagementPolicy"))) {
        problems.add(w.where() + " has podManagementPolicy " + spec.get("podManagementPolicy") + ": use Parallel, "
            + "so that a node starts while the others are down");
      }
      for (Doc p : m.ofKind("PodDisruptionBudget")) {
        if (number(at(p.body, "spec", "maxUnavailable"), -1) != 1) {
          problems.add(p.where() + " has maxUnavailable " + at(p.body, "spec", "maxUnavailable") + ", expected 1");
        }
      }
      if (m.ofKind("PodDisruptionBudget").isEmpty()) {
        problems.add("no PodDisruptionBudget");
      }
      Map<String, Object> pod = m.podSpec();
      boolean spread = list(at(pod, "affinity", "podAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution"))
          .stream().anyMatch(t -> "kubernetes.io/hostname".equals(at(t, "podAffinityTerm", "topologyKey")));
      if (!spread) {
        problems.add("no preferred pod anti-affinity over kubernetes.io/hostname: nodes may share one machine");
      }
      if (!Boolean.FALSE.equals(pod.get("enableServiceLinks"))) {
        problems.add("enableServiceLinks is not false: Kubernetes would set variables named after the namespace's "
            + "Services, and a Service named pricewire-ops would set PRICEWIRE_OPS_PORT=tcp://...");
      }
      Set<String> emptyDirs = new LinkedHashSet<>();
      list(pod.get("volumes")).stream().map(v -> map(v)).filter(v -> v.containsKey("emptyDir"))
          .forEach(v -> emptyDirs.add(str(v.get("name"))));
      for (Map<String, Object> c : m.containers()) {
        boolean nonRoot = Boolean.TRUE.equals(at(c, "securityContext", "runAsNonRoot"))
            || Boolean.TRUE.equals(at(pod, "securityContext", "runAsNonRoot"));
        if (!nonRoot) {
          problems.add("container " + c.get("name") + " may run as root: set runAsNonRoot: true");
        }
        if (!Boolean.TRUE.equals(at(c, "securityContext", "readOnlyRootFilesystem"))) {
          problems.add("container " + c.get("name") + " has no readOnlyRootFilesystem: true");
        }
        boolean tmp = list(c.get("volumeMounts")).stream().map(v -> map(v))
            .anyMatch(v -> "/tmp".equals(v.get("mountPath")) && emptyDirs.contains(str(v.get("name"))));
        if (!tmp) {
          problems.add("container " + c.get("name") + " has no emptyDir at /tmp, where the JVM and Netty write on a "
              + "read-only root file system");
        }
      }
      return problems;
    }

    /** What the gateway's container gets: its ConfigMaps, then env (which wins), resolved to values. */
    static Map<String, String> environment(Manifests m, List<String> problems) {
      Map<String, String> env = new TreeMap<>();
      Map<String, Object> c = m.container();
      for (Object f : list(c.get("envFrom"))) {
        map(at(m.doc("ConfigMap", str(at(f, "configMapRef", "name"))), "data"))
            .forEach((k, v) -> env.put(k, String.valueOf(v)));
      }
      for (Object o : list(c.get("env"))) {
        Map<String, Object> e = map(o);
        String name = str(e.get("name"));
        if (name == null) {
          continue;
        }
        Map<String, Object> from = map(e.get("valueFrom"));
        String value = null;
        if (e.containsKey("value")) {
          value = String.valueOf(e.get("value"));
        } else if (from.containsKey("fieldRef")) {
          String field = str(at(from, "fieldRef", "fieldPath"));
          value = field == null ? null : FIELD_SAMPLES.get(field);
          if (value == null) {
            problems.add("env " + name + " reads fieldPath " + field + ", for which this test has no sample value");
          }
        } else if (from.containsKey("secretKeyRef")) {
          Map<String, String> secret = m.secret(str(at(from, "secretKeyRef", "name")));
          value = secret == null ? null : secret.get(str(at(from, "secretKeyRef", "key")));
        } else if (from.containsKey("configMapKeyRef")) {
          value = str(map(at(m.doc("ConfigMap", str(at(from, "configMapKeyRef", "name"))), "data"))
              .get(str(at(from, "configMapKeyRef", "key"))));
        }
        if (value != null) {
          env.put(name, value);
        }
      }
      return env;
    }

    /** The settings a pod runs with: defaults, overlaid with what its environment gives. */
    static Map<String, String> effective(Manifests m) {
      Map<String, String> all = new TreeMap<>(SettingsLoader.defaults());
      all.putAll(environment(m, new ArrayList<>()));
      return all;
    }

    /** The number of the container's port that a probe or a Service names (by name or number), or null. */
    static Integer containerPort(Map<String, Object> container, Object ref) {
      for (Object o : list(container.get("ports"))) {
        Map<String, Object> p = map(o);
        Object number = p.get("containerPort");
        if (ref != null && (ref.equals(p.get("name")) || String.valueOf(ref).equals(String.valueOf(number)))) {
          return number(number, -1);
        }
      }
      return null;
    }
  }

  static Object at(Object node, Object... path) {
    Object o = node;
    for (Object step : path) {
      if (step instanceof Integer i) {
        List<Object> l = list(o);
        o = i < l.size() ? l.get(i) : null;
      } else {
        o = map(o).get(step);
      }
    }
    return o;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return o instanceof Map ? (Map<String, Object>) o : new LinkedHashMap<>();
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o) {
    return o instanceof List ? (List<Object>) o : new ArrayList<>();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Map<?, ?> body) {
    return (Map<String, Object>) body;
  }

  static String str(Object o) {
    return o == null ? null : String.valueOf(o);
  }

  static Map<String, String> strings(Map<String, Object> m) {
    Map<String, String> s = new TreeMap<>();
    m.forEach((k, v) -> s.put(k, str(v)));
    return s;
  }

  static int number(Object o, int otherwise) {
    if (o instanceof Number n) {
      return n.intValue();
    }
    try {
      return o == null ? otherwise : Integer.parseInt(String.valueOf(o));
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }

  private static String typeOf(Object v) {
    return v == null ? "null" : v.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
  }

  /** A Kubernetes quantity (1600m, 2, 2560Mi, 2Gi, 1e3) in base units; null when absent or unreadable. */
  static BigDecimal quantity(Object q) {
    if (q == null) {
      return null;
    }
    Matcher m = Pattern.compile("([0-9.]+(?:[eE][0-9]+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?").matcher(String.valueOf(q));
    if (!m.matches()) {
      return null;
    }
    BigDecimal n = new BigDecimal(m.group(1));
    String unit = m.group(2) == null ? "" : m.group(2);
    BigDecimal factor = switch (unit) {
      case "m" -> new BigDecimal("0.001");
      case "k" -> BigDecimal.valueOf(1_000L);
      case "M" -> BigDecimal.valueOf(1_000_000L);
      case "G" -> BigDecimal.valueOf(1_000_000_000L);
      case "T" -> BigDecimal.valueOf(1_000_000_000_000L);
      case "Ki" -> BigDecimal.valueOf(1L << 10);
      case "Mi" -> BigDecimal.valueOf(1L << 20);
      case "Gi" -> BigDecimal.valueOf(1L << 30);
      case "Ti" -> BigDecimal.valueOf(1L << 40);
      default -> BigDecimal.ONE;
    };
    return n.multiply(factor);
  }
}
