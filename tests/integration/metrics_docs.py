"""Checks of an exposition: the families docs/metrics.md does not document, and promtool's
lint."""

import os
import re
import subprocess

from edgewatch_process import require_tool

DOC = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "metrics.md")


def _documented(family, rows):
    for names in rows:
        if family in names:
            return True
        # "`edgewatch_x_request_packets_total`, `..._payload_bytes_total`" documents both.
        full = [n for n in names if not n.startswith("...")]
        for short in (n[3:] for n in names if n.startswith("..._")):
            stem = family[:-len(short)] if family.endswith(short) else None
            if stem and any(n.startswith(stem) for n in full):
                return True
    return False


def undocumented(text):
    with open(DOC) as f:
        rows = [re.findall(r"`([a-z_:.]+)", line) for line in f if line.startswith("|")]
    families = re.findall(r"^# TYPE (\S+) ", text, re.MULTILINE)
    return sorted(f for f in set(families) if not _documented(f, rows))


def promtool_problems(text):
    """What `promtool check metrics` says is wrong with the text exposition; "" if nothing."""
    check = subprocess.run([require_tool("promtool"), "check", "metrics"], input=text,
                           capture_output=True, text=True, timeout=30)
    return "" if check.returncode == 0 else f"exit {check.returncode}: {check.stdout}{check.stderr}"
