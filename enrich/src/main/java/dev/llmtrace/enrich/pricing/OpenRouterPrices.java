package dev.llmtrace.enrich.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * OpenRouter's own per-token prices for every model it routes, from its public models endpoint
 * ({@code GET /api/v1/models}: {@code data[].id} and {@code data[].pricing} as decimal strings, USD per
 * token; {@code :free} variants at 0). What was fetched is kept in a cache file, so a restart without
 * network still has the last prices.
 */
final class OpenRouterPrices {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client;
    private final URI url;
    private final Duration timeout;
    private final Path cacheFile;

    OpenRouterPrices(URI url, Duration timeout, Path cacheFile) {
        this.client = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
        this.url = url;
        this.timeout = timeout;
        this.cacheFile = cacheFile;
    }

    /** Fetches the models list, keeps the response in the cache file, and returns its prices. */
    Map<String, ModelPrice> fetch() throws IOException, InterruptedException {
        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(url).timeout(timeout).header("Accept", "application/json").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode() + " from " + url);
        }
        Map<String, ModelPrice> prices = parse(response.body());
        Files.createDirectories(cacheFile.toAbsolutePath().getParent());
        Path next = cacheFile.resolveSibling(cacheFile.getFileName() + ".next");
        Files.write(next, response.body());
        Files.move(next, cacheFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return prices;
    }

    /** The prices of the last successful fetch, from the cache file; empty when there is none. */
    Map<String, ModelPrice> cached() {
        try {
            return Files.exists(cacheFile) ? parse(Files.readAllBytes(cacheFile)) : Map.of();
        } catch (IOException | RuntimeException e) {
            return Map.of(); // a damaged cache is as good as none: the next fetch replaces it
        }
    }

    /** Model id → price; models with a variable price (negative, as OpenRouter marks its router) are left out. */
    static Map<String, ModelPrice> parse(byte[] body) throws IOException {
        JsonNode data = JSON.readTree(body).path("data");
        if (!data.isArray()) {
            throw new IOException("no data array in the models response");
        }
        Map<String, ModelPrice> prices = new LinkedHashMap<>();
        for (JsonNode model : data) {
            String id = model.path("id").asText("");
            JsonNode pricing = model.path("pricing");
            Double input = perToken(pricing, "prompt");
            Double output = perToken(pricing, "completion");
            if (id.isEmpty() || input == null || output == null || input < 0 || output < 0) {
                continue;
            }
            prices.put(id, new ModelPrice(input, output, perToken(pricing, "input_cache_read"), perToken(pricing, "input_cache_write"),
                    positive(perToken(pricing, "internal_reasoning")), null, null, null, null, "openrouter-live"));
        }
        return prices;
    }

    private static Double perToken(JsonNode pricing, String field) {
        JsonNode value = pricing.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        try {
            return Double.parseDouble(value.asText());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A reasoning price of 0 means "billed as output", not "free". */
    private static Double positive(Double price) {
        return price == null || price <= 0 ? null : price;
    }
}
