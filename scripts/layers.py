#!/usr/bin/env python3
"""The layer check: corebench's sources stand in layers (docs/ARCHITECTURE.md)
and nothing may run back up or in a circle.

    scripts/layers.py [--build DIR] [--graph]

Layers, bottom to top (a file may use its own layer and the ones below):

    plugins   kernels/, executors/ (and the plug-in support kernels/plugin.*)
    base      harness/base/     text, units
    model     harness/model/    the result model, statistics, files
    machine   harness/machine/  topology, environment, counters
    output    harness/output/   reporters and tables: read a settled model
    run       harness/run/      the sweep, samples, probe, watchdog
    report    harness/report/   report pages and figures
    cli       harness/cli/      commands and main()

Checked:
  * every harness source lives in one of the layer folders;
  * includes: a file includes only headers of its layer or below, and a
    plug-in (kernel or executor) only plug-in headers;
  * calls: with --build (a CMake build of corebench), every symbol an
    object file uses from another one is defined in its layer or below
    (read with nm, so macros and inline calls count as what they compile
    to);
  * cycles: no two source files (.c) call each other, directly or round a
    longer loop, and no headers include each other in a loop.

Exits 1 naming each offence, 0 with a one-line summary. --graph prints the
file-level edges instead."""
import argparse
import os
import re
import subprocess
import sys

LAYERS = ["plugins", "base", "model", "machine", "output", "run", "report",
          "cli"]
RANK = {name: i for i, name in enumerate(LAYERS)}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(rel):
    """The layer of a repository-relative path, None outside the layers
    (tests, fuzz targets), '?' for a harness file outside every folder."""
    parts = rel.split("/")
    if parts[0] in ("kernels", "executors"):
        return "plugins"
    if parts[0] == "harness":
        if len(parts) > 2 and parts[1] in RANK:
            return parts[1]
        return "?"
    return None


def sources(root):
    out = []
    for top in ("harness", "kernels", "executors"):
        for d, _, files in os.walk(os.path.join(root, top)):
            for f in files:
                if f.endswith((".c", ".h")):
                    out.append(os.path.relpath(os.path.join(d, f), root))
    return sorted(out)


def include_dirs(root):
    """What the build puts on each layer's include path (CMakeLists.txt):
    the repository root and every layer folder of the harness."""
    dirs = [root]
    dirs += [os.path.join(root, "harness", name) for name in LAYERS[1:]]
    return dirs


def resolve(root, rel, name, dirs):
    here = os.path.dirname(os.path.join(root, rel))
    for d in [here] + dirs:
        p = os.path.normpath(os.path.join(d, name))
        if os.path.isfile(p):
            return os.path.relpath(p, root)
    return None


def include_edges(root, files):
    dirs = include_dirs(root)
    edges = []
    for rel in files:
        with open(os.path.join(root, rel), encoding="utf-8") as f:
            text = f.read()
        for name in INCLUDE.findall(text):
            target = resolve(root, rel, name, dirs)
            if target and target != rel:
                edges.append((rel, target, name))
    return edges


def objects(build):
    """(source path relative to the repository, object path) of the build's
    layer libraries and main(): the objects their link lines name (so a
    stale object of a source no longer built is not read)."""
    out = []
    cmf = os.path.join(build, "CMakeFiles")
    for d in sorted(os.listdir(cmf)):
        if not (d.startswith("cb_") or d == "corebench.dir"):
            continue
        link = os.path.join(cmf, d, "link.txt")
        if not os.path.isfile(link):
            continue
        with open(link, encoding="utf-8") as f:
            words = f.read().split()
        prefix = "CMakeFiles/" + d + "/"
        for w in words:
            if w.startswith(prefix) and w.endswith(".c.o"):
                out.append((w[len(prefix):-2], os.path.join(build, w)))
    return out


def call_edges(build):
    defs, undef = {}, {}
    for src, obj in objects(build):
        res = subprocess.run(["nm", obj], capture_output=True, text=True,
                             check=True).stdout
        undef[src] = set()
        for line in res.splitlines():
            p = line.split()
            if len(p) == 2 and p[0] == "U":
                undef[src].add(p[1])
            elif len(p) == 3 and p[1] in "TDBRGSV":
                defs[p[2]] = src
    edges = []
    for src, names in undef.items():
        for name in sorted(names):
            if name in defs and defs[name] != src:
                edges.append((src, defs[name], name))
    return edges


def cycles(edges):
    """Strongly connected components of more than one node (Tarjan)."""
    graph = {}
    for a, b, _ in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), ".."))
    ap.add_argument("--build", help="a CMake build directory: check calls")
    ap.add_argument("--graph", action="store_true",
                    help="print the file-level edges and exit")
    a = ap.parse_args()
    root = os.path.abspath(a.root)
    files = sources(root)
    bad = []

    for rel in files:
        if layer_of(rel) == "?":
            bad.append(f"{rel}: outside every layer folder of harness/ "
                       f"({', '.join(LAYERS[1:])})")

    inc = include_edges(root, files)
    calls = call_edges(a.build) if a.build else []
    if a.graph:
        for kind, edges in (("include", inc), ("call", calls)):
            for src, dst, what in edges:
                print(f"{kind}\t{layer_of(src)}\t{src}\t{layer_of(dst)}\t"
                      f"{dst}\t{what}")
        return 0

    for src, dst, name in inc:
        ls, ld = layer_of(src), layer_of(dst)
        if ls is None or ld is None or "?" in (ls, ld):
            continue
        if ls == "plugins" and ld != "plugins":
            bad.append(f"{src}: includes {name} ({ld}): a plug-in sees only "
                       f"the plug-in headers")
        elif RANK[ld] > RANK[ls]:
            bad.append(f"{src}: includes {name}, a header of {ld}, above "
                       f"its own layer ({ls})")
    for src, dst, sym in calls:
        ls, ld = layer_of(src), layer_of(dst)
        if ls is None or ld is None or "?" in (ls, ld):
            continue
        if RANK[ld] > RANK[ls]:
            bad.append(f"{src}: calls {sym} of {dst} ({ld}), above its own "
                       f"layer ({ls})")

    headers = [e for e in inc if e[0].endswith(".h") and e[1].endswith(".h")]
    for comp in cycles(headers):
        bad.append("headers include each other in a loop: " +
                   " -> ".join(comp))
    for comp in cycles(calls):
        bad.append("sources call each other in a loop: " + " <-> ".join(comp))

    if bad:
        for line in bad:
            print("layers: " + line)
        return 1
    nc = len(set(s for s, _, _ in calls))
    print(f"layers: {len(files)} files in {len(LAYERS)} layers, "
          f"{len(inc)} includes" +
          (f", {len(calls)} calls from {nc} objects" if a.build else "") +
          ": no edge runs up, no cycle")
    return 0


if __name__ == "__main__":
    sys.exit(main())
