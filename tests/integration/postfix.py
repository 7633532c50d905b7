"""A real Postfix for tests: a private instance (its own config, queue and maillog_file) on
one address and port, started and stopped by the test (no systemd, no syslog)."""

import os
import shutil
import subprocess
import tempfile
import time

from edgewatch_process import require_tool, run


class Postfix:
    def __init__(self, address, port=2525):
        self.postfix = require_tool("postfix")
        self.postconf = require_tool("postconf")
        self.address = address
        self.port = port
        self.dir = tempfile.mkdtemp(prefix="edgewatch-postfix-")
        os.chmod(self.dir, 0o755)
        self.etc = os.path.join(self.dir, "etc")
        self.maillog = os.path.join(self.dir, "log", "maillog")
        for sub in ("etc", "spool", "data", "log"):
            os.makedirs(os.path.join(self.dir, sub))
        shutil.chown(os.path.join(self.dir, "data"), "postfix", "postfix")
        for name in ("main.cf", "master.cf", "dynamicmaps.cf", "postfix-files"):
            shutil.copy(os.path.join("/etc/postfix", name), self.etc)
        for name in ("dynamicmaps.cf.d", "postfix-files.d"):
            if os.path.isdir(os.path.join("/etc/postfix", name)):
                shutil.copytree(os.path.join("/etc/postfix", name), os.path.join(self.etc, name))
        run(self.postconf, "-c", self.etc, "-e",
            f"queue_directory={self.dir}/spool", f"data_directory={self.dir}/data",
            f"maillog_file={self.maillog}",
            f"maillog_file_prefixes=/var, /dev/stdout, {self.dir}",
            f"inet_interfaces={address}", "inet_protocols=ipv4",
            "myhostname=mx.edgewatch.test",
            "mydestination=mx.edgewatch.test, localhost", "local_recipient_maps=",
            "alias_maps=", "alias_database=", "default_transport=discard:",
            "local_transport=discard:", "mynetworks=127.0.0.2/32",
            "compatibility_level=3.6", "smtpd_banner=$myhostname ESMTP",
            "multi_instance_enable=no")
        master = os.path.join(self.etc, "master.cf")
        with open(master) as f:
            text = f.read()
        with open(master, "w") as f:
            f.write(text.replace("\nsmtp      inet", f"\n{port}      inet", 1))

    def __enter__(self):
        subprocess.run([self.postfix, "-c", self.etc, "start"], capture_output=True, timeout=60)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if "daemon started" in self.log():
                return self
            time.sleep(0.05)
        raise AssertionError(f"postfix did not start:\n{self.log()}")

    def log(self):
        try:
            with open(self.maillog, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def logrotate(self):
        """Postfix's own rotation of maillog_file: rename with a date suffix, compress."""
        run(self.postfix, "-c", self.etc, "logrotate")

    def __exit__(self, *exc):
        subprocess.run([self.postfix, "-c", self.etc, "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)
