package io.github.camelratelimit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {

    @Test
    void fullBudgetAllows100ThrottleRetriesThenRefuses() {
        RetryBudget budget = new RetryBudget();
        assertEquals(500, budget.available());
        for (int i = 0; i < 100; i++) {
            assertTrue(budget.tryAcquireRetry(true), "retry " + i);
        }
        assertEquals(0, budget.available());
        assertFalse(budget.tryAcquireRetry(true));
        assertFalse(budget.tryAcquireRetry(false));
        assertEquals(0, budget.available());
        assertEquals(100, budget.grantedRetries());
        assertEquals(2, budget.deniedRetries());
    }

    @Test
    void otherRetriesCostTen() {
        RetryBudget budget = new RetryBudget();
        for (int i = 0; i < 50; i++) {
            assertTrue(budget.tryAcquireRetry(false));
        }
        assertFalse(budget.tryAcquireRetry(false));
        assertEquals(0, budget.available());
    }

    @Test
    void successesRefillOneTokenUpToCapacity() {
        RetryBudget budget = new RetryBudget();
        budget.onSuccess();
        assertEquals(500, budget.available()); // never above capacity
        assertTrue(budget.tryAcquireRetry(false));
        assertEquals(490, budget.available());
        for (int i = 0; i < 100; i++) {
            budget.onSuccess();
        }
        assertEquals(500, budget.available());

        while (budget.tryAcquireRetry(true)) {
            // drain
        }
        // 5 successes buy exactly one throttle retry: the steady state is 1 retry per 5 successes
        for (int i = 0; i < 4; i++) {
            budget.onSuccess();
            assertFalse(budget.tryAcquireRetry(true));
        }
        budget.onSuccess();
        assertTrue(budget.tryAcquireRetry(true));
        assertEquals(0, budget.available());
    }

    @Test
    void refillIsCappedAtCapacity() {
        RetryBudget budget = new RetryBudget(new RetryBudget.Config(10, 3, 4, 7));
        assertTrue(budget.tryAcquireRetry(true));
        assertEquals(7, budget.available());
        budget.onSuccess();
        assertEquals(10, budget.available());
    }

    @Test
    void zeroCostNeverRefuses() {
        RetryBudget budget = new RetryBudget(RetryBudget.Config.defaults().withThrottleCost(0));
        for (int i = 0; i < 10_000; i++) {
            assertTrue(budget.tryAcquireRetry(true));
        }
        assertEquals(500, budget.available());
        assertTrue(budget.tryAcquireRetry(false));
        assertEquals(490, budget.available());
    }

    @Test
    void configDefaultsAndValidation() {
        RetryBudget.Config c = RetryBudget.Config.defaults();
        assertEquals(new RetryBudget.Config(500, 5, 10, 1), c);
        assertEquals(5, c.cost(true));
        assertEquals(10, c.cost(false));
        invalid(() -> c.withCapacity(0), "retryBudgetCapacity", "must be between 1 and 1000000");
        invalid(() -> c.withCapacity(2_000_000), "retryBudgetCapacity", "must be between 1 and 1000000");
        invalid(() -> c.withThrottleCost(-1), "retryBudgetThrottleCost",
                "must be between 0 and retryBudgetCapacity (500)");
        invalid(() -> c.withRetryCost(501), "retryBudgetRetryCost", "must be between 0 and retryBudgetCapacity (500)");
        invalid(() -> c.withSuccessRefill(0), "retryBudgetSuccessRefill",
                "must be between 1 and retryBudgetCapacity (500)");
        invalid(() -> c.withCapacity(8), "retryBudgetRetryCost", "must be between 0 and retryBudgetCapacity (8)");
        assertThrows(NullPointerException.class, () -> new RetryBudget(null));
    }

    private static void invalid(Supplier<?> build, String option, String rule) {
        InvalidLimiterConfigException e = assertThrows(InvalidLimiterConfigException.class, build::get);
        assertEquals(option, e.getOption());
        assertTrue(e.getMessage().endsWith("is invalid: " + rule), e.getMessage());
    }

    /**
     * Many threads race retries and successes. Whatever the interleaving: the balance is never negative nor above
     * capacity, and the tokens spent on granted retries never exceed the starting capacity plus what successes
     * could have refilled.
     */
    @Test
    void concurrentUseKeepsTheInvariants() throws Exception {
        RetryBudget.Config config = new RetryBudget.Config(50, 5, 10, 1);
        RetryBudget budget = new RetryBudget(config);
        int threads = 4;
        int opsPerThread = 200_000;
        long[] spent = new long[threads];
        long[] successes = new long[threads];
        long[] grants = new long[threads];
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<String> violation = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers.add(new Thread(() -> {
                SplittableRandom random = new SplittableRandom(id);
                await(start);
                for (int i = 0; i < opsPerThread; i++) {
                    int op = random.nextInt(10);
                    if (op < 6) { // retries outnumber successes so the bucket keeps running dry
                        boolean throttle = op < 3;
                        if (budget.tryAcquireRetry(throttle)) {
                            spent[id] += config.cost(throttle);
                            grants[id]++;
                        }
                    } else {
                        budget.onSuccess();
                        successes[id]++;
                    }
                }
            }, "budget-worker-" + t));
        }
        Thread sampler = new Thread(() -> {
            await(start);
            while (!done.get()) {
                int a = budget.available();
                if (a < 0 || a > config.capacity()) {
                    violation.compareAndSet(null, "balance out of range: " + a);
                }
            }
        }, "budget-sampler");
        workers.forEach(Thread::start);
        sampler.start();
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        done.set(true);
        sampler.join();

        long totalSpent = 0;
        long totalSuccesses = 0;
        long totalGrants = 0;
        for (int t = 0; t < threads; t++) {
            totalSpent += spent[t];
            totalSuccesses += successes[t];
            totalGrants += grants[t];
        }
        assertEquals(null, violation.get());
        int left = budget.available();
        assertTrue(left >= 0 && left <= config.capacity(), "left " + left);
        assertTrue(totalSpent <= config.capacity() + totalSuccesses * config.successRefill(),
                "spent " + totalSpent + " > capacity + refills " + totalSuccesses);
        // what is left is exactly what was not spent of capacity plus the refills that fitted
        long refilledThatFitted = left - config.capacity() + totalSpent;
        assertTrue(refilledThatFitted >= 0 && refilledThatFitted <= totalSuccesses * config.successRefill(),
                "refilled " + refilledThatFitted);
        assertEquals(totalGrants, budget.grantedRetries());
        assertEquals((long) threads * opsPerThread, totalGrants + budget.deniedRetries() + totalSuccesses);
        assertTrue(budget.deniedRetries() > 0, "the test must drain the budget");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
