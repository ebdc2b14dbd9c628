#!/usr/bin/python3
"""Seed corpora of the weights fuzz targets (a few KB each), derived from the parity fixtures torch wrote.

  fuzz_seeds.py [RESOURCES]     RESOURCES defaults to src/test/resources

Standard library only: the torch-written files come from src/test/resources/parity (parity_fixtures.py made them
with Debian's python3-torch); the plain pickles come from Python's own pickle module at protocols 2 to 5, the
safetensors files are written by hand as the format describes. Each target gets valid files and a few damaged ones;
the head checkpoint seeds come from src/test/java/dev/transferlab/worker/ml/HeadCheckpointSeeds.java.
"""
import collections
import io
import json
import os
import pickle
import struct
import sys
import zipfile

WEIGHTS = "dev/transferlab/worker/ml/weights"
ML = "dev/transferlab/worker/ml"


def main(argv):
    resources = argv[1] if len(argv) > 1 else "src/test/resources"

    def fixture(name):
        with open(os.path.join(resources, "parity", name), "rb") as source:
            return source.read()

    def entry(archive, suffix):
        with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
            return zipped.read(next(n for n in zipped.namelist() if n.endswith(suffix)))

    views_zip, dtypes_zip = fixture("views-zip.pt"), fixture("dtypes-zip.pt")
    deflated = rezip(views_zip, zipfile.ZIP_DEFLATED)
    plain = {"weight": [1, 2.5, None, True, False, "text", b"bytes", (1, 2), 2 ** 70, -2 ** 70, 65535, -1],
             "nested": collections.OrderedDict([("a", {"b": [[], ()]})])}
    safetensors = handwritten_safetensors()

    write(resources, WEIGHTS + "/SafeUnpicklerFuzzTestInputs/anyPickleLoadsOrIsRefused", {
        "views-data.pkl": entry(views_zip, "/data.pkl"),
        "dtypes-data.pkl": entry(dtypes_zip, "/data.pkl"),
        "truncated-data.pkl": entry(views_zip, "/data.pkl")[:-7],
        **{"plain-protocol-%d.pkl" % p: pickle.dumps(plain, p) for p in (2, 3, 4, 5)},
        "legacy-magic.pkl": fixture("views-legacy.pth")[:64],
        "hostile-os-system.pkl": fixture("hostile-os-system.pkl"),
        "hostile-stack-global.pkl": fixture("hostile-stack-global.pkl"),
    })
    write(resources, WEIGHTS + "/StoredZipFuzzTestInputs/anyArchiveReadsOrIsRefused", {
        "views-zip.pt": views_zip,
        "dtypes-zip.pt": dtypes_zip,
        "views-deflated.pt": deflated,
        "hostile-zip.pt": fixture("hostile-zip.pt"),
        "truncated.pt": views_zip[:-30],
    })
    write(resources, WEIGHTS + "/WeightsFileFuzzTestInputs/anyFileReadsOrIsRefused", {
        "views-zip.pt": views_zip,
        "views-deflated.pt": deflated,
        "views-legacy.pth": fixture("views-legacy.pth"),
        "views-torch-0.3-style.pth": fixture("views-torch-0.3-style.pth"),
        "dtypes-zip.pt": dtypes_zip,
        "views.safetensors": fixture("views-expected.safetensors"),
        "dtypes.safetensors": safetensors,
        "hostile-legacy.pth": fixture("hostile-legacy.pth"),
        "truncated-legacy.pth": fixture("views-legacy.pth")[:-40],
    })
    write(resources, ML + "/SafeTensorsFuzzTestInputs/anyFileReadsOrIsRefused", {
        "views.safetensors": fixture("views-expected.safetensors"),
        "dtypes.safetensors": safetensors,
        "truncated.safetensors": safetensors[:-5],
    })


def rezip(archive, method):
    """The same entries, recompressed: torch stores its entries, but a re-zipped checkpoint deflates them."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as source, zipfile.ZipFile(out, "w", method) as target:
        for name in source.namelist():
            target.writestr(name, source.read(name))
    return out.getvalue()


def handwritten_safetensors():
    """Every dtype the reader widens to float, and metadata: [offset, offset + bytes) per tensor, data after."""
    tensors = [("f64", "F64", [2], struct.pack("<2d", 1.5, -2)), ("f32", "F32", [1, 2], struct.pack("<2f", 3, 4)),
               ("f16", "F16", [2], struct.pack("<2H", 0x3c00, 0x7bff)), ("bf16", "BF16", [1], struct.pack("<H", 0xbf80)),
               ("i64", "I64", [1], struct.pack("<q", -7)), ("i32", "I32", [1], struct.pack("<i", 9)),
               ("i16", "I16", [1], struct.pack("<h", -3)), ("i8", "I8", [2], struct.pack("<2b", -1, 1)),
               ("u8", "U8", [2], bytes([0, 255])), ("bool", "BOOL", [1], bytes([1])), ("empty", "F32", [0, 3], b"")]
    header, data = {"__metadata__": {"format": "pt"}}, b""
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def write(resources, folder, files):
    directory = os.path.join(resources, folder)
    os.makedirs(directory, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(directory, name), "wb") as out:
            out.write(data)


if __name__ == "__main__":
    main(sys.argv)
