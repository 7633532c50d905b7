"""The Debian package, end to end: dpkg-buildpackage builds it from a copy of this tree, lintian
finds no warning or error, and on this machine it installs (dpkg -i, apt-get -f install), runs
as its own user with the installed config and flags exactly as its unit would, keeps a modified
conffile over a reinstall, and removes and purges as Debian policy says.

It installs into this system (a test machine: CI and the developers' machines run as root) and
removes the package again whatever happens."""

import glob
import grp
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.request

import yaml

from edgewatch_process import require_tool, run, sanitizer_report

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
UNIT = "/lib/systemd/system/edgewatch.service"
SOCKET_UNIT = "/lib/systemd/system/edgewatch.socket"
CONFIG = "/etc/edgewatch/edgewatch.yml"
DEFAULTS = "/etc/default/edgewatch"


def copy_tree(destination):
    """The files git tracks or would track, and .git (the build takes its revision from it)."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                           capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, files):
        source = os.path.join(ROOT, os.fsdecode(name))
        if os.path.isfile(source):
            target = os.path.join(destination, os.fsdecode(name))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy2(source, target)
    shutil.copytree(os.path.join(ROOT, ".git"), os.path.join(destination, ".git"), symlinks=True)


def exec_start():
    """The unit's ExecStart as argv, with $ARGS from the installed defaults file, as systemd
    would run it (EnvironmentFile, then the variable split at whitespace)."""
    with open(UNIT) as f:
        line = next(l for l in f if l.startswith("ExecStart="))
    env = run("sh", "-c", f". {DEFAULTS} && printf %s \"$ARGS\"")
    return shlex.split(line.split("=", 1)[1].replace("$ARGS", env))


def installed():
    """dpkg's status of the package: "ii" installed, "rc" removed with its conffiles, "" gone."""
    status = subprocess.run(["dpkg-query", "-W", "-f", "${db:Status-Abbrev}", "edgewatch"],
                            capture_output=True, text=True).stdout.strip()
    return status if status[:1] in ("i", "r") else ""


class PackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for tool in ("dpkg-buildpackage", "dh", "lintian", "systemd-analyze", "setpriv", "git"):
            require_tool(tool)
        if installed().startswith("i"):
            raise AssertionError("an edgewatch package is installed already; remove it first")
        cls.work = tempfile.mkdtemp(prefix="edgewatch-deb-")
        source = os.path.join(cls.work, "edgewatch")
        copy_tree(source)
        build = subprocess.run(["dpkg-buildpackage", "-us", "-uc", "-b"], cwd=source,
                               capture_output=True, text=True, timeout=1500,
                               env=dict(os.environ, DEB_BUILD_OPTIONS=f"parallel={os.cpu_count()}"))
        if build.returncode != 0:
            raise AssertionError(f"dpkg-buildpackage failed:\n{build.stdout[-6000:]}"
                                 f"{build.stderr[-4000:]}")
        debs = glob.glob(os.path.join(cls.work, "edgewatch_*.deb"))
        if len(debs) != 1:
            raise AssertionError(f"dpkg-buildpackage left {debs}")
        cls.deb = debs[0]

    @classmethod
    def tearDownClass(cls):
        if installed():
            subprocess.run(["dpkg", "--purge", "edgewatch"], capture_output=True)
        shutil.rmtree(cls.work, ignore_errors=True)

    def test_package(self):
        self.lintian_clean()
        self.installs()
        self.runs_as_its_user_with_the_installed_config()
        self.keeps_a_modified_conffile_over_a_reinstall()
        self.removes_and_purges()

    def lintian_clean(self):
        out = subprocess.run(["lintian", "--fail-on", "error,warning", "--display-info",
                              self.deb], capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        tags = [l for l in out.stdout.splitlines() if re.match(r"^[EW]: ", l)]
        self.assertEqual(tags, [])

    def installs(self):
        with open(os.path.join(ROOT, "CMakeLists.txt")) as f:
            version = re.search(r"project\(edgewatch VERSION (\S+)", f.read()).group(1)
        self.assertEqual(run("dpkg-deb", "-f", self.deb, "Version").strip(), version)
        run("dpkg", "-i", self.deb, timeout=300)
        run("apt-get", "-f", "install", "-y", "-q", timeout=600)
        self.assertEqual(installed(), "ii")
        for path in ("/usr/bin/edgewatch", CONFIG, DEFAULTS, UNIT,
                     "/usr/share/man/man1/edgewatch.1.gz", "/usr/share/doc/edgewatch/copyright",
                     "/usr/share/doc/edgewatch/changelog.gz",
                     "/usr/share/edgewatch/rules/edgewatch-alerts.rules.yml",
                     "/usr/share/edgewatch/alertmanager/alertmanager.yml",
                     "/usr/share/edgewatch/grafana/edgewatch-overview.json"):
            self.assertTrue(os.path.isfile(path), path)
        # The installed mixin is whole: it renders the installed rules.
        with open("/usr/share/edgewatch/rules/edgewatch-alerts.rules.yml") as f:
            self.assertEqual(json.loads(run(
                require_tool("jsonnet"), "-J", "/usr/share/edgewatch/mixin", "-e",
                '(import "mixin.libsonnet").prometheusAlerts')), yaml.safe_load(f))
        conffiles = run("dpkg-query", "-W", "-f", "${Conffiles}", "edgewatch")
        for path in (CONFIG, DEFAULTS):
            self.assertIn(path, conffiles)
        with open(DEFAULTS) as f:
            self.assertRegex(f.read(), r'(?m)^ARGS=""$')
        # The embedded default, commented: the same file as examples/edgewatch.yml.
        with open(CONFIG) as f, open(os.path.join(ROOT, "examples", "edgewatch.yml")) as g:
            self.assertEqual(f.read(), g.read())
        user = pwd.getpwnam("edgewatch")
        self.assertLess(user.pw_uid, 1000)  # a system user
        self.assertNotIn("1970", run("chage", "--list", "edgewatch"))  # not expired
        self.assertEqual(user.pw_shell, "/usr/sbin/nologin")
        self.assertIn("edgewatch", grp.getgrnam("adm").gr_mem)
        # CAP_NET_RAW comes from the unit, not from the file: any user may run the binary.
        self.assertEqual(run(require_tool("getcap"), "/usr/bin/edgewatch").strip(), "")
        verify = subprocess.run(["systemd-analyze", "verify", UNIT, SOCKET_UNIT],
                                capture_output=True, text=True)
        # The service is enabled by the package; the socket is installed, not enabled.
        self.assertTrue(os.path.islink(
            "/etc/systemd/system/multi-user.target.wants/edgewatch.service"))
        self.assertFalse(os.path.exists("/etc/systemd/system/sockets.target.wants/edgewatch.socket"))
        self.assertEqual((verify.returncode, verify.stdout + verify.stderr), (0, ""))
        page = run("man", "-l", "/usr/share/man/man1/edgewatch.1.gz")
        self.assertIn("--web.listen-address", page.replace("\u2010", "-"))

    def runs_as_its_user_with_the_installed_config(self):
        with open(DEFAULTS, "a") as f:
            f.write('ARGS="--web.listen-address=127.0.0.1:0 --log.level=debug"\n')
        argv = exec_start()
        self.assertEqual(argv[:2], ["/usr/bin/edgewatch", f"--config.file={CONFIG}"])
        self.assertIn("--web.listen-address=127.0.0.1:0", argv)
        # As the unit runs it: its user and groups, CAP_NET_RAW only.
        as_service = ["setpriv", "--reuid=edgewatch", "--regid=edgewatch", "--init-groups",
                      "--inh-caps=-all,+net_raw", "--ambient-caps=-all,+net_raw",
                      "--bounding-set=-all,+net_raw", "--"]
        check = run(*as_service, "/usr/bin/edgewatch", "check-config", CONFIG)
        self.assertIn(": OK; enabled collectors:", check)
        with tempfile.TemporaryFile("w+") as log:
            proc = subprocess.Popen(as_service + argv, stdout=subprocess.DEVNULL, stderr=log)
            try:
                address = None
                deadline = time.monotonic() + 15
                while address is None and time.monotonic() < deadline:
                    log.seek(0)
                    found = re.search(r"msg=listening address=(\S+)", log.read())
                    address = found and found.group(1)
                    self.assertIsNone(proc.poll(), "edgewatch exited")
                    time.sleep(0.05)
                self.assertIsNotNone(address)
                # The capture starts on its own thread, after the listener may already answer:
                # up within seconds, not necessarily at the first scrape.
                up = rb'edgewatch_capture_up\{interface="any"\} 1'
                deadline = time.monotonic() + 10
                while True:
                    body = urllib.request.urlopen(f"http://{address}/metrics", timeout=10).read()
                    if re.search(up, body) or time.monotonic() > deadline:
                        break
                    time.sleep(0.1)
                self.assertIn(b"edgewatch_build_info{", body)
                log.seek(0)
                self.assertRegex(body, up, log.read())
            finally:
                proc.send_signal(signal.SIGTERM)
                self.assertEqual(proc.wait(20), 0)
                log.seek(0)
                self.assertEqual(sanitizer_report(log.read()), "")

    def keeps_a_modified_conffile_over_a_reinstall(self):
        with open(CONFIG, "a") as f:
            f.write("# changed by the operator\n")
        run("dpkg", "-i", self.deb, timeout=300)
        with open(CONFIG) as f:
            self.assertTrue(f.read().endswith("# changed by the operator\n"))
        with open(DEFAULTS) as f:
            self.assertIn("127.0.0.1:0", f.read())

    def removes_and_purges(self):
        run("dpkg", "--remove", "edgewatch", timeout=300)
        self.assertFalse(os.path.exists("/usr/bin/edgewatch"))
        self.assertFalse(os.path.exists(UNIT))
        self.assertTrue(os.path.exists(CONFIG))  # conffiles stay until purge
        self.assertEqual(installed(), "rc")
        run("dpkg", "--purge", "edgewatch", timeout=300)
        for path in (CONFIG, DEFAULTS, "/etc/edgewatch", "/usr/share/edgewatch",
                     "/usr/share/doc/edgewatch"):
            self.assertFalse(os.path.exists(path), path)
        self.assertEqual(installed(), "")
        # The user is locked and expired, not deleted (debian/edgewatch.postrm says why).
        self.assertEqual(pwd.getpwnam("edgewatch").pw_shell, "/usr/sbin/nologin")
        status = run("passwd", "--status", "edgewatch").split()
        self.assertEqual(status[1], "L")  # locked
        self.assertEqual(run("chage", "--list", "edgewatch").count("Jan 02, 1970"), 1)


if __name__ == "__main__":
    unittest.main()
