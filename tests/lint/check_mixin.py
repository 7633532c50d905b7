#!/usr/bin/python3
"""The mixin's _config is the one place thresholds, selectors and the runbook location live:
rendered with an operator's overrides, every alert selects on the overridden selector (never the
default one), every runbook_url follows the overridden pattern, every board query uses the
overridden board selector, every aggregation keeps the overridden group labels, and every
threshold and duration in _config changes what is rendered
(none is dead).

And the config is whole: every key the alerts and boards read exists, since jsonnet fails on a
missing field."""

import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

ROOT = sys.argv[1]
MIXIN = os.path.join(ROOT, "mixin")

# One jsonnet program: the mixin as an operator overrides it, with every threshold and duration
# set to a sentinel of its own (7000001, 7000002, ... and 7000001m, ...) that must show up in
# what is rendered.
PROGRAM = r"""
local base = import 'mixin.libsonnet';
local sections = ['exporter', 'ntp', 'bgp', 'httpd', 'mail'];
local keys = [[s, k] for s in sections for k in std.objectFields(base._config[s])];
local sentinel(s, k) =
  local n = 7000001 + std.find([s, k], keys)[0];
  if std.isString(base._config[s][k]) then '%dm' % n else n;
local overridden = base {
  _config+:: {
    selector: 'job="edge-x",cluster="eu1"',
    dashboardSelector: 'cluster=~"$cluster", job=~"$job", instance=~"$instance"',
    runbookURLPattern: 'https://wiki.example.net/ops/edgewatch/%s',
    groupLabels: 'site, instance, job',
  } + {
    [s]: { [k]: sentinel(s, k) for k in std.objectFields(base._config[s]) }
    for s in sections
  },
};
{
  keys: ['%s.%s' % k for k in keys],
  alerts: overridden.prometheusAlerts,
  rules: overridden.prometheusRules,
  boards: overridden.grafanaDashboards,
}
"""

out = json.loads(subprocess.run(["jsonnet", "-J", MIXIN, "-e", PROGRAM], check=True,
                                capture_output=True, text=True).stdout)
text = json.dumps([out["alerts"], out["boards"]])
errors = [f"_config.{key} reaches no alert and no board" for i, key in enumerate(out["keys"])
          if not re.search(rf"(?<![0-9.]){7000001 + i}(?![0-9])", text)]
alerts = 0
for group in out["alerts"]["groups"]:
    for rule in group["rules"]:
        alerts += 1
        name, expr = rule["alert"], rule["expr"]
        if 'job="edge-x",cluster="eu1"' not in expr:
            errors.append(f"{name}: does not select on _config.selector")
        if 'job="edgewatch"' in expr:
            errors.append(f"{name}: has the default selector hard-coded")
        if rule["annotations"]["runbook_url"] != f"https://wiki.example.net/ops/edgewatch/{name}":
            errors.append(f"{name}: runbook_url ignores _config.runbookURLPattern")
# Every aggregation and join keeps the overridden group labels: two sites never add up.
for group in out["alerts"]["groups"] + out["rules"]["groups"]:
    for rule in group["rules"]:
        name = rule.get("alert") or rule["record"]
        for clause in re.findall(r"\b(?:by|on) \(([^)]*)\)", rule["expr"]):
            if "instance" in clause and not clause.startswith("site, instance, job"):
                errors.append(f"{name}: ({clause}) ignores _config.groupLabels")
queries = 0
for board, doc in out["boards"].items():
    for panel in doc["panels"]:
        for target in panel.get("targets", []):
            queries += 1
            if 'cluster=~"$cluster"' not in target["expr"]:
                errors.append(f"{board}: {panel['title']}: ignores _config.dashboardSelector")
# The README's example of using the mixin from one's own jsonnet works as written, with the
# repository where the package puts it (/usr/share/edgewatch/mixin, "-J /usr/share"), rendered
# by its commands.
with open(os.path.join(MIXIN, "README.md")) as f:
    example = re.search(r"```jsonnet\n(.*?)```", f.read(), re.S).group(1)
with tempfile.TemporaryDirectory() as share:
    os.symlink(os.path.abspath(ROOT), os.path.join(share, "edgewatch"))
    with open(os.path.join(share, "edgewatch.libsonnet"), "w") as f:
        f.write(example)
    field = '(import "edgewatch.libsonnet").%s'
    rendered = {}
    for name, args in (("alerts", ["-S", "-e", f"std.manifestYamlDoc({field % 'prometheusAlerts'})"]),
                       ("rules", ["-S", "-e", f"std.manifestYamlDoc({field % 'prometheusRules'})"]),
                       ("boards", ["-m", share, "-e", field % "grafanaDashboards"])):
        run = subprocess.run(["jsonnet", "-J", share] + args, capture_output=True,
                             text=True, cwd=share)
        if run.returncode != 0:
            errors.append(f"mixin/README.md's example ({name}) fails: {run.stderr.strip()}")
        rendered[name] = run.stdout
    own = yaml.safe_load(rendered["alerts"]) if rendered["alerts"] else {"groups": []}
    if not any('job="edge"' in r["expr"] for g in own["groups"] for r in g["rules"]):
        errors.append("mixin/README.md's example does not apply its _config")
    if len(rendered["boards"].split()) != 6:
        errors.append(f"mixin/README.md's example renders {rendered['boards']!r}, not 6 boards")
for e in errors:
    print(e)
print(f"{alerts} alerts and {queries} board queries checked, {len(errors)} problems")
sys.exit(1 if errors or alerts == 0 or queries == 0 else 0)
