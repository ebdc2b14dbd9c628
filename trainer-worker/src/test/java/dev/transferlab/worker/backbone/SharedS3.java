package dev.transferlab.worker.backbone;

import dev.transferlab.common.storage.ObjectStore;
import dev.transferlab.common.storage.S3Settings;
import dev.transferlab.infra.InfraProcess;


/** One real S3 server (S3Proxy, from local-infra) for this module's tests, started on first use. */
final class SharedS3 {

    static final String BUCKET = "transferlab-test";
    private static InfraProcess infra;

    private SharedS3() {
    }

    static synchronized ObjectStore store() {
        if (infra == null) {
            infra = InfraProcess.startTemporary("transferlab-s3-");
            Runtime.getRuntime().addShutdownHook(new Thread(infra::close));
        }
        ObjectStore store = new ObjectStore(S3Settings.selfHosted(infra.s3Endpoint(), infra.accessKey(),
                infra.secretKey(), BUCKET));
        store.ensureBucket(BUCKET);
        return store;
    }
}
