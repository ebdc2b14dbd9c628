package dev.transferlab.worker.ml;

import ai.djl.Device;
import ai.djl.engine.Engine;

import java.util.Locale;

/** Chooses where the engine computes. Only this choice differs between CPU and GPU; all other code is shared. */
public final class Devices {

    private Devices() {
    }

    /** "cpu", "gpu" or "cuda" (optionally ":index"), or "auto" for the first GPU when the engine sees one. */
    public static Device select(String preference) {
        String choice = preference == null ? "auto" : preference.trim().toLowerCase(Locale.ROOT);
        if (choice.equals("cpu")) {
            return Device.cpu();
        }
        int gpus = Engine.getInstance().getGpuCount();
        if (choice.equals("auto")) {
            return gpus > 0 ? Device.gpu() : Device.cpu();
        }
        String[] parts = choice.split(":", 2);
        if (parts[0].equals("gpu") || parts[0].equals("cuda")) {
            int index = parts.length == 2 ? parseIndex(preference, parts[1]) : 0;
            if (index >= gpus) {
                throw new IllegalStateException("device '" + preference + "' was requested but the "
                        + Engine.getInstance().getEngineName() + " engine sees " + gpus + " GPU(s); install the CUDA"
                        + " natives and drivers, or choose 'cpu' or 'auto'");
            }
            return Device.gpu(index);
        }
        throw new IllegalArgumentException("unknown device '" + preference + "'; use cpu, gpu, cuda or auto");
    }

    private static int parseIndex(String preference, String index) {
        try {
            return Integer.parseInt(index);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad GPU index in device '" + preference + "'");
        }
    }
}
