#!/usr/bin/env python3
"""torchvision's side of bench/decode.sh: PIL decode, Resize(255), CenterCrop(224), ToTensor, Normalize of the same
files, from bytes in memory as the Java side does, with one process and with one per core (as DataLoader workers).

    decode_pil.py DIR
"""
import io
import multiprocessing
import os
import sys
import time

from PIL import Image
from torchvision import transforms

TRANSFORM = transforms.Compose([transforms.Resize(255), transforms.CenterCrop(224), transforms.ToTensor(),
                                transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])


def preprocess(data):
    """The CPU time one image takes, in the worker process."""
    start = time.process_time()
    TRANSFORM(Image.open(io.BytesIO(data)).convert("RGB"))
    return time.process_time() - start


def measure(images, processes):
    """Images per second, and CPU seconds per image (which other builds on the machine disturb far less)."""
    with multiprocessing.Pool(processes) as pool:
        pool.map(preprocess, images[:50])  # warm-up: imports and first calls (there is no JIT to wait for)
        start = time.perf_counter()
        cpu = sum(pool.map(preprocess, images, chunksize=8))
        return len(images) / (time.perf_counter() - start), cpu / len(images)


def main(directory):
    import torch
    torch.set_num_threads(1)  # one per process, as DataLoader's workers do
    images = [open(os.path.join(directory, name), "rb").read() for name in sorted(os.listdir(directory))]
    cores = os.cpu_count()
    for processes in [1, cores] if cores > 1 else [1]:
        rate, cpu = measure(images, processes)
        print("PIL %s + torchvision, %d process%s: %.1f images/s, %.2f ms CPU per image" % (
            Image.__version__, processes, "" if processes == 1 else "es", rate, 1e3 * cpu), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
