package dev.llmtrace.export;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Phoenix prices spans itself, from its own table of models matched on {@code llm.model_name}, and ignores the
 * {@code llm.cost.*} a span carries: OpenRouter ids such as {@code anthropic/claude-sonnet-4} match none of its
 * models, and {@code :free} ones match the paid model. With {@code register-prices}, before a batch with a model
 * Phoenix has not been told about goes out, this registers that model as a Phoenix user-defined model (which
 * wins over its built-in ones) matching exactly that name, at the unit prices the span itself carries
 * (OpenRouter's unit prices, else cost / tokens as enrich priced it). Phoenix's cost views then show our cost.
 * Phoenix prices a span when it stores it, with the models it re-reads every 5 s: the first batch of a newly
 * registered model waits {@link #PHOENIX_REFRESH} (once per model and process), or Phoenix would price it with
 * its own table. A registration that fails is logged and retried with a later batch; delivery does not wait on it.
 */
final class PhoenixPrices implements Sender {
    private static final Logger LOG = Logger.getLogger(PhoenixPrices.class);
    private static final JsonFactory JSON = new JsonFactory();
    /** Phoenix's model store refreshes every 5 s (GenerativeModelStore), plus a margin. */
    static final Duration PHOENIX_REFRESH = Duration.ofMillis(6500);

    private final Sender delegate;
    private final URI graphql;
    private final Map<String, String> headers;
    private final String destination;
    private final HttpClient client;
    /** Models registered (or found already there), so each is registered once per process. */
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    PhoenixPrices(Sender delegate, OtlpEndpoint endpoint) {
        this.delegate = delegate;
        this.destination = endpoint.destination();
        String base = endpoint.url().toString();
        this.graphql = URI.create(base.substring(0, base.length() - "/v1/traces".length()) + "/graphql");
        this.headers = endpoint.headers();
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(endpoint.timeout()).build();
    }

    /** Unit prices per token of one model, as a span states them. */
    record UnitPrices(double input, double output) {}

    @Override
    public CompletableFuture<Result> send(byte[] body, String tenant) {
        Map<String, UnitPrices> missing = missing(body);
        if (missing.isEmpty()) {
            return delegate.send(body, tenant);
        }
        CompletableFuture<Boolean> registered = CompletableFuture.completedFuture(false);
        for (Map.Entry<String, UnitPrices> model : missing.entrySet()) {
            registered = registered.thenCompose(any -> register(model.getKey(), model.getValue()).thenApply(ok -> any || ok));
        }
        return registered.thenCompose(any -> any
                ? CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(PHOENIX_REFRESH.toMillis(), TimeUnit.MILLISECONDS))
                        .thenCompose(v -> delegate.send(body, tenant))
                : delegate.send(body, tenant));
    }

    /** Models in the batch Phoenix has not been told about, with the first unit prices a span states for each. */
    Map<String, UnitPrices> missing(byte[] body) {
        Map<String, UnitPrices> found = new HashMap<>();
        ExportTraceServiceRequest request;
        try {
            request = ExportTraceServiceRequest.parseFrom(body);
        } catch (IOException e) {
            return found; // the send itself will say what is wrong with it
        }
        for (ResourceSpans rs : request.getResourceSpansList()) {
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                for (Span span : ss.getSpansList()) {
                    String model = string(span, "llm.model_name");
                    if (model != null && !known.contains(model) && !found.containsKey(model)) {
                        UnitPrices prices = unitPrices(span);
                        if (prices != null) {
                            found.put(model, prices);
                        }
                    }
                }
            }
        }
        return found;
    }

    /** OpenRouter's unit prices; else cost / tokens; a span that cost nothing for its tokens is a free model. */
    static UnitPrices unitPrices(Span span) {
        double input = number(span, "trace.metadata.openrouter.input_unit_price");
        double output = number(span, "trace.metadata.openrouter.output_unit_price");
        double inputTokens = number(span, "llm.token_count.prompt");
        double outputTokens = number(span, "llm.token_count.completion");
        if (Double.isNaN(input) && inputTokens > 0) {
            input = number(span, "llm.cost.prompt") / inputTokens;
        }
        if (Double.isNaN(output) && outputTokens > 0) {
            output = number(span, "llm.cost.completion") / outputTokens;
        }
        if (number(span, "llm.cost.total") == 0 && inputTokens + Math.max(0, outputTokens) > 0) {
            return new UnitPrices(0, 0);
        }
        return Double.isNaN(input) || Double.isNaN(output) ? null : new UnitPrices(input, output);
    }

    /** True when Phoenix took the model (or had it from an earlier run). */
    private CompletableFuture<Boolean> register(String model, UnitPrices prices) {
        HttpRequest.Builder request = HttpRequest.newBuilder(graphql).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json");
        headers.forEach(request::header);
        return client.sendAsync(request.POST(HttpRequest.BodyPublishers.ofString(mutation(model, prices))).build(), HttpResponse.BodyHandlers.ofString())
                .handle((response, error) -> {
                    if (error == null && response.statusCode() == 200
                            && (!response.body().contains("\"errors\"") || response.body().contains("already exists") || response.body().contains("already uses name pattern"))) {
                        if (known.add(model)) {
                            LOG.infof("destination %s: Phoenix prices %s at %.3g / %.3g USD per token (input / output)",
                                    destination, model, prices.input(), prices.output());
                        }
                        return true;
                    } else {
                        LOG.warnf("destination %s: could not register %s's prices in Phoenix (%s); Phoenix shows its own cost for it",
                                destination, model, error != null ? error.getClass().getSimpleName()
                                        : "HTTP " + response.statusCode() + " " + abbreviate(response.body()));
                        return false;
                    }
                });
    }

    /** Phoenix's createModel mutation: a user-defined model whose pattern matches exactly {@code model}. */
    static String mutation(String model, UnitPrices prices) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("query", "mutation($input: CreateModelMutationInput!) { createModel(input: $input) { model { id } } }");
            json.writeObjectFieldStart("variables");
            json.writeObjectFieldStart("input");
            json.writeStringField("name", model);
            json.writeStringField("namePattern", "^" + pythonRegexQuote(model) + "$");
            json.writeArrayFieldStart("costs");
            cost(json, "input", "PROMPT", prices.input());
            cost(json, "output", "COMPLETION", prices.output());
            json.writeEndArray();
            json.writeEndObject();
            json.writeEndObject();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void cost(JsonGenerator json, String tokenType, String kind, double perToken) throws IOException {
        json.writeStartObject();
        json.writeStringField("tokenType", tokenType);
        json.writeStringField("kind", kind);
        json.writeNumberField("costPerMillionTokens", perToken * 1_000_000);
        json.writeEndObject();
    }

    /** Phoenix compiles patterns with Python's re, which has no \Q...\E: every other character is escaped. */
    static String pythonRegexQuote(String s) {
        StringBuilder out = new StringBuilder(s.length() * 2);
        for (char c : s.toCharArray()) {
            if (!Character.isLetterOrDigit(c) && c != '_') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    private static String string(Span span, String key) {
        for (KeyValue kv : span.getAttributesList()) {
            if (kv.getKey().equals(key) && kv.getValue().getValueCase() == AnyValue.ValueCase.STRING_VALUE) {
                return kv.getValue().getStringValue();
            }
        }
        return null;
    }

    private static double number(Span span, String key) {
        for (KeyValue kv : span.getAttributesList()) {
            if (kv.getKey().equals(key)) {
                AnyValue v = kv.getValue();
                return v.hasDoubleValue() ? v.getDoubleValue() : v.hasIntValue() ? v.getIntValue() : Double.NaN;
            }
        }
        return Double.NaN;
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    @Override
    public void close() {
        delegate.close();
    }
}
