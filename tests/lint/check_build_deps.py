#!/usr/bin/python3
"""Every header and library this build used comes from a package scripts/install-deps.sh installs
(or one those depend on), so a fresh Debian 12 machine that ran the script builds too. The
exporter itself (everything under BUILD_DIR/exporter) must build from BUILD_PACKAGES alone,
what the quick start installs; tests may use TEST_PACKAGES too.

And the build packages bring no service (a systemd unit or init script of a package that is not
part of every Debian system): the quick start runs on edge hosts, where a test's Postfix or
Apache would come up as a daemon.

Usage: check_build_deps.py SOURCE_DIR BUILD_DIR [--without P]... [--as-test P]... [--as-build P]...
(--without drops a package from the lists, --as-test moves one to TEST_PACKAGES, --as-build to
BUILD_PACKAGES: the self-tests that the check bites)

Headers are read from the compilers' dependency files (*.o.d), libraries from the link lines
(link.txt); each file outside the two trees is looked up with `dpkg -S`. A file no package owns
is an error too: it was installed by hand."""

import glob
import os
import re
import subprocess
import sys


def listed_packages(script, array):
    """The ARRAY=( ... ) of install-deps.sh, comments dropped."""
    with open(script) as f:
        text = f.read()
    body = re.search(rf"^{array}=\((.*?)^\)", text, re.M | re.S).group(1)
    return {w for line in body.splitlines() for w in line.split("#")[0].split()}


def used_files(build, trees):
    files = set()
    for depfile in glob.glob(os.path.join(build, "**", "*.o.d"), recursive=True):
        with open(depfile) as f:
            text = f.read().replace("\\\n", " ")
        for word in text.split()[1:]:
            if not word.endswith(":"):
                files.add(word)
    compiler_libs = set()
    for link in glob.glob(os.path.join(build, "**", "link.txt"), recursive=True):
        with open(link) as f:
            words = f.read().split()
        for word in words[1:]:
            if word.startswith("-l"):
                compiler_libs.add(word[2:])
            elif re.search(r"\.(so(\.[\d.]+)?|a)$", word) and os.path.isabs(word):
                files.add(word)
    for lib in compiler_libs:  # what the compiler driver resolves -lNAME to
        out = subprocess.run(["c++", f"-print-file-name=lib{lib}.so"], capture_output=True,
                             text=True).stdout.strip()
        if os.path.isabs(out):
            files.add(out)
    outside = set()
    for path in files:
        real = os.path.realpath(path if os.path.isabs(path) else os.path.join(build, path))
        if not any(real.startswith(t + os.sep) for t in trees):
            outside.add(os.path.normpath(path if os.path.isabs(path) else real))
    return outside


def owners(paths):
    """{path: package} by `dpkg -S`, trying the path as given and resolved (usrmerge)."""
    found = {}
    candidates = {}
    for p in paths:
        for c in {p, os.path.realpath(p), re.sub(r"^/usr(/lib|/bin|/sbin)", r"\1", p)}:
            candidates.setdefault(c, p)
    names = sorted(candidates)
    for i in range(0, len(names), 500):
        out = subprocess.run(["dpkg", "-S", *names[i:i + 500]], capture_output=True,
                             text=True).stdout
        for line in out.splitlines():
            pkgs, _, path = line.partition(": ")
            if path in candidates and "diversion" not in pkgs:
                found.setdefault(candidates[path], pkgs.split(",")[0].split(":")[0].strip())
    return found


def closure(roots):
    """The roots and everything they depend on (Depends, Pre-Depends), as installed."""
    out = subprocess.run(["dpkg-query", "-W", "-f", "${Package}\t${Provides}\t${Depends}, "
                          "${Pre-Depends}\n"], capture_output=True, text=True, check=True).stdout
    depends, provided = {}, {}
    for line in out.splitlines():
        name, provides, deps = line.split("\t")
        depends[name] = [[re.split(r"[ (:]", alt.strip())[0] for alt in group.split("|")]
                         for group in deps.split(",") if group.strip()]
        for p in provides.split(","):
            if p.strip():
                provided.setdefault(re.split(r"[ (]", p.strip())[0], []).append(name)
    seen, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        for real in [name] + provided.get(name, []):
            if real in depends and real not in seen:
                seen.add(real)
                for group in depends[real]:
                    todo.extend(group)  # any alternative may be the one installed
    return seen


def check(files, allowed, what):
    """Problems of `files` (used by `what`) with packages outside `allowed`."""
    owned = owners(files)
    errors = [f"{path}: no package owns it (installed by hand?)"
              for path in sorted(files - owned.keys())]
    by_package = {}
    for path, pkg in owned.items():
        by_package.setdefault(pkg, []).append(path)
    for pkg, paths in sorted(by_package.items()):
        if pkg not in allowed:
            errors.append(f"{pkg} (e.g. {sorted(paths)[0]}) is used by {what} but neither "
                          "listed there nor a dependency of what is")
    return errors, len(by_package)


def services(packages):
    """Problems: units and init scripts of `packages` outside Debian's required and important."""
    out = subprocess.run(["dpkg-query", "-W", "-f", "${Package}\t${Priority}\n", *sorted(packages)],
                         capture_output=True, text=True).stdout
    optional = [name for name, priority in (l.split("\t") for l in out.splitlines())
                if priority not in ("required", "important")]
    problems = []
    for pkg in optional:
        files = subprocess.run(["dpkg", "-L", pkg], capture_output=True, text=True).stdout
        found = [f for f in files.splitlines()
                 if re.match(r"^(/usr)?/lib/systemd/system/[^/]+\.(service|socket)$", f)
                 or re.match(r"^/etc/init\.d/[^/]+$", f)]
        if found:
            problems.append(f"{pkg} brings a service ({found[0]}) and is needed by BUILD_PACKAGES "
                            "of scripts/install-deps.sh, which the quick start installs")
    return problems


def main(source, build, without, as_test, as_build):
    trees = [os.path.realpath(source), os.path.realpath(build)]
    script = os.path.join(source, "scripts", "install-deps.sh")
    build_packages = ((listed_packages(script, "BUILD_PACKAGES") | set(as_build)) - set(without)
                      - set(as_test))
    test_packages = ((listed_packages(script, "TEST_PACKAGES") | set(as_test)) - set(without)
                     - set(as_build))
    exporter_build = os.path.join(build, "exporter")
    exporter_files = used_files(exporter_build, trees)
    files = used_files(build, trees)
    if not exporter_files:
        print(f"no dependency files under {exporter_build}: build it first", file=sys.stderr)
        return 1
    errors, exporter_packages = check(
        exporter_files, closure(build_packages),
        "the exporter (BUILD_PACKAGES of scripts/install-deps.sh, what the quick start installs)")
    more, packages = check(files - exporter_files, closure(build_packages | test_packages),
                           "the tests (BUILD_PACKAGES and TEST_PACKAGES of scripts/install-deps.sh)")
    errors += more + services(closure(build_packages))
    for e in errors:
        print(e, file=sys.stderr)
    print(f"{len(exporter_files)} files from {exporter_packages} packages for the exporter, "
          f"{len(files - exporter_files)} more from {packages} for the tests: "
          f"{'ok' if not errors else f'{len(errors)} problems'}")
    return 1 if errors else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    flag = lambda name: [args[i + 1] for i, a in enumerate(args) if a == name]
    sys.exit(main(args[0], args[1], flag("--without"), flag("--as-test"), flag("--as-build")))
