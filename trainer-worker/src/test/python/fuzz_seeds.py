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
    # Inputs that crashed the readers before they were bounded (see the unit tests named in each comment).
    list_key = b"\x80\x02}]]aNs."  # SafeUnpicklerTest.aDictKeyThatIsNotAScalarIsRefused: hashed recursively
    stride_0 = zip_of({"archive/data.pkl": STRIDE_0_VIEW, "archive/data/0": bytes(4)})  # OutOfMemoryError
    offsets_object = safetensors_of({"n": {"dtype": "U8", "shape": [1], "data_offsets": {"a": 0, "b": 1}}}, b"\x00")

    write(resources, WEIGHTS + "/SafeUnpicklerFuzzTestInputs/anyPickleLoadsOrIsRefused", {
        "views-data.pkl": entry(views_zip, "/data.pkl"),
        "dtypes-data.pkl": entry(dtypes_zip, "/data.pkl"),
        "truncated-data.pkl": entry(views_zip, "/data.pkl")[:-7],
        **{"plain-protocol-%d.pkl" % p: pickle.dumps(plain, p) for p in (2, 3, 4, 5)},
        "legacy-magic.pkl": fixture("views-legacy.pth")[:64],
        "hostile-os-system.pkl": fixture("hostile-os-system.pkl"),
        "hostile-stack-global.pkl": fixture("hostile-stack-global.pkl"),
        "list-as-dict-key.pkl": list_key,
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
        "stride-0-view-of-a-billion.pt": stride_0,
        "offsets-as-object.safetensors": offsets_object,
    })
    write(resources, ML + "/SafeTensorsFuzzTestInputs/anyFileReadsOrIsRefused", {
        "views.safetensors": fixture("views-expected.safetensors"),
        "dtypes.safetensors": safetensors,
        "truncated.safetensors": safetensors[:-5],
        "offsets-as-object.safetensors": offsets_object,  # a NullPointerException
    })


# WeightsFileTest.aViewLargerThanTheFileIsRefusedBeforeItIsAllocated: one float viewed as 10^9 with stride 0.
STRIDE_0_VIEW = (b"\x80\x02}X\x01\x00\x00\x00wctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storage"
                 b"ctorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x01tQK\x00(J" + struct.pack("<i", 10 ** 9)
                 + b"t(K\x00t\x89ccollections\nOrderedDict\n)RtRs.")


def zip_of(entries):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name, data in entries.items():
            archive.writestr(fixed_date(name, zipfile.ZIP_STORED), data)
    return out.getvalue()


def safetensors_of(header, data):
    text = json.dumps(header, separators=(",", ":")).encode()
    return struct.pack("<Q", len(text)) + text + data


def rezip(archive, method):
    """The same entries, recompressed: torch stores its entries, but a re-zipped checkpoint deflates them."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as source, zipfile.ZipFile(out, "w", method) as target:
        for name in source.namelist():
            target.writestr(fixed_date(name, method), source.read(name))
    return out.getvalue()


def fixed_date(name, method):
    """The same bytes on every run, whatever the time."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = method
    return info


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
