package io.tokenbroker.support;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** Background schedulers of the broker: one daemon thread each, named for thread dumps. */
public final class DaemonThreads {

    private DaemonThreads() {
    }

    public static ScheduledExecutorService scheduler(String name) {
        return Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
    }
}
