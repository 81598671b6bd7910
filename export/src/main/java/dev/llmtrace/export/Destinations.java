package dev.llmtrace.export;

import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/** The destinations built from config at start: the configured OTLP endpoint and/or the file sink. */
@ApplicationScoped
@Startup // a bad destination fails the start, not the first request
public class Destinations {
    private static final Logger LOG = Logger.getLogger(Destinations.class);

    private final List<Destination> all = new ArrayList<>();

    public Destinations(ExportConfig config) {
        ExportConfig.Destination d = config.destination();
        d.endpoint().ifPresent(endpoint -> {
            validate(endpoint);
            all.add(switch (d.protocol()) {
                case GRPC -> new OtlpGrpcDestination("otlp", endpoint, d.headers(), d.timeout());
                case HTTP_PROTOBUF -> new OtlpHttpDestination("otlp", endpoint, d.headers(), d.timeout(), d.gzip());
            });
            // the endpoint is not a secret; headers may be, so only their names are logged
            LOG.infof("destination otlp: %s %s (headers: %s)", d.protocol(), endpoint, d.headers().keySet());
        });
        boolean sink = config.sink().enabled().orElse(d.endpoint().isEmpty());
        if (sink) {
            Path dir = Path.of(config.sink().directory());
            all.add(new JsonLinesFileSink(dir, config.sink().maxFileBytes(), config.sink().maxFiles()));
            LOG.infof("destination file-sink: OTLP JSON lines under %s", dir.toAbsolutePath());
        }
        if (all.isEmpty()) {
            throw new IllegalStateException("export has no destination: set export.destination.endpoint or export.sink.enabled=true");
        }
    }

    private static void validate(URI endpoint) {
        if (endpoint.getHost() == null || !("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme()))) {
            throw new IllegalStateException("export.destination.endpoint must be an http:// or https:// URL with a host");
        }
    }

    public List<Destination> all() {
        return all;
    }

    @PreDestroy
    void close() {
        all.forEach(Destination::close);
    }
}
