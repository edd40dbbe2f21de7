#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The application's layer check, run by `meson test`.

Builds the file dependency graph of the haven application from its
objects (file A depends on file B when A uses a global symbol B defines,
read with nm) and fails on any cycle, and on any dependency against the
layer order: a file may use files of its own layer (without a cycle) and
of the layers below it, never one above. Layers, bottom up, are the
folders of app/haven (docs/architecture.md), and main.c on top.
"""

import glob
import os
import subprocess
import sys

LAYERS = ["runtime", "link", "node", "proto", "state", "policy", "ui",
          "main"]


def layer_of(obj):
    """runtime_loop.c.o in libhaven_runtime.a.p -> ("runtime", "runtime/loop.c")."""
    base = os.path.basename(obj)[:-len(".o")]
    lib = os.path.basename(os.path.dirname(obj))
    if lib.startswith("libhaven_"):
        layer = lib[len("libhaven_"):-len(".a.p")]
        return layer, layer + "/" + base[len(layer) + 1:]
    return "main", base


def graph(build):
    objs = sorted(glob.glob(os.path.join(build, "app", "haven", "*.p", "*.o")))
    if not objs:
        sys.exit("check_layers: no objects under %s/app/haven" % build)
    defs, uses, layers = {}, {}, {}
    for o in objs:
        layer, name = layer_of(o)
        layers[name] = layer
        uses[name] = set()
        out = subprocess.run(["nm", o], capture_output=True, text=True,
                             check=True).stdout
        for line in out.splitlines():
            p = line.split()
            if len(p) == 3 and p[1] in "TDBRC":
                defs[p[2]] = name
            elif len(p) == 2 and p[0] == "U":
                uses[name].add(p[1])
    g = {f: sorted({defs[s] for s in u if s in defs and defs[s] != f})
         for f, u in uses.items()}
    return g, layers


def cycles(g):
    """Strongly connected components of more than one file (Tarjan)."""
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in g[v]:
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

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def problems(g, layers):
    bad = []
    for f in sorted(g):
        for t in g[f]:
            if LAYERS.index(layers[t]) > LAYERS.index(layers[f]):
                bad.append("%s (%s) calls up into %s (%s)" %
                           (f, layers[f], t, layers[t]))
    for comp in cycles(g):
        bad.append("dependency cycle: " + " -> ".join(comp))
    return bad


def self_test():
    """The check catches what it must: objects with a call upward and a
    cycle inside a layer, compiled here, are refused; the same objects
    without them pass."""
    import tempfile
    srcs = {
        "libhaven_runtime.a.p/runtime_rt.c": "int rt(void) { return 1; }",
        "libhaven_link.a.p/link_a.c": "int rt(void); int b(void);\n"
                                      "int a(void) { return rt() + b(); }",
        "libhaven_link.a.p/link_b.c": "int a(void); int b(void) { return 2; }"
                                      "\nint c(void) { return a(); }",
        "libhaven_runtime.a.p/runtime_up.c": "int a(void);\n"
                                             "int up(void) { return a(); }",
    }
    with tempfile.TemporaryDirectory() as d:
        for name, text in srcs.items():
            path = os.path.join(d, "app", "haven", name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text + "\n")
            subprocess.run(["cc", "-c", path, "-o", path + ".o"], check=True)
        g, layers = graph(d)
        bad = problems(g, layers)
        assert any("runtime/up.c (runtime) calls up into link/a.c" in b
                   for b in bad), bad
        assert any("cycle: link/a.c -> link/b.c" in b for b in bad), bad
        for name in ("libhaven_runtime.a.p/runtime_up.c",
                     "libhaven_link.a.p/link_b.c"):
            os.remove(os.path.join(d, "app", "haven", name + ".o"))
        g, layers = graph(d)
        assert problems(g, layers) == [], problems(g, layers)
    print("self-test: a call upward and a cycle are caught")


def main():
    self_test()
    g, layers = graph(sys.argv[1] if len(sys.argv) > 1 else "build")
    bad = problems(g, layers)
    for f in sorted(g, key=lambda f: (LAYERS.index(layers[f]), f)):
        print("%-8s %-24s -> %s" % (layers[f], f, " ".join(g[f]) or "-"))
    if bad:
        print("\n".join(["FAIL " + b for b in bad]))
        sys.exit(1)
    print("%d files in %d layers: no cycle, no call upward" %
          (len(g), len(set(layers.values()))))


if __name__ == "__main__":
    main()
