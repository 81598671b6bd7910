package dev.llmtrace.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogEveryTest {

    @Test
    void oneLinePerIntervalSayingHowManyWereLeftOut() {
        AtomicLong now = new AtomicLong(-5_000_000_000L); // nanoTime may be negative
        LogEvery every = new LogEvery(Duration.ofSeconds(10), now::get);
        List<Long> lines = new ArrayList<>();
        for (int second = 0; second < 25; second++) {
            for (int request = 0; request < 100; request++) {
                every.log(lines::add);
            }
            now.addAndGet(1_000_000_000L);
        }
        assertEquals(List.of(0L, 999L, 999L), lines, "at 0, 10 and 20 s; each after the others in between");
        assertEquals("", LogEvery.leftOut(0));
        assertEquals(" (999 more like it since the last such line)", LogEvery.leftOut(999));
    }

    @Test
    void threadsAtOnceWriteOneLine() throws Exception {
        LogEvery every = new LogEvery(Duration.ofHours(1));
        AtomicInteger written = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int n = 0; n < 1000; n++) {
                    every.log(left -> written.incrementAndGet());
                }
            });
            t.start();
            threads.add(t);
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(1, written.get());
    }
}
