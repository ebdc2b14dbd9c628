package dev.transferlab.worker.ml.weights;

/**
 * A storage named by a checkpoint's pickle; its bytes are stored beside the pickle, under {@code key}. A legacy
 * checkpoint may name a view: {@code size} elements starting at element {@code offset} of that stored storage.
 */
record StorageRef(String key, TorchDType dtype, long offset, long size) {
}
