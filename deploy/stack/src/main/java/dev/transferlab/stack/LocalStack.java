package dev.transferlab.stack;

import dev.transferlab.infra.DemoRealm;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar deploy/stack/target/local-stack.jar [demo|run] [options]}: starts the platform on this machine;
 * {@code demo} (the default) also trains and queries a model, then keeps the stack up until Ctrl-C.
 */
public final class LocalStack {
    private static final String USAGE = """
            usage: java -jar deploy/stack/target/local-stack.jar [demo|run] [options]
              demo                 start the stack, train a model on generated images, predict, keep running
              run                  start the stack and keep it running
              --data DIR           data folder for Kafka, object storage and logs (default .stack-data)
              --kafka-port N       Kafka broker port (default 9092; 0 picks a free one)
              --s3-port N          S3 API port (default 9000)
              --api-port N         api-service HTTP port (default 8080)
              --worker-port N      trainer-worker HTTP port (default 8081)
              --keycloak-port N    the OpenID provider's HTTP port (default 8180)
              --no-auth            no OpenID provider; the api-service lets every request act as an admin
                                   (single-user laptop only)
              --weights LOCATION   DenseNet121 weights: https URL, s3:// or path; .pth (legacy or zip) or
                                   .safetensors, e.g. torchvision's densenet121-a639ec97.pth; default: random
              --exit               stop the stack when the demo is done instead of waiting for Ctrl-C
            """;

    private LocalStack() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path home = Stack.home();
        LocalStackOptions options = LocalStackOptions.defaults(home);
        String command = "demo";
        boolean exit = false;
        boolean auth = true;
        int keycloakPort = options.keycloakPort();
        int[] ports = {options.kafkaPort(), options.s3Port(), options.apiPort(), options.workerPort()};
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "demo", "run" -> command = args[i];
                case "--data" -> options = options.withDataDir(Path.of(args[++i]).toAbsolutePath());
                case "--kafka-port" -> ports[0] = Integer.parseInt(args[++i]);
                case "--s3-port" -> ports[1] = Integer.parseInt(args[++i]);
                case "--api-port" -> ports[2] = Integer.parseInt(args[++i]);
                case "--worker-port" -> ports[3] = Integer.parseInt(args[++i]);
                case "--keycloak-port" -> keycloakPort = Integer.parseInt(args[++i]);
                case "--no-auth" -> auth = false;
                case "--weights" -> options = options.withBackboneWeights(args[++i]);
                case "--exit" -> exit = true;
                case "-h", "--help" -> {
                    System.out.print(USAGE);
                    return;
                }
                default -> {
                    System.err.print("unknown argument " + args[i] + "\n" + USAGE);
                    System.exit(2);
                }
            }
        }
        options = options.withPorts(ports[0], ports[1], ports[2], ports[3]).withAuth(auth, keycloakPort);
        System.out.println("Starting Kafka, S3 store, " + (auth ? "Keycloak, " : "") + "api-service and"
                + " trainer-worker (data in " + options.dataDir() + ") ...");
        long started = System.nanoTime();
        Stack stack = Stack.start(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stack.close();
            stopped.countDown();
        }));
        System.out.printf("Stack up in %.1f s%n", (System.nanoTime() - started) / 1e9);
        if (command.equals("demo")) {
            new Demo(stack, System.out).run(options.backboneWeights().isEmpty());
        }
        System.out.println("\nThe stack is running:");
        System.out.println("  web console     " + stack.apiUrl() + "/console/");
        System.out.println("  REST API        " + stack.apiUrl() + "/v1/training-jobs");
        System.out.println("  api health      " + stack.apiUrl() + "/q/health");
        System.out.println("  worker health   " + stack.workerUrl() + "/q/health");
        System.out.println("  Kafka           " + stack.infra().kafkaBootstrap());
        System.out.println("  S3 API          " + stack.infra().s3Endpoint() + "  (access key "
                + stack.infra().accessKey() + ", secret " + stack.infra().secretKey() + ", bucket " + Stack.BUCKET + ")");
        System.out.println("  logs            " + options.dataDir().resolve("logs"));
        stack.keycloak().ifPresentOrElse(keycloak -> {
            System.out.println("  OpenID provider " + keycloak.issuer() + "  (Keycloak), demo users:");
            DemoRealm.USERS.forEach(user -> System.out.println("                  " + user));
            System.out.println("\nA token for curl, as " + DemoRealm.ALICE.name() + ":");
            System.out.println("  TOKEN=$(" + keycloak.curlExample(DemoRealm.ALICE) + ")");
            System.out.println("  curl -H \"Authorization: Bearer $TOKEN\" " + stack.apiUrl() + "/v1/training-jobs");
        }, () -> System.out.println("  AUTHENTICATION IS OFF (--no-auth): anyone who reaches the API acts as an"
                + " admin"));
        if (exit) {
            System.exit(0);
        }
        System.out.println("Press Ctrl-C to stop.");
        stopped.await();
    }
}
