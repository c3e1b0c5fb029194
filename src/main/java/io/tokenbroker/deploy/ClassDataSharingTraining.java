package io.tokenbroker.deploy;

import io.quarkus.runtime.ApplicationLifecycleManager;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * Ends the training run that writes the class-data-sharing (AppCDS) archive: when the JVM runs with
 * {@code -Dquarkus.appcds.generate=true} (as {@code Dockerfile.jvm} does, with
 * {@code -XX:ArchiveClassesAtExit}), the application stops as soon as it has started, so the archive
 * holds every class a start loads and the image build does not wait on a server.
 */
@Singleton
class ClassDataSharingTraining {

    private static final Logger LOG = Logger.getLogger(ClassDataSharingTraining.class);

    void onStart(@Observes StartupEvent start) {
        if (ApplicationLifecycleManager.isAppCDSGeneration()) {
            LOG.info("Started for the class-data-sharing archive (quarkus.appcds.generate); stopping");
            Quarkus.asyncExit(0);
        }
    }
}
