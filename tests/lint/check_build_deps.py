#!/usr/bin/python3
"""Every header and library this build used comes from a package scripts/install-deps.sh installs
(or one those depend on), so a fresh Debian 12 machine that ran the script builds too.

Usage: check_build_deps.py SOURCE_DIR BUILD_DIR [--without PACKAGE]...
(--without drops a package from the list: the self-test that the check bites)

Headers are read from the compilers' dependency files (*.o.d), libraries from the link lines
(link.txt); each file outside the two trees is looked up with `dpkg -S`. A file no package owns
is an error too: it was installed by hand."""

import glob
import os
import re
import subprocess
import sys


def listed_packages(script):
    """The PACKAGES=( ... ) array of install-deps.sh, comments dropped."""
    with open(script) as f:
        text = f.read()
    body = re.search(r"^PACKAGES=\((.*?)^\)", text, re.M | re.S).group(1)
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


def main(source, build, without):
    trees = [os.path.realpath(source), os.path.realpath(build)]
    listed = listed_packages(os.path.join(source, "scripts", "install-deps.sh")) - set(without)
    allowed = closure(listed)
    files = used_files(build, trees)
    if not files:
        print(f"no dependency files under {build}: build it first", file=sys.stderr)
        return 1
    owned = owners(files)
    errors = [f"{path}: no package owns it (installed by hand?)"
              for path in sorted(files - owned.keys())]
    by_package = {}
    for path, pkg in owned.items():
        by_package.setdefault(pkg, []).append(path)
    for pkg, paths in sorted(by_package.items()):
        if pkg not in allowed:
            errors.append(f"{pkg} (e.g. {sorted(paths)[0]}) is used by the build but neither "
                          "listed in scripts/install-deps.sh nor a dependency of what it lists")
    for e in errors:
        print(e, file=sys.stderr)
    print(f"{len(files)} files from {len(by_package)} packages: "
          f"{'ok' if not errors else f'{len(errors)} problems'}")
    return 1 if errors else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(main(args[0], args[1], [args[i + 1] for i, a in enumerate(args) if a == "--without"]))
