package dev.llmtrace.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmtrace.enrich.EnrichConfig;
import dev.llmtrace.export.ExportConfig;
import dev.llmtrace.ingest.IngestConfig;
import io.smallrye.config.ConfigMapping;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Every manifest under k8s/ checked against the code: container ports and probe ports are the ports
 * the services listen on, probe paths are health endpoints, and every environment variable and
 * properties key maps to a setting the services really have (their @ConfigMapping interfaces, or the
 * Quarkus settings in their application.properties).
 */
class ManifestsTest {
    static final Path ROOT = ServiceProcess.repoRoot();
    /** Each runnable application (by container name) and the settings classes it reads. */
    static final Map<String, List<Class<?>>> MAPPINGS = Map.of("ingest", List.of(IngestConfig.class), "enrich", List.of(EnrichConfig.class),
            "export", List.of(ExportConfig.class), "all-in-one", List.of(IngestConfig.class, EnrichConfig.class, ExportConfig.class));
    /** Quarkus settings the manifests use beyond those in application.properties (from the Quarkus gRPC and HTTP guides). */
    static final Set<String> QUARKUS_EXTRA = Set.of("quarkus.grpc.clients.*.load-balancing-policy", "quarkus.grpc.clients.*.host",
            "quarkus.grpc.clients.*.port", "quarkus.grpc.server.host", "quarkus.http.host", "quarkus.config.locations");
    static final Set<String> HEALTH_PATHS = Set.of("/q/health/live", "/q/health/ready", "/q/health/started");

    record Service(Set<Integer> ports, int management, Set<String> settings, Set<String> profiles) {}

    static Map<String, Service> services() throws IOException {
        Map<String, Service> services = new java.util.HashMap<>();
        for (String name : MAPPINGS.keySet()) {
            Properties props = new Properties();
            try (InputStream in = Files.newInputStream(ROOT.resolve(name + "/src/main/resources/application.properties"))) {
                props.load(in);
            }
            Set<Integer> ports = new HashSet<>();
            int management = -1;
            for (String key : List.of("quarkus.grpc.server.port", "quarkus.http.port", "quarkus.management.port")) {
                if (props.getProperty(key) != null) {
                    ports.add(Integer.parseInt(props.getProperty(key)));
                }
            }
            boolean separateManagement = "true".equals(props.getProperty("quarkus.management.enabled"));
            management = Integer.parseInt(props.getProperty(separateManagement ? "quarkus.management.port" : "quarkus.http.port"));
            Set<String> settings = new HashSet<>(QUARKUS_EXTRA);
            props.stringPropertyNames().stream().filter(k -> !k.startsWith("%")).forEach(settings::add);
            // variables the properties read (${TLS_CERT_FILE:…}), and the profiles they define (%tls.…) for QUARKUS_PROFILE
            java.util.regex.Matcher variable = java.util.regex.Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)").matcher(String.join("\n",
                    props.stringPropertyNames().stream().map(props::getProperty).toList()));
            while (variable.find()) {
                settings.add(variable.group(1));
            }
            Set<String> profiles = new HashSet<>(Set.of("prod"));
            props.stringPropertyNames().stream().filter(k -> k.startsWith("%")).forEach(k -> profiles.add(k.substring(1, k.indexOf('.'))));
            settings.add("quarkus.profile");
            for (Class<?> mapping : MAPPINGS.get(name)) {
                paths(mapping, mapping.getAnnotation(ConfigMapping.class).prefix() + ".", settings);
            }
            services.put(name, new Service(ports, management, settings, profiles));
        }
        return services;
    }

    /** Every property path a @ConfigMapping interface accepts; map keys become '*'. */
    static void paths(Class<?> type, String prefix, Set<String> out) {
        for (Method m : type.getMethods()) {
            if (m.isDefault() || m.getParameterCount() > 0 || java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            String name = prefix + kebab(m.getName());
            Type t = m.getGenericReturnType();
            if (t instanceof ParameterizedType p && p.getRawType() == Optional.class) {
                t = p.getActualTypeArguments()[0];
            }
            if (t instanceof ParameterizedType p && p.getRawType() == Map.class) {
                Type value = p.getActualTypeArguments()[1];
                if (value instanceof Class<?> c && c.isInterface() && c.getName().startsWith("dev.llmtrace")) {
                    paths(c, name + ".*.", out);
                } else {
                    out.add(name + ".*");
                }
            } else if (t instanceof Class<?> c && c.isInterface() && c.getName().startsWith("dev.llmtrace")) {
                paths(c, name + ".", out);
            } else {
                out.add(name);
            }
        }
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }

    /** Does an environment variable name (INGEST_AUTH_TOKENS_FILE) stand for one of the settings? */
    static boolean envMatches(String env, Set<String> settings) {
        for (String s : settings) {
            String regex = s.toUpperCase().replace("\"", "").replaceAll("[.\\-]", "_").replace("*", "[A-Z0-9_]+");
            if (env.matches(regex)) {
                return true;
            }
        }
        return false;
    }

    static boolean propertyMatches(String key, Set<String> settings) {
        for (String s : settings) {
            if (key.matches(java.util.regex.Pattern.quote(s).replace("*", "\\E[^.]+(?:\\.[^.]+)?\\Q"))) {
                return true;
            }
        }
        return false;
    }


    @SuppressWarnings("unchecked")
    private static void checkPortsAndProbes(Map<String, Object> c, Service service, String w, Map<String, Object> doc,
            Map<String, Object> annotations) {
        Map<String, Integer> portsByName = new java.util.HashMap<>();
        Set<Integer> containerPorts = new HashSet<>();
        for (Map<String, Object> p : (List<Map<String, Object>>) c.get("ports")) {
            portsByName.put((String) p.get("name"), (Integer) p.get("containerPort"));
            containerPorts.add((Integer) p.get("containerPort"));
        }
        assertEquals(service.ports(), containerPorts, w + ": container ports are the ports the service listens on");
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            Map<String, Object> http = at(c, probe, "httpGet");
            if (http == null) {
                assertEquals("startupProbe", probe, w + ": " + probe + " is missing"); // only the startup probe is optional
                continue;
            }
            assertTrue(HEALTH_PATHS.contains(http.get("path")), w + ": " + probe + " path " + http.get("path"));
            Object port = http.get("port");
            int number = port instanceof Integer i ? i : portsByName.getOrDefault((String) port, -1);
            assertEquals(service.management(), number, w + ": " + probe + " goes to the management port");
        }
        if (annotations != null && annotations.get("prometheus.io/port") != null && ((List<?>) at(doc, "spec", "template", "spec", "containers")).size() == 1) {
            assertEquals(String.valueOf(service.management()), annotations.get("prometheus.io/port"), w + ": scrape port");
        }
    }

    /** The keys of a properties file a service reads from a mounted ConfigMap are settings; 1 if checked, 0 for a Secret's file. */
    @SuppressWarnings("unchecked")
    private static int checkPropertiesFile(Map<String, Object> doc, Map<String, Object> mount, String location,
            Map<String, Map<String, String>> configMaps, Service service, String w) throws IOException {
        for (Map<String, Object> v : (List<Map<String, Object>>) at(doc, "spec", "template", "spec", "volumes")) {
            if (mount.get("name").equals(v.get("name")) && v.get("configMap") != null) { // a Secret's file is not in the repository
                String file = location.substring(((String) mount.get("mountPath")).length() + 1);
                String props = configMaps.get((String) at(v, "configMap", "name")).get(file);
                assertTrue(props != null, w + ": QUARKUS_CONFIG_LOCATIONS names " + file + ", which the mounted ConfigMap lacks");
                Properties p = new Properties();
                p.load(new StringReader(props));
                for (String key : p.stringPropertyNames()) {
                    assertTrue(propertyMatches(key, service.settings()), w + ": property " + key + " is no setting");
                }
                return 1;
            }
        }
        return 0;
    }

    static List<Map<String, Object>> documents() throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        try (Stream<Path> files = Files.walk(ROOT.resolve("k8s"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml") && !p.getFileName().toString().equals("kustomization.yaml")
                    && !p.getFileName().toString().equals("alerts.yaml")).toList()) {
                for (Object doc : new Yaml().loadAll(Files.readString(f))) {
                    if (doc instanceof Map<?, ?> m) {
                        @SuppressWarnings("unchecked") Map<String, Object> map = (Map<String, Object>) m;
                        map.put("__file", ROOT.relativize(f).toString());
                        docs.add(map);
                    }
                }
            }
        }
        return docs;
    }

    @SuppressWarnings("unchecked")
    static <T> T at(Object node, String... path) {
        Object n = node;
        for (String p : path) {
            n = n instanceof Map<?, ?> m ? m.get(p) : null;
        }
        return (T) n;
    }

    @Test
    @SuppressWarnings("unchecked")
    void manifestsMatchTheCode() throws IOException {
        Map<String, Service> services = services();
        Map<String, Map<String, String>> configMaps = new java.util.HashMap<>();
        List<Map<String, Object>> docs = documents();
        for (Map<String, Object> doc : docs) {
            if ("ConfigMap".equals(doc.get("kind"))) {
                configMaps.put(at(doc, "metadata", "name"), (Map<String, String>) doc.getOrDefault("data", Map.of()));
            }
        }
        int containers = 0;
        int[] checkedPropertyFiles = {0};
        for (Map<String, Object> doc : docs) {
            if (!List.of("Deployment", "StatefulSet").contains(doc.get("kind"))) {
                continue;
            }
            String where = doc.get("__file") + " " + at(doc, "metadata", "name");
            Map<String, Object> annotations = at(doc, "spec", "template", "metadata", "annotations");
            for (Map<String, Object> c : (List<Map<String, Object>>) at(doc, "spec", "template", "spec", "containers")) {
                Service service = services.get((String) c.get("name"));
                if (service == null) {
                    continue; // the user's app in the sidecar overlay
                }
                String w = where + "/" + c.get("name");
                if (c.get("image") != null) { // a whole workload, not an overlay's patch of one
                    containers++;
                    checkPortsAndProbes(c, service, w, doc, annotations);
                }
                for (Map<String, Object> env : (List<Map<String, Object>>) c.getOrDefault("env", List.of())) {
                    String name = (String) env.get("name");
                    if (name.startsWith("GRAFANA_") || name.startsWith("OTEL_")) {
                        continue; // referenced from properties as ${…}, not settings themselves
                    }
                    assertTrue(envMatches(name, service.settings()), w + ": env " + name + " is no setting of " + c.get("name"));
                    if (name.equals("QUARKUS_PROFILE")) {
                        for (String profile : ((String) env.get("value")).split(",")) {
                            assertTrue(service.profiles().contains(profile.trim()), w + ": profile " + profile + " is not in application.properties");
                        }
                    }
                }
                for (Map<String, Object> from : (List<Map<String, Object>>) c.getOrDefault("envFrom", List.of())) {
                    String cm = at(from, "configMapRef", "name");
                    for (String name : configMaps.getOrDefault(cm, Map.of()).keySet()) {
                        assertTrue(envMatches(name, service.settings()), w + ": ConfigMap " + cm + " key " + name + " is no setting");
                    }
                }
                String locations = ((List<Map<String, Object>>) c.getOrDefault("env", List.of())).stream()
                        .filter(e -> "QUARKUS_CONFIG_LOCATIONS".equals(e.get("name"))).map(e -> (String) e.get("value")).findFirst().orElse("");
                for (Map<String, Object> mount : (List<Map<String, Object>>) c.getOrDefault("volumeMounts", List.of())) {
                    for (String location : locations.isEmpty() ? new String[0] : locations.split(",")) {
                        if (location.startsWith((String) mount.get("mountPath") + "/")) { // an extra properties file of the service
                            checkedPropertyFiles[0] += checkPropertiesFile(doc, mount, location, configMaps, service, w);
                        }
                    }
                }
            }
        }
        assertEquals(4, containers, "three services in the base, the all-in-one in the sidecar overlay");
        assertEquals(2, checkedPropertyFiles[0], "the destinations file of export in the base and of the all-in-one in the sidecar overlay");

        for (Map<String, Object> doc : docs) { // every Service's target ports exist on the pods it selects
            if (!"Service".equals(doc.get("kind"))) {
                continue;
            }
            String app = at(doc, "spec", "selector", "app.kubernetes.io/name");
            for (Map<String, Object> port : (List<Map<String, Object>>) at(doc, "spec", "ports")) {
                Object target = port.get("targetPort");
                assertTrue(target instanceof String, doc.get("__file") + ": named target ports");
                assertTrue(((String) port.get("name")).startsWith("grpc") || ((String) port.get("name")).startsWith("http"),
                        "port names tell meshes the protocol: " + port.get("name"));
                boolean found = docs.stream().filter(d -> List.of("Deployment", "StatefulSet").contains(d.get("kind")))
                        .filter(d -> app.equals(at(d, "spec", "selector", "matchLabels", "app.kubernetes.io/name")))
                        .flatMap(d -> ((List<Map<String, Object>>) at(d, "spec", "template", "spec", "containers")).stream())
                        .flatMap(c -> ((List<Map<String, Object>>) c.getOrDefault("ports", List.of())).stream())
                        .anyMatch(p -> target.equals(p.get("name")));
                assertTrue(found, doc.get("__file") + ": Service " + at(doc, "metadata", "name") + " targets a port its pods have: " + target);
            }
        }
    }
}
