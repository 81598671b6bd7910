package dev.llmtrace.export;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.llmtrace.core.log.LogEvery;
import dev.llmtrace.core.otlp.OtlpJson;
import dev.llmtrace.core.otlp.OtlpWire;
import dev.llmtrace.core.privacy.PrivacyPolicy;
import dev.llmtrace.core.privacy.PrivacyProcessor;
import dev.llmtrace.core.otlp.Spans;
import dev.llmtrace.core.queue.Crc32Combine;
import dev.llmtrace.core.queue.FsyncSchedule;
import dev.llmtrace.core.queue.PersistentQueue;
import dev.llmtrace.core.retry.ExportException;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The configured destinations and the fan-out into their queues. A batch is acknowledged to enrich
 * only once it is in the queue of every destination it is for; room is reserved in all of them first,
 * so a full queue refuses the whole batch and no destination gets it twice on the retry that follows.
 * Delivering first (a caller that keeps the batch durable until answered), a destination with nothing
 * queued is sent the batch at once and its queue written only if that fails: acknowledged once every
 * destination has it delivered or queued. Each distinct (filtered request, privacy policy, encoding) is
 * redacted and serialized once and the bytes shared.
 */
@ApplicationScoped
@Startup // a bad destination fails the start, not the first request
public class Destinations {
    private static final Logger LOG = Logger.getLogger(Destinations.class);
    private static final Duration QUEUE_FULL_RETRY = Duration.ofSeconds(1);
    /** The longest a caller waiting for room sleeps between looks (a missed wake-up costs no more). */
    private static final long ROOM_CHECK_MILLIS = 50;
    private final LogEvery unwritable = new LogEvery(Duration.ofSeconds(10));
    private final PartlyQueued partlyQueued = new PartlyQueued();
    /** Callers in {@link #reserveOrWait}; a freed queue slot takes the monitor only to wake them. */
    private final AtomicInteger waitingForRoom = new AtomicInteger();

    private final List<DestinationWorker> workers = new ArrayList<>();
    private final ExportConfig config;
    private final FsyncSchedule fsync;
    /** mask and drop; full adds nothing here (enrich has already masked secrets). */
    private final Map<PrivacyPolicy, PrivacyProcessor> privacy = new EnumMap<>(PrivacyPolicy.class);

    public Destinations(ExportConfig config, MeterRegistry registry) {
        this.config = config;
        Path queues = Path.of(config.queue().directory());
        DeadLetters deadLetters = new DeadLetters(Path.of(config.queue().deadLetterDirectory()));
        List<DestinationSpec> specs = new ArrayList<>();
        try {
            config.destinations().forEach((name, destination) -> specs.add(DestinationTypes.resolve(name, destination, config)));
            for (PrivacyPolicy policy : new PrivacyPolicy[] {PrivacyPolicy.MASK, PrivacyPolicy.DROP}) {
                privacy.put(policy, config.privacy().processor(policy, "export.privacy"));
            }
            if (config.sink().enabled().orElse(specs.isEmpty())) {
                specs.add(DestinationTypes.sink(config.sink()));
            }
        } catch (RuntimeException e) {
            specs.forEach(spec -> spec.sender().close()); // those made before the bad one
            throw e;
        }
        if (specs.isEmpty()) {
            throw new IllegalStateException("export has no destination: configure export.destinations.<name>.* or set export.sink.enabled=true");
        }
        for (DestinationSpec spec : specs) {
            PersistentQueue queue = PersistentQueue.open(queues.resolve(spec.name()), spec.queueMaxBytes(), config.queue().segmentBytes());
            queue.recovery().report("destination " + spec.name() + ": queue " + queues.resolve(spec.name()), LOG::warn, LOG::info);
            DestinationWorker worker = new DestinationWorker(spec, queue, deadLetters, registry, this::roomFreed);
            workers.add(worker);
            LOG.infof("destination %s: %s; queue %s (%d batch(es) waiting from before), when full: %s", spec.name(),
                    spec.description(), queues.resolve(spec.name()), queue.size(), spec.whenFull().name().toLowerCase());
        }
        workers.forEach(DestinationWorker::start);
        this.fsync = new FsyncSchedule(config.queue().fsyncInterval(), "export-queue-fsync", this::syncAll);
    }

    List<DestinationWorker> workers() {
        return workers;
    }

    private record Target(DestinationWorker worker, int spans, byte[] body) {}

    private static PartlyQueued.Body body(Target t, String tenant, Map<byte[], Integer> crcs) {
        return new PartlyQueued.Body(t.worker().spec().name(), tenant, t.body().length, crcs.get(t.body()));
    }

    /**
     * Queues a batch received as protobuf bytes. A destination that takes the whole batch as it is
     * (no filter but by tenant, no stricter privacy, protobuf) gets these very bytes; the batch is parsed
     * only if some destination needs it changed, and then once. {@code spans}: {@link OtlpWire#cleanSpanCount}
     * of the bytes (negative: not clean, every destination takes the parse, which names the problem).
     * Throws a retryable ExportException when a queue is full, or when the caller has given up before anything
     * was queued ({@code callerGone}: it retries, and queueing now would queue the batch twice).
     * {@code deliverFirst}: the caller holds the batch durably until the answer (the all-in-one's write-ahead log),
     * so a destination may be sent it before its queue is written. The answer: complete once every destination has
     * it queued or (delivering first) delivered or dropped for good; failed when a queue could not be written.
     */
    public CompletableFuture<Void> accept(byte[] serializedRequest, int spans, String tenant, java.util.function.BooleanSupplier callerGone,
            boolean deliverFirst) {
        List<Target> targets = new ArrayList<>();
        List<DestinationWorker> others = new ArrayList<>();
        for (DestinationWorker worker : workers) {
            DestinationSpec spec = worker.spec();
            if (spans >= 0 && Filters.tenantOnly(spec.filter()) && privacy.get(spec.privacy()) == null
                    && spec.encoding() == ExportConfig.Encoding.PROTOBUF && spec.perTenant() == null) {
                if (Filters.admitsTenant(spec.filter(), tenant)) {
                    targets.add(new Target(worker, spans, serializedRequest));
                }
            } else {
                others.add(worker);
            }
        }
        if (!others.isEmpty()) {
            ExportTraceServiceRequest request;
            try {
                request = ExportTraceServiceRequest.parseFrom(serializedRequest);
            } catch (InvalidProtocolBufferException e) {
                throw ExportException.permanent("malformed", "invalid OTLP protobuf: " + e.getMessage());
            }
            targets.addAll(transformed(others, request, tenant));
        }
        return enqueue(targets, tenant, callerGone, deliverFirst);
    }

    /** Each destination's part: filtered, redacted by its policy, serialized in its encoding, each distinct form once. */
    private List<Target> transformed(List<DestinationWorker> destinations, ExportTraceServiceRequest request, String tenant) {
        Map<ExportTraceServiceRequest, EnumMap<ExportConfig.Encoding, byte[]>> serialized = new IdentityHashMap<>();
        Map<ExportTraceServiceRequest, EnumMap<PrivacyPolicy, ExportTraceServiceRequest>> redacted = new IdentityHashMap<>();
        List<Target> targets = new ArrayList<>();
        for (DestinationWorker worker : destinations) {
            ExportTraceServiceRequest filtered = Filters.apply(worker.spec().filter(), request, tenant);
            if (filtered == null) {
                continue;
            }
            // what its type changes for the tenant (a new request: no other destination shares it)
            ExportTraceServiceRequest typed = worker.spec().perTenant() == null ? filtered : worker.spec().perTenant().process(filtered, tenant);
            PrivacyProcessor policy = privacy.get(worker.spec().privacy());
            ExportTraceServiceRequest part = policy == null ? typed
                    : redacted.computeIfAbsent(typed, r -> new EnumMap<>(PrivacyPolicy.class))
                            .computeIfAbsent(policy.policy(), p -> policy.process(typed, tenant));
            byte[] body = serialized.computeIfAbsent(part, r -> new EnumMap<>(ExportConfig.Encoding.class))
                    .computeIfAbsent(worker.spec().encoding(), e -> e == ExportConfig.Encoding.JSON ? OtlpJson.toJson(part) : part.toByteArray());
            targets.add(new Target(worker, Spans.count(part), body));
        }
        return targets;
    }

    /**
     * Reserves room in every target's queue first, then appends (or, delivering first, sends): all or none, but for a
     * queue that cannot be written (a full disk) after others took the batch. Those are remembered ({@link PartlyQueued})
     * and left out of the retry.
     */
    private CompletableFuture<Void> enqueue(List<Target> targets, String tenant, java.util.function.BooleanSupplier callerGone,
            boolean deliverFirst) {
        Map<byte[], Integer> crcs = new IdentityHashMap<>(); // once per distinct body (most queues share one), before the lock
        targets.forEach(t -> crcs.computeIfAbsent(t.body(), Crc32Combine::of));
        List<Target> todo = targets;
        List<Target> direct = new ArrayList<>();
        synchronized (this) {
            checkCallerThere(callerGone);
            List<PartlyQueued.Body> queuedBefore = List.of();
            if (!partlyQueued.isEmpty()) {
                todo = new ArrayList<>();
                queuedBefore = new ArrayList<>();
                for (Target t : targets) {
                    PartlyQueued.Body body = body(t, tenant, crcs);
                    if (partlyQueued.has(body)) {
                        queuedBefore.add(body);
                    } else {
                        todo.add(t);
                    }
                }
            }
            reserveOrWait(todo, callerGone);
            if (deliverFirst) {
                todo = new ArrayList<>(todo); // what is left after the direct sends is appended below
                for (var it = todo.iterator(); it.hasNext(); ) {
                    Target t = it.next();
                    if (t.worker().tryDeliverFirst()) {
                        direct.add(t);
                        it.remove();
                    }
                }
            }
            int appended = 0;
            try {
                for (Target t : todo) {
                    t.worker().appendReserved(tenant, t.spans(), t.body(), crcs.get(t.body()));
                    appended++;
                }
            } catch (RuntimeException | Error e) {
                // the failed append gave its room back; the queues after it would keep theirs for good, and
                // after enough retries look full with nothing in them. Whatever failed: a direct buffer the JVM
                // could not allocate (OutOfMemoryError) leaves the process running, and the queues as they are.
                todo.subList(appended + 1, todo.size()).forEach(t -> t.worker().release(t.body().length));
                direct.forEach(t -> t.worker().skipDeliverFirst(t.body().length));
                todo.subList(0, appended).forEach(t -> partlyQueued.remember(body(t, tenant, crcs)));
                if (!(e instanceof java.io.UncheckedIOException)) {
                    throw e; // retryable upstream all the same (ExportException.of)
                }
                throw queueUnwritable(todo.get(appended).worker().spec().name(), e.getMessage());
            }
            queuedBefore.forEach(partlyQueued::forget);
        }
        if (fsync.everyWrite()) {
            todo.forEach(t -> t.worker().sync());
        }
        return direct.isEmpty() ? CompletableFuture.completedFuture(null) : sent(direct, todo, tenant, crcs);
    }

    /**
     * Sends the batch to the {@code direct} targets (its other targets, {@code queued}, have it in their queues): complete
     * once each has it delivered, dropped or queued. When a queue that a failed send falls back on cannot be written,
     * the batch fails, and the destinations that have it are remembered and left out of the caller's retry.
     */
    private CompletableFuture<Void> sent(List<Target> direct, List<Target> queued, String tenant, Map<byte[], Integer> crcs) {
        List<CompletableFuture<Void>> sends = new ArrayList<>(direct.size());
        direct.forEach(t -> sends.add(t.worker().deliverFirst(tenant, t.spans(), t.body(), crcs.get(t.body()))));
        return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).handle((done, error) -> {
            if (fsync.everyWrite()) {
                direct.forEach(t -> t.worker().sync()); // the ones whose send failed were queued
            }
            if (error == null) {
                return null;
            }
            String name = null;
            synchronized (this) {
                queued.forEach(t -> partlyQueued.remember(body(t, tenant, crcs)));
                for (int i = 0; i < direct.size(); i++) {
                    if (sends.get(i).isCompletedExceptionally()) {
                        name = direct.get(i).worker().spec().name();
                    } else {
                        partlyQueued.remember(body(direct.get(i), tenant, crcs));
                    }
                }
            }
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
            throw queueUnwritable(name, String.valueOf(cause));
        });
    }

    /** A queue could not be written: one line per 10 s says so, and the batch is refused for the sender to retry. */
    private ExportException queueUnwritable(String destination, String why) {
        unwritable.log(left -> LOG.errorf("cannot write the queue of destination %s, refusing data (the sender retries): %s%s",
                destination, why, LogEvery.leftOut(left)));
        return ExportException.retryable("queue_unwritable", "the queue of destination " + destination + " cannot be written", QUEUE_FULL_RETRY);
    }

    /**
     * Reserves room in every target's queue, all or none, waiting for it up to {@code export.queue.wait-for-room} with
     * the monitor released; a worker that empties a queue slot wakes the waiters. A full queue that drains in
     * milliseconds so paces its sender: refused instead, the batch came back at best a second later (its retry), and
     * after a disk-full spell 64 KiB queues drained a backlog at a tenth of what their backend took (DiskFullTest).
     */
    private void reserveOrWait(List<Target> todo, java.util.function.BooleanSupplier callerGone) {
        long deadline = System.nanoTime() + config.queue().waitForRoom().toNanos();
        for (DestinationWorker full; (full = reserveAll(todo)) != null; ) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw refused(full);
            }
            waitingForRoom.incrementAndGet();
            try {
                // bounded: a slot freed just before this thread counted itself as waiting wakes no one
                wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), ROOM_CHECK_MILLIS)));
            } catch (InterruptedException e) {
                // refused before any append: an interrupted thread's file write would close the queue's channel
                Thread.currentThread().interrupt();
                throw refused(full);
            } finally {
                waitingForRoom.decrementAndGet();
            }
            checkCallerThere(callerGone); // gone while waiting: its retry is the batch that will be queued
        }
    }

    /** Nothing is queued for a caller that gave up: it retries, and queueing now would queue the batch twice. */
    private static void checkCallerThere(java.util.function.BooleanSupplier callerGone) {
        if (callerGone.getAsBoolean()) {
            throw ExportException.retryable("caller_gone", "the caller gave up before the batch was queued; it retries", QUEUE_FULL_RETRY);
        }
    }

    private static ExportException refused(DestinationWorker full) {
        full.refused();
        return ExportException.retryable("queue_full", "the queue of destination " + full.spec().name() + " is full", QUEUE_FULL_RETRY);
    }

    /** Room in every target's queue, or none taken: null, or the worker whose queue had none. */
    private static DestinationWorker reserveAll(List<Target> todo) {
        for (int i = 0; i < todo.size(); i++) {
            Target t = todo.get(i);
            if (!t.worker().reserve(t.body().length)) {
                todo.subList(0, i).forEach(r -> r.worker().release(r.body().length));
                return t.worker();
            }
        }
        return null;
    }

    /** A worker's batch left its queue: callers waiting for room try again. */
    private void roomFreed() {
        if (waitingForRoom.get() > 0) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /** Ready while every destination can take data (drop-oldest ones always can). */
    public boolean canTakeData() {
        return workers.stream().allMatch(DestinationWorker::canTakeData);
    }

    private void syncAll() {
        for (DestinationWorker worker : workers) {
            try {
                worker.sync();
            } catch (RuntimeException e) {
                LOG.warnf("cannot fsync the queue of %s: %s", worker.spec().name(), e.getMessage());
            }
        }
    }

    /** Stop taking, let healthy destinations drain for drain-timeout, keep the rest on disk. */
    void shutdown(@Observes ShutdownEvent event) {
        long deadline = System.nanoTime() + config.drainTimeout().toNanos();
        workers.parallelStream().forEach(w -> w.stop(deadline));
        fsync.close();
        for (DestinationWorker worker : workers) {
            int left = worker.waiting();
            worker.close();
            if (left > 0) {
                LOG.infof("destination %s: %d batch(es) kept on disk for the next start", worker.spec().name(), left);
            }
        }
    }
}
