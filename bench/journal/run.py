#!/usr/bin/python3
"""Journal benchmark: reading a systemd journal, edgewatch against journalctl on the same
journal file, in one run (entries/s).

The journal holds LINES entries made from the mail benchmark's log (bench/mail_log: Postfix,
postscreen, amavis), one in five of them another program's (sshd, CRON, kernel, systemd), written
by systemd-journal-remote. Timed, best of 3 each:
  - `journalctl --file F -o export | wc -l`: sd-journal reading every entry and printing every
    field (the issue's yardstick);
  - `journalctl --file F -o short-iso | wc -l`: the same, printed as syslog lines;
  - `edgewatch replay --mail-log F`: reading the entries the embedded default's identifiers
    match, formatting them as syslog lines and parsing them into the mail families;
  - edgewatch following the journal: a journal directory that appears while edgewatch runs is
    read from its start; timed until edgewatch_log_lines_total has every mail entry (a directory
    that does not exist yet is found by the poll_interval fallback, 100 ms here).
Usage (after a Release build): bench/journal/run.py [BUILD_DIR] [LINES]
"""

import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
from benchlib import free_port, load, metrics, series, wait_up  # noqa: E402
from journal import Entries, write_journal  # noqa: E402

# The mail benchmark's log maker (bench/mail_log/run.py: make_log).
mail_bench = load("mail_bench", "mail_log/run.py")


def best_of(n, command, shell=False):
    best = None
    for _ in range(n):
        t0 = time.monotonic()
        subprocess.run(command, shell=shell, check=True, stdout=subprocess.DEVNULL)
        elapsed = time.monotonic() - t0
        best = elapsed if best is None else min(best, elapsed)
    return best


def follow(edgewatch, journal, mail_entries):
    """Seconds until a following edgewatch has read every mail entry of `journal`, which
    appears in its journal directory after it started."""
    port = free_port()
    with tempfile.TemporaryDirectory() as d:
        jdir = os.path.join(d, "journal")
        cfg = os.path.join(d, "edgewatch.yml")
        with open(cfg, "w") as f:
            f.write("process:\n  enabled: false\nreflection:\n  enabled: false\nhttpd:\n"
                    "  enabled: false\nbgp:\n  enabled: false\naccess_log:\n  enabled: false\n"
                    "mail_log:\n  poll_interval: 100ms\n  logs:\n    - name: bench\n"
                    "      journal:\n"
                    "        identifiers: [postfix*, exim*, amavis*, spamd, rspamd]\n"
                    f"        directory: {jdir}\n        cursor_file: {d}/bench.cursor\n")
        proc = subprocess.Popen([edgewatch, f"--config.file={cfg}",
                                 f"--web.listen-address=127.0.0.1:{port}"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_up(port, tries=200)
            staged = os.path.join(d, "staged")
            os.mkdir(staged)
            os.link(journal, os.path.join(staged, "system.journal"))
            start = time.monotonic()
            os.rename(staged, jdir)
            while time.monotonic() - start < 300:
                if series(metrics(port), "edgewatch_log_lines_total") >= mail_entries:
                    return time.monotonic() - start
                time.sleep(0.01)
            return None
        finally:
            proc.terminate()
            proc.wait()


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "build",
                                                               "release")
    # systemd-journal-remote starts a new file at 128 MB: 500,000 entries fit in one.
    lines = int(sys.argv[2]) if len(sys.argv) > 2 else 500_000
    edgewatch = os.path.join(build, "exporter", "edgewatch")
    if not os.access(edgewatch, os.X_OK):
        raise SystemExit("needs a built edgewatch")
    with tempfile.TemporaryDirectory() as d:
        log = os.path.join(d, "mail.log")
        mail_bench.make_log(log, lines * 4 // 5)
        with open(log) as f:
            export, used = Entries().from_syslog(f.read().splitlines(), noise_every=4)
        journal = os.path.join(d, "system.journal")
        write_journal(journal, export)
        entries = len(used) + (len(used) + 3) // 4
        if len(os.listdir(d)) != 2:  # mail.log and system.journal, nothing rotated
            raise SystemExit(f"systemd-journal-remote rotated the journal ({os.listdir(d)}): "
                             "use fewer LINES")
        size_mb = os.path.getsize(journal) / 1e6
        subprocess.run(["cat", journal], stdout=subprocess.DEVNULL, check=True)  # page cache
        export_s = best_of(3, f"journalctl --file {journal} -o export | wc -l", shell=True)
        short_s = best_of(3, f"journalctl --file {journal} -o short-iso | wc -l", shell=True)
        replay_s = best_of(3, [edgewatch, "replay", "--mail-log", journal])
        out = subprocess.run([edgewatch, "replay", "--mail-log", journal], capture_output=True,
                             text=True, check=True).stdout
        mail = series(out, "edgewatch_log_lines_total")
        follow_s = follow(edgewatch, journal, mail)

    print(f"## journal: {entries:,} entries ({mail:,.0f} of them mail), "
          f"{size_mb:.0f} MB journal file, one run\n")
    print("| reader | seconds | entries/s | vs journalctl -o export |")
    print("|---|---|---|---|")
    rows = [("journalctl -o export \\| wc -l", export_s),
            ("journalctl -o short-iso \\| wc -l", short_s),
            ("edgewatch replay --mail-log (read, format, parse)", replay_s),
            ("edgewatch following the journal", follow_s)]
    for name, seconds in rows:
        if seconds is None:
            print(f"| {name} | did not read every entry in 300 s | | |")
            continue
        print(f"| {name} | {seconds:.2f} | {entries / seconds:,.0f} | "
              f"{export_s / seconds:.1f}x |")


if __name__ == "__main__":
    main()
