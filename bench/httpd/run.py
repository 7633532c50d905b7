#!/usr/bin/python3
"""httpd benchmark: edgewatch and prometheus-apache-exporter scraping the same real Apache.

Both exporters poll the same event-MPM Apache at scrape time. Scrapes alternate between them,
N each; the report gives latency percentiles and resident memory afterwards (VmRSS). Then each
exporter is scraped by 1, 2, 4 and 16 concurrent scrapers (an HA pair and more): requests a
second, p99, and how many scrapes lacked httpd data.
Usage (as root, after a Release build): bench/httpd/run.py [BUILD_DIR] [SCRAPES]
"""

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
from apache import Apache, free_port  # noqa: E402


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def wait_up(url, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"{url} did not come up")


def scrape_ms(url):
    start = time.perf_counter()
    body = urllib.request.urlopen(url, timeout=10).read()
    return (time.perf_counter() - start) * 1000, len(body)


def concurrent(url, scrapers, per_scraper, complete):
    """`scrapers` threads scraping `url` `per_scraper` times each: (req/s, p99 ms, incomplete)."""
    times, incomplete = [], [0]

    def run():
        for _ in range(per_scraper):
            start = time.perf_counter()
            body = urllib.request.urlopen(url, timeout=30).read().decode()
            times.append((time.perf_counter() - start) * 1000)
            if not complete(body):
                incomplete[0] += 1

    threads = [threading.Thread(target=run) for _ in range(scrapers)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    return len(times) / elapsed, statistics.quantiles(times, n=100)[98], incomplete[0]


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "build",
                                                               "release")
    scrapes = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    edgewatch = os.path.join(build, "exporter", "edgewatch")
    peer = shutil.which("prometheus-apache-exporter")
    if peer is None or not os.access(edgewatch, os.X_OK):
        raise SystemExit("needs prometheus-apache-exporter and a built edgewatch")
    with Apache("event") as apache, tempfile.TemporaryDirectory() as d:
        cfg = os.path.join(d, "edgewatch.yml")
        with open(cfg, "w") as f:
            f.write("process:\n  enabled: false\nreflection:\n  enabled: false\nhttpd:\n"
                    f"  processes: []\n  servers:\n    - name: web\n      url: {apache.status_url}\n")
        ew_port, peer_port = free_port(), free_port()
        procs = {
            "edgewatch": subprocess.Popen(
                [edgewatch, f"--config.file={cfg}", f"--web.listen-address=127.0.0.1:{ew_port}"],
                stderr=subprocess.DEVNULL),
            "prometheus-apache-exporter 0.12": subprocess.Popen(
                [peer, f"--scrape_uri={apache.status_url}",
                 f"--telemetry.address=127.0.0.1:{peer_port}"], stderr=subprocess.DEVNULL),
        }
        urls = {"edgewatch": f"http://127.0.0.1:{ew_port}/metrics",
                "prometheus-apache-exporter 0.12": f"http://127.0.0.1:{peer_port}/metrics"}
        try:
            for url in urls.values():
                wait_up(url)
            times = {name: [] for name in urls}
            sizes = {}
            for _ in range(scrapes):
                for name, url in urls.items():
                    ms, size = scrape_ms(url)
                    times[name].append(ms)
                    sizes[name] = size
            print(f"## httpd: {scrapes} scrapes each of one Apache 2.4 event MPM, alternating\n")
            print("| exporter | p50 ms | p90 ms | p99 ms | RSS after (MiB) | reply bytes |")
            print("|---|---|---|---|---|---|")
            for name, t in times.items():
                q = statistics.quantiles(t, n=100)
                print(f"| {name} | {q[49]:.2f} | {q[89]:.2f} | {q[98]:.2f} | "
                      f"{rss_kib(procs[name].pid) / 1024:.1f} | {sizes[name]} |")
            # What "complete" means for each: the status page's worker counts are in the reply.
            complete = {
                "edgewatch": lambda b: 'edgewatch_scrape_collector_success{collector="httpd"} 1'
                in b and "edgewatch_httpd_workers" in b,
                "prometheus-apache-exporter 0.12": lambda b: "\napache_up 1" in b
                and "apache_workers" in b,
            }
            print("\n## concurrent scrapers, 200 scrapes per level\n")
            print("| exporter | scrapers | req/s | p99 ms | scrapes without httpd data |")
            print("|---|---|---|---|---|")
            for scrapers in (1, 2, 4, 16):
                for name, url in urls.items():
                    rate, p99, incomplete = concurrent(url, scrapers, 200 // scrapers,
                                                       complete[name])
                    print(f"| {name} | {scrapers} | {rate:.0f} | {p99:.2f} | {incomplete} |")
        finally:
            for p in procs.values():
                p.terminate()
                p.wait()


if __name__ == "__main__":
    main()
