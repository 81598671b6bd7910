package dev.llmtrace.core;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free ports for tests that start servers: each handed out once per JVM, and below Linux's ephemeral range
 * (32768 and up). Asking the kernel for port 0 twice can give the same port twice, as nothing holds it in between
 * (a pipeline test got one port for export's gRPC server and enrich's HTTP server, and enrich could not start), and a
 * port from the ephemeral range can be taken by an outgoing connection before the server binds it.
 */
public final class FreePorts {
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {}

    public static int next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = random.nextInt(20_000, 32_000);
            if (HANDED_OUT.contains(port)) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket(port)) { // every address, as the services bind
                if (HANDED_OUT.add(port)) {
                    return port;
                }
            } catch (IOException taken) {
                // in use: try another
            }
        }
        throw new IllegalStateException("no free port between 20000 and 32000");
    }
}
