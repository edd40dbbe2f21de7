#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""meson test "install": what `meson install` puts on a machine.

    check_install.py <meson> <build dir> <source dir> <prefix> <bindir>
                     <unitdir> <docdir>

Installs the build into a scratch folder (meson install --destdir, no
rebuild) and checks the tree as an operator would meet it:

- the programs (haven, haven-console, haven-bench, haven_exporter.py) are
  in <bindir> and executable;
- both systemd units are in <unitdir>; every program their Exec lines run
  exists (in the scratch tree when it is ours, on this machine when it is
  the system's: /usr/bin/python3, /bin/kill); every Documentation= link is
  a file:// path to an installed file; no setting still says /usr/local
  when the prefix is another;
- every docs/*.md and README.md is in <docdir>; the example
  configurations, their keys and the alerting rules are in
  <docdir>/examples;
- the installed haven accepts the installed examples/lab.yaml with
  --check (its key files are found beside it).

Prints one line per check and "N passed, N failed" last.
"""

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROGRAMS = ("haven", "haven-console", "haven-bench", "haven_exporter.py")
UNITS = ("haven.service", "haven-exporter.service")
EXAMPLES = ("lab.yaml", "lab-pha.yaml", "lab-ipv6.yaml", "haven-alerts.yml",
            "keys/mn-192.0.2.10.key")


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def __call__(self, ok, what):
        print("%s %s" % ("ok  " if ok else "FAIL", what))
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        return ok


def unit_lines(path):
    """(key, value) of the unit's settings, comments left out."""
    out = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line[0] in "#;[" or "=" not in line:
            continue
        k, _, v = line.partition("=")
        out.append((k.strip(), v.strip()))
    return out


def main(argv):
    if len(argv) != 8:
        print(__doc__, file=sys.stderr)
        return 2
    meson, build, src, prefix, bindir, unitdir, docdir = argv[1:]
    check = Checks()
    dest = Path(tempfile.mkdtemp(prefix="haven-install-"))
    try:
        r = subprocess.run([meson, "install", "-C", build, "--destdir",
                            str(dest), "--no-rebuild", "--quiet"],
                           capture_output=True, text=True, timeout=300)
        if not check(r.returncode == 0, "meson install --destdir %s" %
                     dest):
            print(r.stdout + r.stderr)
            return 1

        def inst(p):
            return dest / str(p).lstrip("/")

        for p in PROGRAMS:
            f = inst(Path(bindir) / p)
            check(f.is_file() and os.access(f, os.X_OK),
                  "program %s/%s installed, executable" % (bindir, p))

        for u in UNITS:
            f = inst(Path(unitdir) / u)
            if not check(f.is_file(), "unit %s/%s installed" % (unitdir,
                                                                 u)):
                continue
            if prefix != "/usr/local":
                left = [k for k, v in unit_lines(f) if "/usr/local" in v]
                check(not left, "%s: no setting says /usr/local (prefix "
                      "%s): %s" % (u, prefix, left or "none"))
            docs = 0
            for k, v in unit_lines(f):
                if k == "Documentation":
                    for url in v.split():
                        docs += 1
                        path = url[len("file://"):] \
                            if url.startswith("file://") else None
                        check(path is not None and inst(path).is_file(),
                              "%s: Documentation=%s installed" % (u, url))
                if k.startswith("Exec"):
                    prog = shlex.split(v)[0].lstrip("-@:+!")
                    args = shlex.split(v)[1:]
                    for p in [prog] + [a for a in args
                                       if a.startswith(bindir + "/")]:
                        ok = inst(p).is_file() if p.startswith(prefix) \
                            else Path(p).is_file()
                        check(ok, "%s: %s runs %s, present" % (u, k, p))
            check(docs > 0, "%s: has Documentation= links" % u)

        for md in sorted(Path(src, "docs").glob("*.md")) + \
                [Path(src, "README.md")]:
            check(inst(Path(docdir) / md.name).is_file(),
                  "%s/%s installed" % (docdir, md.name))
        for e in EXAMPLES:
            check(inst(Path(docdir) / "examples" / e).is_file(),
                  "%s/examples/%s installed" % (docdir, e))

        haven = inst(Path(bindir) / "haven")
        lab = inst(Path(docdir) / "examples" / "lab.yaml")
        r = subprocess.run([str(haven), "-f", str(lab), "--check"],
                           capture_output=True, text=True, timeout=60)
        check(r.returncode == 0 and "configuration OK" in r.stdout,
              "installed haven --check installed examples/lab.yaml: %s" %
              (r.stdout + r.stderr).strip())
    finally:
        shutil.rmtree(dest, ignore_errors=True)
    print("%d passed, %d failed" % (check.passed, check.failed))
    return 0 if check.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
