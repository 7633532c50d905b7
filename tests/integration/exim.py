"""A real Exim for tests: Debian's exim4-daemon-light, unpacked by scripts/install-deps.sh
--tests (it cannot be installed beside Postfix), run in the foreground with a config of its own:
an MX on port 25 and submission on 587 of one address, writing its own mainlog. Local mailboxes
and every other domain go to :blackhole:, so deliveries are logged and nothing leaves."""

import os
import shutil
import subprocess
import tempfile
import time

EXIM = "/var/cache/edgewatch-tests/exim4/usr/sbin/exim4"

CONFIG = """
primary_hostname = mx.edgewatch.test
domainlist local_domains = edgewatch.test
never_users =
exim_path = {exim}
keep_environment =
tls_advertise_hosts =
spool_directory = {dir}/spool
log_file_path = {dir}/log/%slog
# As cPanel and DirectAdmin log: sessions and the listener of each line.
log_selector = +smtp_connection +incoming_interface +pid +received_recipients
local_interfaces = {address}
daemon_smtp_ports = 25 : 587
host_lookup =
rfc1413_hosts =
acl_smtp_rcpt = acl_check_rcpt
auth_advertise_hosts = *

begin acl
acl_check_rcpt:
  accept authenticated = *
  # An RBL hit without DNS: the sender's domain stands for a listed client, and the message
  # is Exim's own for dnslists.
  deny senders = *@listed.example
       message = rejected because $sender_host_address is in a black list at zen.spamhaus.org
  deny domains = !+local_domains
       message = relay not permitted
  require verify = recipient
  accept

begin routers
mailboxes:
  driver = redirect
  domains = +local_domains
  local_parts = alice : carol
  data = :blackhole:
elsewhere:
  driver = redirect
  domains = !+local_domains
  data = :blackhole:

begin transports

begin authenticators
plain:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_condition = ${{if and {{{{eq{{$auth2}}{{carol}}}}{{eq{{$auth3}}{{secret}}}}}}}}
  server_set_id = $auth2
"""


class Exim:
    def __init__(self, address):
        if not os.access(EXIM, os.X_OK):
            raise AssertionError(f"{EXIM} is missing; run scripts/install-deps.sh --tests")
        self.address = address
        self.dir = tempfile.mkdtemp(prefix="edgewatch-exim-")
        os.chmod(self.dir, 0o755)
        for sub in ("spool", "log"):
            os.makedirs(os.path.join(self.dir, sub))
            # Exim's user (Debian-exim, added by install-deps.sh --tests) writes them.
            shutil.chown(os.path.join(self.dir, sub), "Debian-exim", "Debian-exim")
        self.config = os.path.join(self.dir, "exim.conf")
        with open(self.config, "w") as f:
            f.write(CONFIG.format(dir=self.dir, address=address, exim=EXIM))
        self.mainlog = os.path.join(self.dir, "log", "mainlog")
        self.proc = None

    def __enter__(self):
        self.proc = subprocess.Popen([EXIM, "-C", self.config, "-bdf"],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and self.proc.poll() is None:
            if "daemon started" in self.log():
                return self
            time.sleep(0.05)
        out = self.proc.stdout.read().decode(errors="replace") if self.proc.poll() is not None \
            else ""
        self.__exit__()
        raise AssertionError(f"exim did not start:\n{out}\n{self.log()}")

    def log(self):
        try:
            with open(self.mainlog, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
