package dev.transferlab.worker.ml;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;

import java.util.Locale;

/**
 * Chooses where the engine computes, and in which number type. Only these choices differ between CPU and GPU; all
 * other code is shared.
 */
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

    /**
     * The type the backbone computes in: "fp32" (default) or "fp16", on any device (libtorch 2.5 runs fp16 on a CPU
     * too, only slower than fp32: README, "Batch size and precision"). "bf16" is refused here: DJL 0.33's PyTorch
     * bindings have no bfloat16 conversion, and asking them for one aborts the whole process.
     */
    public static DataType precision(String preference) {
        String choice = preference == null ? "fp32" : preference.trim().toLowerCase(Locale.ROOT);
        return switch (choice) {
            case "fp32" -> DataType.FLOAT32;
            case "fp16" -> DataType.FLOAT16;
            case "bf16" -> throw new IllegalArgumentException("precision bf16 is not available: DJL "
                    + Engine.getDjlVersion() + "'s PyTorch bindings cannot convert tensors to bfloat16 (the native "
                    + "conversion aborts the process); use fp16 or fp32");
            default -> throw new IllegalArgumentException("unknown precision '" + preference + "'; use fp32 or fp16");
        };
    }

    private static int parseIndex(String preference, String index) {
        try {
            return Integer.parseInt(index);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad GPU index in device '" + preference + "'");
        }
    }
}
