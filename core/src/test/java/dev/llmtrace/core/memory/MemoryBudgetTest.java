package dev.llmtrace.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {

    @Test
    void oneTenantCannotTakeMoreThanItsShare() {
        MemoryBudget budget = new MemoryBudget(100, 0.6);
        assertTrue(budget.tryAcquire("a", 60));
        assertFalse(budget.tryAcquire("a", 1), "a is at its share");
        assertTrue(budget.tryAcquire("b", 40));
        assertFalse(budget.tryAcquire("b", 1), "the whole budget is held");
        budget.release("a", 60);
        assertTrue(budget.tryAcquire("b", 20));
        assertEquals(60, budget.used());
    }

    @Test
    void aLeaseGivesBackAllItHeld() {
        MemoryBudget budget = new MemoryBudget(100, 1.0);
        try (MemoryBudget.Lease lease = budget.lease("a")) {
            assertTrue(lease.grow(30));
            assertTrue(lease.grow(70));
            assertFalse(lease.grow(1));
            assertEquals(100, lease.held());
        }
        assertEquals(0, budget.used());
    }

    @Test
    void neverOverTheCeilingUnderContention() throws Exception {
        MemoryBudget budget = new MemoryBudget(1000, 0.5);
        AtomicLong highest = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        for (int t = 0; t < 8; t++) {
            String tenant = "t" + (t % 3);
            pool.submit(() -> {
                for (int i = 0; i < 20_000; i++) {
                    if (budget.tryAcquire(tenant, 37)) {
                        highest.accumulateAndGet(budget.used(), Math::max);
                        budget.release(tenant, 37);
                    }
                }
            });
        }
        pool.shutdown();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        assertTrue(highest.get() <= 1000, "highest " + highest.get());
        assertEquals(0, budget.used());
    }
}
