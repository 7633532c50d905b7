#!/usr/bin/env python3
"""The layer lint: fails, naming file and line, when code crosses the layers of docs/architecture.md.

- parsers/ includes only the standard library and parsers/;
- io/ includes nothing from collectors/, config/ or app/;
- raw socket calls and std::chrono::*::now() only in io/ (and the clock in core/clock.h);
- a collector's files include no other collector's files (all_collectors.cc registers them all);
- a metric name ("edgewatch_..." / "process_...") is written only in a catalogue entry, a
  MetricDesc{"name", prometheus::MetricType::..., "help"};
- every source file has its unit test (tests/unit/<path>_test.cc), but the wiring in WIRING,
  which tests/integration/ runs end to end.

`check_layers.py ROOT` checks ROOT/exporter/src; `--self-test` proves every rule fires.
"""
import os
import re
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
# The socket API; a call is the name after "::" or at a word start, followed by "(".
SOCKET_CALLS = ("socket", "bind", "connect", "listen", "accept", "accept4", "setsockopt",
                "getsockopt", "send", "sendto", "sendmsg", "sendmmsg", "recv", "recvfrom",
                "recvmsg", "recvmmsg", "shutdown", "getpid")
SOCKET_CALL = re.compile(r'(?<![\w.>])::(%s)\s*\(' % "|".join(SOCKET_CALLS))
NOW_CALL = re.compile(r'\bchrono::\w+::now\s*\(')
CLOCK_FILES = {"core/clock.h"}
REGISTRATION = {"collectors/all_collectors.cc"}
# Wiring without logic of its own, run end to end by tests/integration/test_serve.py.
WIRING = {"main.cc": "argv to RunMain", "app/serve.cc": "the serve command's start-up"}
METRIC_NAME = re.compile(r'"((?:edgewatch|process)_[a-z0-9_]+)"')
CATALOGUE_ENTRY = re.compile(r'\s*,\s*prometheus::MetricType::')


def strip_comments(line, in_block):
    """The code of a line, without // and /* */ comments and string literals."""
    out = []
    i = 0
    while i < len(line):
        if in_block:
            end = line.find("*/", i)
            if end < 0:
                return "".join(out), True
            i = end + 2
            in_block = False
        elif line.startswith("//", i):
            break
        elif line.startswith("/*", i):
            in_block = True
            i += 2
        elif line[i] == '"':
            j = i + 1
            while j < len(line) and line[j] != '"':
                j += 2 if line[j] == "\\" else 1
            out.append('""')
            i = j + 1
        else:
            out.append(line[i])
            i += 1
    return "".join(out), in_block


def standard_header(name):
    # <cstdint>, <string>, <chrono>: no directory and no extension.
    return "/" not in name and "." not in name


def collector_names(src):
    folder = os.path.join(src, "collectors")
    if not os.path.isdir(folder):
        return []
    return sorted(f[: -len("_collector.h")] for f in os.listdir(folder)
                  if f.endswith("_collector.h"))


def owner(rel, collectors):
    """The collector a collectors/ file belongs to (its name starts with the collector's)."""
    if not rel.startswith("collectors/"):
        return None
    base = os.path.basename(rel)
    best = None
    for c in collectors:
        if base.startswith(c + "_") and (best is None or len(c) > len(best)):
            best = c
    return best


def check(src):
    problems = []
    collectors = collector_names(src)
    for dirpath, _, files in os.walk(src):
        for f in sorted(files):
            if not f.endswith((".h", ".cc")):
                continue
            path = os.path.join(dirpath, f)
            rel = os.path.relpath(path, src).replace(os.sep, "/")
            layer = rel.split("/")[0]
            mine = owner(rel, collectors)
            in_block = False
            with open(path, encoding="utf-8") as fh:
                for number, raw in enumerate(fh, 1):
                    where = f"exporter/src/{rel}:{number}"
                    m = INCLUDE.match(raw)
                    if m:
                        kind, name = m.groups()
                        if layer == "parsers" and not (
                                (kind == "<" and standard_header(name)) or
                                (kind == '"' and name.startswith("parsers/"))):
                            problems.append(f"{where}: parsers/ includes only the standard "
                                            f"library and parsers/, not {kind}{name}")
                        if layer == "io" and name.split("/")[0] in ("collectors", "config", "app"):
                            problems.append(f"{where}: io/ must not include {name}")
                        theirs = owner(name, collectors)
                        if (mine and theirs and theirs != mine and rel not in REGISTRATION):
                            problems.append(f"{where}: collector {mine} includes {name} of "
                                            f"collector {theirs}")
                        continue
                    code, in_block = strip_comments(raw, in_block)
                    if layer != "io" and rel not in CLOCK_FILES:
                        s = SOCKET_CALL.search(code)
                        if s:
                            problems.append(f"{where}: ::{s.group(1)}() belongs in io/")
                        if NOW_CALL.search(code):
                            problems.append(f"{where}: std::chrono::*::now() outside io/: "
                                            "take the time from Clock")
            problems.extend(metric_literals(path, f"exporter/src/{rel}"))
    return problems


def metric_literals(path, shown):
    """Metric names written outside a catalogue entry."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    found = []
    for m in METRIC_NAME.finditer(text):
        if not CATALOGUE_ENTRY.match(text, m.end()):
            line = text.count("\n", 0, m.start()) + 1
            found.append(f"{shown}:{line}: metric name {m.group(1)} outside a MetricDesc "
                         "catalogue entry")
    return found


def unmirrored(root):
    """Source files without their unit test."""
    src = os.path.join(root, "exporter", "src")
    missing = []
    for dirpath, _, files in os.walk(src):
        for f in sorted(files):
            if not f.endswith(".cc"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), src).replace(os.sep, "/")
            test = os.path.join(root, "tests", "unit", rel[:-3] + "_test.cc")
            if rel not in WIRING and not os.path.exists(test):
                missing.append(f"exporter/src/{rel}: no unit test (tests/unit/{rel[:-3]}_test.cc)")
    return missing


def self_test():
    cases = {
        "parsers/a/a.cc": ('#include <pcap.h>\n', "parsers/ includes only"),
        "parsers/b/b.cc": ('#include "core/clock.h"\n', "parsers/ includes only"),
        "io/x.cc": ('#include "config/config.h"\n', "io/ must not include"),
        "collectors/y.cc": ("int f() { return ::socket(1, 2, 3); }\n", "::socket() belongs"),
        "app/z.cc": ("auto t = std::chrono::steady_clock::now();\n", "now() outside io/"),
        "collectors/bgp_collector.cc": ('#include "collectors/httpd_collector.h"\n',
                                        "collector bgp includes"),
        "collectors/m.cc": ('sink.Add("edgewatch_x_total", {}, 1);\n', "outside a MetricDesc"),
    }
    clean = {
        "parsers/ok/ok.cc": '#include <string>\n#include "parsers/ok/ok.h"\n',
        "io/ok.cc": "int g() { return ::socket(1, 2, 3); }\n",
        "collectors/httpd_collector.h": "// ::socket( in a comment is no call\n",
        "collectors/bgp_collector.h": '#include "collectors/bgp_schedule.h"\n',
        "collectors/all_collectors.cc": '#include "collectors/bgp_collector.h"\n'
                                        '#include "collectors/httpd_collector.h"\n',
        "core/clock.h": "auto n() { return std::chrono::steady_clock::now(); }\n",
        "app/s.cc": 'const char* k = "::bind(";\nint v = obj.socket();\n',
        "core/c.cc": 'constexpr MetricDesc kX{"edgewatch_x_total",\n    prometheus::MetricType::Counter, "X."};\n',
    }
    with tempfile.TemporaryDirectory() as root:
        for rel, text in list(cases.items()):
            write(root, rel, text[0])
        for rel, text in clean.items():
            write(root, rel, text)
        problems = check(root)
    failed = False
    for rel, (_, expected) in cases.items():
        if not any(p.startswith(f"exporter/src/{rel}:1: ") and expected in p for p in problems):
            print(f"self-test: no '{expected}' problem for {rel}", file=sys.stderr)
            failed = True
    for rel in clean:
        for p in problems:
            if p.startswith(f"exporter/src/{rel}:"):
                print(f"self-test: false alarm: {p}", file=sys.stderr)
                failed = True
    with tempfile.TemporaryDirectory() as root:
        write(root, "exporter/src/io/tested.cc", "")
        write(root, "tests/unit/io/tested_test.cc", "")
        write(root, "exporter/src/io/untested.cc", "")
        write(root, "exporter/src/main.cc", "")
        missing = unmirrored(root)
    if missing != ["exporter/src/io/untested.cc: no unit test (tests/unit/io/untested_test.cc)"]:
        print(f"self-test: mirror check said {missing}", file=sys.stderr)
        failed = True
    if failed:
        return 1
    print(f"self-test: {len(cases)} violations found, {len(clean)} clean files passed, "
          "the untested file named")
    return 0


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "--self-test":
        return self_test()
    if len(sys.argv) != 2:
        print("usage: check_layers.py ROOT | --self-test", file=sys.stderr)
        return 2
    src = os.path.join(sys.argv[1], "exporter", "src")
    if not os.path.isdir(src):
        print(f"no {src}", file=sys.stderr)
        return 2
    problems = check(src) + unmirrored(sys.argv[1])
    for p in problems:
        print(p, file=sys.stderr)
    print(f"layer lint: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
