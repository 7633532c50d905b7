"""Real journal files for tests, written by systemd's own code: Debian's systemd-journal-remote
turns journal export format (entries made here from syslog lines) into journal files."""

import calendar
import os
import re
import subprocess
import time

JOURNAL_REMOTE = "/lib/systemd/systemd-journal-remote"
BOOT_ID = "0123456789abcdef0123456789abcdef"
SYSLOG = re.compile(r"^(\w{3} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)?) (\S+) ([^\[: ]+)(?:\[(\d+)\])?: (.*)$")

# Entries of other programs a real journal is full of, mixed into the mail ones.
NOISE = [("sshd", "Accepted publickey for root from 198.51.100.7 port 50022 ssh2"),
         ("CRON", "(root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)"),
         ("kernel", "nf_conntrack: table full, dropping packet"),
         ("systemd", "Started session-42.scope - Session 42 of User root.")]


def require_journal_remote():
    if not os.path.exists(JOURNAL_REMOTE):
        raise AssertionError(f"{JOURNAL_REMOTE} is missing; run scripts/install-deps.sh --tests "
                             "(package systemd-journal-remote)")
    return JOURNAL_REMOTE


class Entries:
    """Export-format entries with increasing monotonic times on one boot."""

    def __init__(self, year=2026):
        self.year = year
        self.monotonic = 0

    def entry(self, identifier, message, realtime_usec, hostname="mx", pid=None, unit=None):
        self.monotonic += 1
        fields = [f"__REALTIME_TIMESTAMP={realtime_usec}",
                  f"__MONOTONIC_TIMESTAMP={self.monotonic}", f"_BOOT_ID={BOOT_ID}",
                  f"_HOSTNAME={hostname}", f"SYSLOG_IDENTIFIER={identifier}"]
        if pid is not None:
            fields.append(f"_PID={pid}")
        if unit is not None:
            fields.append(f"_SYSTEMD_UNIT={unit}")
        fields.append(f"MESSAGE={message}")
        return ("\n".join(fields) + "\n\n").encode()

    def from_syslog(self, lines, noise_every=0):
        """Export entries for RFC 3164 syslog lines (each becomes one entry with the line's
        time, host, identifier and pid), with a NOISE entry after every `noise_every` lines.
        Returns (bytes, the lines that became entries)."""
        out, used = [], []
        for i, line in enumerate(lines):
            m = SYSLOG.match(line)
            if m is None:
                continue
            stamp, host, ident, pid, message = m.groups()
            t = calendar.timegm(time.strptime(f"{self.year} {stamp.split('.')[0]}",
                                              "%Y %b %d %H:%M:%S"))
            usec = t * 1_000_000 + i % 1_000_000
            out.append(self.entry(ident, message, usec, host, pid))
            used.append(line)
            if noise_every and i % noise_every == 0:
                ident, message = NOISE[i % len(NOISE)]
                out.append(self.entry(ident, message, usec, host, 1))
        return b"".join(out), used


def write_journal(path, export):
    """Writes (or appends) export-format bytes to the journal file `path` (ending .journal)."""
    proc = subprocess.run([require_journal_remote(), "-o", path, "-"], input=export,
                          capture_output=True, timeout=60)
    if proc.returncode != 0:
        raise AssertionError(f"systemd-journal-remote -o {path} exited {proc.returncode}: "
                             f"{proc.stderr.decode(errors='replace')}")


def count_entries(path_or_dir, identifier_prefixes):
    """Entries of a journal file or directory whose SYSLOG_IDENTIFIER starts with one of the
    prefixes, counted by journalctl (not by edgewatch)."""
    where = ["--directory", path_or_dir] if os.path.isdir(path_or_dir) else ["--file",
                                                                              path_or_dir]
    out = subprocess.run(["journalctl", *where, "-o", "export", "--output-fields",
                          "SYSLOG_IDENTIFIER"], capture_output=True, timeout=60, check=True)
    n = 0
    for line in out.stdout.split(b"\n"):
        if line.startswith(b"SYSLOG_IDENTIFIER="):
            ident = line[len(b"SYSLOG_IDENTIFIER="):].decode()
            n += any(ident.startswith(p) for p in identifier_prefixes)
    return n
