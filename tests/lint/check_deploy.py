#!/usr/bin/python3
"""Checks the deploy files: the systemd unit passes `systemd-analyze verify` and has the
hardening the docs promise; the Kubernetes manifests, compose file and provisioning files parse
and grant only what edgewatch needs; the PrometheusRule's rules pass `promtool check rules`;
the Dockerfile is multi-stage on Debian 12 and runs as a non-root user."""

import glob
import os
import re
import subprocess
import sys
import tempfile

import yaml

ROOT, BINARY = sys.argv[1], sys.argv[2]
errors = []


def need(condition, message):
    if not condition:
        errors.append(message)


def load_all(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


# systemd
unit_path = os.path.join(ROOT, "deploy", "systemd", "edgewatch.service")
with open(unit_path) as f:
    unit = f.read()
for directive in ("User=edgewatch", "SupplementaryGroups=adm",
                  "AmbientCapabilities=CAP_NET_RAW\n",
                  "CapabilityBoundingSet=CAP_NET_RAW\n", "ProtectSystem=strict",
                  "ProtectHome=true", "PrivateTmp=true", "NoNewPrivileges=true",
                  "RestrictAddressFamilies=", "SystemCallFilter=",
                  "ExecReload=/bin/kill -HUP $MAINPID", "RestartPreventExitStatus=2\n",
                  "EnvironmentFile=-/etc/default/edgewatch",
                  "--config.file=/etc/edgewatch/edgewatch.yml $ARGS"):
    need(directive in unit, f"edgewatch.service: no {directive}")
with open(os.path.join(ROOT, "deploy", "systemd", "edgewatch.socket")) as f:
    socket_unit = f.read()
need("ListenStream=10123\n" in socket_unit and "--web.systemd-socket" in socket_unit,
     "edgewatch.socket: not on :10123, or says nothing of --web.systemd-socket")
with tempfile.TemporaryDirectory() as d:
    copy = os.path.join(d, "edgewatch.service")
    with open(copy, "w") as f:
        f.write(unit.replace("/usr/bin/edgewatch", os.path.abspath(BINARY)))
    with open(os.path.join(d, "edgewatch.socket"), "w") as f:
        f.write(socket_unit)
    # The manual page is installed by the package only (its test verifies with it).
    verify = subprocess.run(["systemd-analyze", "verify", "--man=no", copy,
                             os.path.join(d, "edgewatch.socket")],
                            capture_output=True, text=True)
    need(verify.returncode == 0 and not (verify.stdout + verify.stderr).strip(),
         f"systemd-analyze verify: rc {verify.returncode}: {verify.stdout}{verify.stderr}")

# Kubernetes
docs = {}
for path in sorted(glob.glob(os.path.join(ROOT, "deploy", "kubernetes", "*.yaml"))):
    for doc in load_all(path):
        docs[doc["kind"]] = doc
for kind in ("Namespace", "ConfigMap", "DaemonSet", "Service", "ServiceMonitor",
             "PrometheusRule"):
    need(kind in docs, f"kubernetes: no {kind}")
if "Namespace" in docs:
    labels = docs["Namespace"]["metadata"].get("labels", {})
    need(labels.get("pod-security.kubernetes.io/enforce") == "privileged",
         "Namespace: no pod-security enforce label (the DaemonSet needs privileged)")
if "DaemonSet" in docs:
    pod = docs["DaemonSet"]["spec"]["template"]["spec"]
    args = pod["containers"][0].get("args", [])
    for arg in ("--path.procfs=/host/proc", "--config.auto-reload-interval=30s"):
        need(arg in args, f"DaemonSet: no {arg}")
    need(any(v.get("hostPath", {}).get("path") == "/proc" for v in pod["volumes"]),
         "DaemonSet: the host's /proc is not mounted")
    # The ConfigMap validates, and the container's flags are the binary's.
    if "ConfigMap" in docs:
        with tempfile.TemporaryDirectory() as d:
            config = os.path.join(d, "edgewatch.yml")
            with open(config, "w") as f:
                f.write(docs["ConfigMap"]["data"]["edgewatch.yml"])
            flags = [a.replace("/etc/edgewatch/edgewatch.yml", config)
                     for a in args if not a.startswith("--web.listen-address")]
            check = subprocess.run([BINARY, "check-config", *flags], capture_output=True,
                                   text=True)
            need(check.returncode == 0, f"DaemonSet flags and ConfigMap: {check.stdout}{check.stderr}")
    need(pod.get("hostNetwork") is True, "DaemonSet: not on the host network")
    need(pod.get("securityContext", {}).get("runAsNonRoot") is True, "DaemonSet: may run as root")
    container = pod["containers"][0]
    caps = container["securityContext"]["capabilities"]
    need(caps.get("drop") == ["ALL"], "DaemonSet: capabilities not dropped")
    need(caps.get("add", []) == ["NET_RAW"],
         f"DaemonSet: capabilities {caps.get('add')}")
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    host = [v["name"] for v in pod["volumes"] if "hostPath" in v]
    need(host and all(mounts[n].get("readOnly") for n in host),
         "DaemonSet: host paths not mounted read-only")
if "PrometheusRule" in docs:
    with tempfile.TemporaryDirectory() as d:
        rules = os.path.join(d, "rules.yml")
        with open(rules, "w") as f:
            yaml.safe_dump({"groups": docs["PrometheusRule"]["spec"]["groups"]}, f)
        check = subprocess.run(["promtool", "check", "rules", rules], capture_output=True,
                               text=True)
        need(check.returncode == 0, f"PrometheusRule: {check.stdout}{check.stderr}")

# Compose, Prometheus, provisioning
compose = load_all(os.path.join(ROOT, "deploy", "container", "compose.yml"))[0]
services = compose.get("services", {})
need(set(services) == {"edgewatch", "prometheus", "alertmanager", "grafana"},
     f"compose: services {sorted(services)}")
ew = services.get("edgewatch", {})
need(ew.get("cap_drop") == ["ALL"] and ew.get("cap_add", []) == ["NET_RAW"],
     "compose: edgewatch capabilities")
need(any("provisioning" in v for v in services.get("grafana", {}).get("volumes", [])),
     "compose: grafana without provisioning")
prom = os.path.join(ROOT, "deploy", "container", "prometheus.yml")
check = subprocess.run(["promtool", "check", "config", prom], capture_output=True, text=True)
need(check.returncode == 0, f"deploy/container/prometheus.yml: {check.stdout}{check.stderr}")
for path in glob.glob(os.path.join(ROOT, "grafana", "provisioning", "*", "*.yml")):
    need(load_all(path)[0].get("apiVersion") == 1, f"{path}: not a provisioning file")

# Dockerfile
with open(os.path.join(ROOT, "deploy", "container", "Dockerfile")) as f:
    dockerfile = f.read()
need(len(re.findall(r"^FROM debian:12", dockerfile, re.M)) >= 2,
     "Dockerfile: not multi-stage on debian:12")
users = re.findall(r"^USER (\S+)", dockerfile, re.M)
need(users and users[-1] not in ("root", "0"), "Dockerfile: runs as root")

for e in errors:
    print(e)
print(f"deploy files checked, {len(errors)} problems")
sys.exit(1 if errors else 0)
