#!/usr/bin/env python3
"""Adds up a PyTorch profiler trace (Chrome trace format) per operator: calls, self time, and the top-level calls
(on the Java side, one per JNI call into the engine).

    profile-summary.py TRACE [TRACE ...]
"""
import collections
import json
import sys


def summary(path):
    events = json.load(open(path))
    events = events["traceEvents"] if isinstance(events, dict) else events
    events = [e for e in events if e.get("ph") == "X"]
    per_op = collections.defaultdict(lambda: [0, 0.0])
    top_level = 0
    for tid in {e["tid"] for e in events}:
        stack = []  # (end, event, children's time)
        for event in sorted((e for e in events if e["tid"] == tid), key=lambda e: (e["ts"], -e["dur"])):
            while stack and stack[-1][0] <= event["ts"]:
                close(stack.pop(), stack, per_op)
            if not stack:
                top_level += 1
            stack.append([event["ts"] + event["dur"], event, 0.0])
        while stack:
            close(stack.pop(), stack, per_op)
    return per_op, top_level


def close(entry, stack, per_op):
    end, event, children = entry
    per_op[event["name"]][0] += 1
    per_op[event["name"]][1] += event["dur"] - children
    if stack:
        stack[-1][2] += event["dur"]


for path in sys.argv[1:]:
    per_op, top_level = summary(path)
    total = sum(t for _, t in per_op.values())
    print("%s: %d operator calls, %d top-level, %.3f s self time in all" % (
        path, sum(n for n, _ in per_op.values()), top_level, total / 1e6))
    print("  %-36s %7s %10s %7s" % ("operator", "calls", "self s", "share"))
    for name, (calls, self_time) in sorted(per_op.items(), key=lambda item: -item[1][1])[:15]:
        print("  %-36s %7d %10.3f %6.1f%%" % (name, calls, self_time / 1e6, 100 * self_time / total))
