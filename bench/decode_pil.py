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
    return TRANSFORM(Image.open(io.BytesIO(data)).convert("RGB")).shape


def rate(images, processes):
    with multiprocessing.Pool(processes) as pool:
        pool.map(preprocess, images[:50])  # warm-up, as on the Java side
        start = time.perf_counter()
        pool.map(preprocess, images, chunksize=8)
        return len(images) / (time.perf_counter() - start)


def main(directory):
    import torch
    torch.set_num_threads(1)  # one per process, as DataLoader's workers do
    images = [open(os.path.join(directory, name), "rb").read() for name in sorted(os.listdir(directory))]
    single = rate(images, 1)
    print("PIL %s + torchvision, 1 process:  %.1f images/s" % (Image.__version__, single))
    cores = os.cpu_count()
    if cores > 1:
        many = rate(images, cores)
        print("PIL %s + torchvision, %d processes: %.1f images/s (%.2fx one process)" % (
            Image.__version__, cores, many, many / single))


if __name__ == "__main__":
    main(sys.argv[1])
