#!/usr/bin/python3
"""Structural check of every Grafana dashboard in grafana/dashboards: valid JSON, a
schemaVersion, a stable unique uid and the edgewatch tag, unique panel ids, panels inside the
24 columns and not overlapping, every panel and query on the ${datasource} variable with a unit,
queries selecting job and instance through the variables (never a hard-coded instance), rates
over $__rate_interval (or an explicit hour), and links between the overview and every board.

And the wall display tells the truth: no query falls back to vector(0) (an absent series is
not a green 0), every stat reads "no data" on a colour that is not green when its value is
missing, the overview fits a 1920x1080 screen, its stats are coloured red at the thresholds of
the mixin's _config, and it has a row for edgewatch's own health."""

import glob
import json
import os
import re
import subprocess
import sys

ROOT = sys.argv[1]
# The thresholds the alerts use: the mixin's _config.
RULES = json.loads(subprocess.run(
    ["jsonnet", "-J", os.path.join(ROOT, "mixin"), "-e", '(import "mixin.libsonnet")._config'],
    check=True, capture_output=True, text=True).stdout)
# Grafana's grid: a unit of height is 30 px plus an 8 px gap. A 1080 px screen keeps about
# 950 px for panels under Grafana's top bar and the dashboard's title bar (browser full screen).
SCREEN_PX = 1080 - 130
# The overview stats coloured by an alert threshold: title -> (section, key) of the mixin's _config.
THRESHOLDS = {
    "NTP reflection ratio (worst server)": ("ntp", "reflector_ratio"),
    "Reflected traffic in": ("ntp", "reflected_in_bytes_per_second"),
    "Worst ping loss": ("bgp", "loss_ratio"),
    "Worker saturation (worst server)": ("httpd", "saturation_ratio"),
    "xmlrpc requests": ("httpd", "xmlrpc_per_second"),
    "wp-login POSTs": ("httpd", "wp_login_posts_per_second"),
    "Spam pass-through: last hour minus last day": ("mail", "pass_through_rise"),
    "Client networks (snowshoe window)": ("mail", "snowshoe_networks"),
    "Capture drops (worst)": ("exporter", "capture_drop_ratio"),
}
# The health row: each way to go blind has a panel counting what is down.
HEALTH = ["1 - up{", "1 - edgewatch_capture_up{", "1 - edgewatch_log_up{",
          "1 - edgewatch_httpd_up{", "1 - edgewatch_scrape_collector_success{"]
DS = {"type": "prometheus", "uid": "${datasource}"}
errors = []
boards = {}
for path in sorted(glob.glob(os.path.join(ROOT, "grafana", "dashboards", "*.json"))):
    name = os.path.basename(path)
    try:
        with open(path) as f:
            d = json.load(f)
    except ValueError as e:
        errors.append(f"{name}: not JSON: {e}")
        continue
    boards[d.get("uid")] = d
    if not isinstance(d.get("schemaVersion"), int) or d["schemaVersion"] < 36:
        errors.append(f"{name}: schemaVersion missing or older than 36")
    if d.get("uid") != name[:-5]:
        errors.append(f"{name}: uid {d.get('uid')!r} is not the file name")
    if "edgewatch" not in d.get("tags", []):
        errors.append(f"{name}: no edgewatch tag")
    names = [v["name"] for v in d.get("templating", {}).get("list", [])]
    for var in ("datasource", "job", "instance"):
        if var not in names:
            errors.append(f"{name}: no ${var} variable")
    ids = [p.get("id") for p in d["panels"]]
    if len(ids) != len(set(ids)) or None in ids:
        errors.append(f"{name}: panel ids are not unique")
    cells = {}
    for p in d["panels"]:
        where = f"{name}: panel {p.get('id')} {p.get('title')!r}"
        g = p["gridPos"]
        if g["x"] < 0 or g["w"] <= 0 or g["x"] + g["w"] > 24:
            errors.append(f"{where}: outside the 24 columns")
        for x in range(g["x"], g["x"] + g["w"]):
            for y in range(g["y"], g["y"] + g["h"]):
                if (x, y) in cells:
                    errors.append(f"{where}: overlaps panel {cells[(x, y)]}")
                    break
                cells[(x, y)] = p.get("id")
            else:
                continue
            break
        if p["type"] == "row":
            continue
        if p.get("datasource") != DS:
            errors.append(f"{where}: datasource is not ${{datasource}}")
        if not p.get("fieldConfig", {}).get("defaults", {}).get("unit"):
            errors.append(f"{where}: no unit")
        if not p.get("targets"):
            errors.append(f"{where}: no query")
        if p["type"] == "stat":
            defaults = p["fieldConfig"]["defaults"]
            no_data = [m for m in defaults.get("mappings", [])
                       if m.get("type") == "special" and
                       m["options"].get("match") == "null+nan"]
            if not defaults.get("noValue") or not no_data or \
                    no_data[0]["options"]["result"].get("color") in (None, "green"):
                errors.append(f"{where}: a missing value would not read as no data")
        for t in p.get("targets", []):
            expr = t.get("expr", "")
            if t.get("datasource") != DS:
                errors.append(f"{where}: query datasource is not ${{datasource}}")
            if 'job=~"$job"' not in expr or 'instance=~"$instance"' not in expr:
                errors.append(f"{where}: query does not select job and instance: {expr}")
            if "vector(0)" in expr.replace(" ", ""):
                errors.append(f"{where}: falls back to vector(0): absent would show as 0")
            if re.search(r'instance=~?"(?!\$instance")', expr):
                errors.append(f"{where}: hard-coded instance: {expr}")
            for window in re.findall(r"(?:rate|increase)\([^\[]*\[([^\]]+)\]", expr):
                if window not in ("$__rate_interval", "1h", "1d",
                                  RULES["httpd"]["exploit_probe_window"]):
                    errors.append(f"{where}: rate over [{window}], not $__rate_interval")
overview = boards.get("edgewatch-overview")
if overview is None:
    errors.append("no edgewatch-overview dashboard")
else:
    units = max(p["gridPos"]["y"] + p["gridPos"]["h"] for p in overview["panels"])
    if units * 30 + (units - 1) * 8 > SCREEN_PX:
        errors.append(f"overview: {units} grid units high, more than a 1080 px screen holds")
    by_title = {p["title"]: p for p in overview["panels"]}
    for title, (section, key) in THRESHOLDS.items():
        steps = by_title.get(title, {}).get("fieldConfig", {}).get("defaults", {}).get(
            "thresholds", {}).get("steps", [])
        red = [st["value"] for st in steps if st["color"] == "red"]
        if red != [RULES[section][key]]:
            errors.append(f"overview: {title!r} turns red at {red}, not at "
                          f"{section}.{key} = {RULES[section][key]}")
    health_rows = [i for i, p in enumerate(overview["panels"])
                   if p["type"] == "row" and "health" in p["title"]]
    if not health_rows:
        errors.append("overview: no row for edgewatch's own health")
    else:
        after = overview["panels"][health_rows[0] + 1:]
        section = []
        for p in after:
            if p["type"] == "row":
                break
            section.append(p)
        exprs = " ".join(t["expr"] for p in section for t in p.get("targets", []))
        for needle in HEALTH:
            if needle not in exprs:
                errors.append(f"overview: the health row counts nothing down with {needle}...}}")
    linked = {l["url"] for l in overview.get("links", [])}
    for uid, d in boards.items():
        if uid == "edgewatch-overview":
            continue
        if f"/d/{uid}" not in linked:
            errors.append(f"the overview does not link to {uid}")
        if "/d/edgewatch-overview" not in {l["url"] for l in d.get("links", [])}:
            errors.append(f"{uid} does not link back to the overview")
for e in errors:
    print(e)
print(f"{len(boards)} dashboards checked, {len(errors)} problems")
sys.exit(1 if errors or not boards else 0)
