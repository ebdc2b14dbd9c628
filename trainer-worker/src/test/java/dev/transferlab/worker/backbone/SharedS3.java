package dev.transferlab.worker.backbone;

import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.S3Settings;
import dev.transferlab.infra.InfraProcess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/** One real S3 server (S3Proxy, from local-infra) for this module's tests, started on first use. */
final class SharedS3 {

    static final String BUCKET = "transferlab-test";
    private static InfraProcess infra;

    private SharedS3() {
    }

    static synchronized ObjectStore store() {
        if (infra == null) {
            try {
                infra = InfraProcess.start(Files.createTempDirectory("transferlab-s3-"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(infra::close));
        }
        ObjectStore store = new ObjectStore(S3Settings.selfHosted(infra.s3Endpoint(), infra.accessKey(),
                infra.secretKey(), BUCKET));
        store.ensureBucket(BUCKET);
        return store;
    }
}
