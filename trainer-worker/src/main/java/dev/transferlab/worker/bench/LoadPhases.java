package dev.transferlab.worker.bench;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import dev.transferlab.common.messages.BackboneSpec;
import dev.transferlab.worker.ml.DenseNet;
import dev.transferlab.worker.ml.DenseNetWeights;
import dev.transferlab.worker.ml.StopCheck;
import dev.transferlab.worker.ml.Tensor;
import dev.transferlab.worker.ml.weights.WeightsFile;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a cold load of DenseNet121's weights spends its time, in the steps DenseNetLoader takes: the file read and
 * parsed, the blocks built, the values copied into the engine's buffers, hashed, and made the initialised network's
 * parameters. Prints each step's wall and CPU milliseconds (the main thread's: the JIT compiler's and the garbage
 * collector's threads are not counted, as they are in DenseNet121Benchmark's load CPU seconds), then the CPU every
 * thread of the process spent during the whole load, summed by thread name (Linux's /proc/self/task, where the
 * JVM names its compiler and GC threads; Java's own threads and libtorch's are all "java"), so that the JVM's own
 * work shows beside the load's.
 * Usage: LoadPhases WEIGHTS
 */
public final class LoadPhases {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private long wall = System.nanoTime();
    private long cpu = THREADS.getCurrentThreadCpuTime();

    private LoadPhases() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: LoadPhases WEIGHTS");
            System.exit(2);
        }
        // Not a phase of the load: DenseNet121Benchmark leaves it out too.
        Engine.getInstance();
        Map<String, Long> threadsBefore = threadTicks();
        LoadPhases phases = new LoadPhases();
        Map<String, Tensor> stateDict = WeightsFile.read(Path.of(args[0]));
        phases.print("read and parse the file");
        DenseNet network = new DenseNet(BackboneSpec.densenet121());
        phases.print("build the blocks");
        try (Model model = Model.newInstance("densenet121", Device.cpu(), "PyTorch")) {
            DenseNetWeights.load(network, model.getNDManager(), stateDict, StopCheck.NEVER);
            phases.print("copy, hash, initialise");
        }
        Map<String, Long> threadsAfter = threadTicks();
        threadsAfter.forEach((name, ticks) -> {
            long spent = ticks - threadsBefore.getOrDefault(name, 0L);
            if (spent > 0) {
                // The kernel counts in clock ticks of 10 ms (USER_HZ 100).
                System.out.printf(Locale.ROOT, "  threads %-20s %5d ms CPU%n", name, spent * 10);
            }
        });
    }

    /** User and kernel CPU ticks of the process's threads, summed by name (a trailing number dropped). */
    private static Map<String, Long> threadTicks() throws IOException {
        Map<String, Long> ticks = new TreeMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
                            .replaceAll("#?[0-9]+$", "");
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks.merge(name, Long.parseLong(fields[11]) + Long.parseLong(fields[12]), Long::sum);
                } catch (NoSuchFileException e) {
                    // the thread ended meanwhile
                }
            }
        }
        return ticks;
    }

    private void print(String phase) {
        long now = System.nanoTime();
        long cpuNow = THREADS.getCurrentThreadCpuTime();
        System.out.printf(Locale.ROOT, "%-26s %7.1f ms wall %7.1f ms CPU%n", phase, (now - wall) / 1e6,
                (cpuNow - cpu) / 1e6);
        wall = now;
        cpu = cpuNow;
    }
}
