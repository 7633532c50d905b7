"""A real Debian Apache for tests: its own config dir, a loopback port, mod_status and a slow
CGI, started and stopped by the test (no systemd)."""

import os
import shutil
import socket
import subprocess
import tempfile
import time

from edgewatch_process import require_tool

CONFIG = """
ServerRoot "{dir}"
ServerName localhost
Listen {listen}
PidFile {dir}/run/httpd.pid
Mutex file:{dir}/run default
User www-data
Group www-data
LoadModule mpm_{mpm}_module /usr/lib/apache2/modules/mod_mpm_{mpm}.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule authz_host_module /usr/lib/apache2/modules/mod_authz_host.so
LoadModule status_module /usr/lib/apache2/modules/mod_status.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule cgid_module /usr/lib/apache2/modules/mod_cgid.so
TypesConfig /etc/mime.types
DocumentRoot {dir}/htdocs
ErrorLog {dir}/logs/error.log
LogFormat "{log_format}" edgewatch
CustomLog {dir}/logs/access.log edgewatch
ScriptSock {dir}/run/cgid.sock
ScriptAlias /cgi-bin/ {dir}/cgi-bin/
{xmlrpc_alias}
StartServers 2
{limits}
ExtendedStatus On
<Location "/server-status">
    SetHandler server-status
    Require ip 127.0.0.1
</Location>
{sites}
"""

# Name-based virtual hosts as a hosting server has them: each with its own log file (combined)
# and all in other_vhosts_access.log (vhost_combined, as Debian's GlobalLog), and .php files run
# as CGI scripts, so that Apache itself resolves the request path to the script (PATH_INFO,
# merged slashes, %-decoding) as it does for PHP.
SITE = """
<VirtualHost 127.0.0.1:{port}>
    ServerName {name}
    DocumentRoot {dir}/sites/{name}
    CustomLog {dir}/logs/{name}-access.log combined
    <Directory {dir}/sites/{name}>
        Options +ExecCGI
        # As Debian's php8.2 module config: by the name's end. (AddHandler would also run
        # xmlrpc.php.bak: mod_mime takes a handler from every extension of a name.)
        <FilesMatch "\\.php$">
            SetHandler cgi-script
        </FilesMatch>
    </Directory>
</VirtualHost>
"""
SITES = """
LogFormat "%h %l %u %t \\"%r\\" %>s %O \\"%{{Referer}}i\\" \\"%{{User-Agent}}i\\"" combined
LogFormat "%v:%p %h %l %u %t \\"%r\\" %>s %O \\"%{{Referer}}i\\" \\"%{{User-Agent}}i\\"" vhost_combined
GlobalLog {dir}/logs/other_vhosts_access.log vhost_combined
"""

# A site's script: notes the site and request target it ran for, in sites/ran.log.
PHP_CGI = """#!/bin/sh
head -c "${{CONTENT_LENGTH:-0}}" >/dev/null
echo "$SERVER_NAME $SCRIPT_NAME $REQUEST_URI" >> {ran}
printf 'Content-Type: text/plain\\r\\n\\r\\nran\\n'
"""

SLOW_CGI = """#!/bin/sh
sleep "${QUERY_STRING:-2}"
printf 'Content-Type: text/plain\\r\\n\\r\\nslow\\n'
"""


# WordPress' xmlrpc.php as a flood finds it: it reads the request and takes its time (a
# pingback fetches the "source" page first) before answering.
XMLRPC_CGI = """#!/bin/sh
head -c "${CONTENT_LENGTH:-0}" >/dev/null
sleep 0.4
printf 'Content-Type: text/xml\\r\\n\\r\\n<?xml version="1.0"?><methodResponse><params/></methodResponse>\\n'
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Apache:
    COMMON = '%h %l %u %t \\"%r\\" %>s %O'
    COMBINED = COMMON + ' \\"%{Referer}i\\" \\"%{User-Agent}i\\"'

    # Worker limits by MPM: prefork 10 processes; threaded 2 children of 10 threads.
    LIMITS = {"prefork": {"ServerLimit": 10, "MaxRequestWorkers": 10},
              "event": {"ServerLimit": 2, "ThreadsPerChild": 10, "ThreadLimit": 10,
                        "MaxRequestWorkers": 20}}

    def __init__(self, mpm, log_format=COMMON, limits=None, every_address=False, sites=()):
        """`limits` replaces LIMITS[mpm] (the worker MPM takes event's). `every_address`: one
        listening socket for all addresses (Debian's `Listen 80`), not 127.0.0.1 only. `sites`:
        names of virtual hosts (see SITE), each with xmlrpc.php and wp-login.php scripts that
        note every run in `ran_log`."""
        self.bin = require_tool("apache2")
        self.mpm = mpm
        self.dir = tempfile.mkdtemp(prefix=f"edgewatch-apache-{mpm}-")
        os.chmod(self.dir, 0o755)
        for sub in ("run", "logs", "htdocs", "cgi-bin"):
            os.makedirs(os.path.join(self.dir, sub), mode=0o755)
        for name, text in (("slow", SLOW_CGI), ("xmlrpc", XMLRPC_CGI)):
            cgi = os.path.join(self.dir, "cgi-bin", name)
            with open(cgi, "w") as f:
                f.write(text)
            os.chmod(cgi, 0o755)
        self.limits = limits or self.LIMITS["prefork" if mpm == "prefork" else "event"]
        self.log_format = log_format
        self.every_address = every_address
        self.sites = sites
        self.ran_log = os.path.join(self.dir, "sites", "ran.log")
        if sites:
            os.makedirs(os.path.join(self.dir, "sites"), mode=0o755)
            with open(self.ran_log, "w"):
                pass
            os.chmod(self.ran_log, 0o666)
        for name in sites:
            root = os.path.join(self.dir, "sites", name)
            os.makedirs(root, mode=0o755)
            for script in ("xmlrpc.php", "wp-login.php"):
                with open(os.path.join(root, script), "w") as f:
                    f.write(PHP_CGI.format(ran=self.ran_log))
                os.chmod(os.path.join(root, script), 0o755)
            with open(os.path.join(root, "xmlrpc.php.bak"), "w") as f:
                f.write("a backup: served as a file, runs nothing\n")
        self.conf = os.path.join(self.dir, "httpd.conf")

    def _configure(self, port):
        self.port = port
        with open(self.conf, "w") as f:
            f.write(CONFIG.format(dir=self.dir, port=port, mpm=self.mpm,
                                  limits="\n".join(f"{k} {v}" for k, v in self.limits.items()),
                                  listen=port if self.every_address else f"127.0.0.1:{port}",
                                  log_format=self.log_format,
                                  # The sites have their own xmlrpc.php (a main-server alias
                                  # would be every virtual host's).
                                  xmlrpc_alias="" if self.sites else
                                  f"ScriptAlias /xmlrpc.php {self.dir}/cgi-bin/xmlrpc",
                                  sites=(SITES.format(dir=self.dir) if self.sites else "") +
                                  "".join(SITE.format(dir=self.dir, port=port, name=n)
                                          for n in self.sites)))

    @property
    def status_url(self):
        return f"http://127.0.0.1:{self.port}/server-status?auto"

    def url(self, path, host="127.0.0.1"):
        return f"http://{host}:{self.port}{path}"

    def send_raw(self, method, target, host):
        """Sends one request with `target` exactly as given (absolute-form, odd escapes and
        slashes that HTTP clients would normalise) and returns the status code."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
            s.sendall(f"{method} {target} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 1\r\n"
                      "Connection: close\r\n\r\nx".encode())
            reply = b""
            while chunk := s.recv(4096):
                reply += chunk
        return int(reply.split(b" ", 2)[1])

    def __enter__(self):
        # The port is free when chosen, not when Apache binds it: if another process took it in
        # between, Apache logs "could not bind" (after detaching, so `-k start` says nothing)
        # and is started again on another. The pid file is written only once it has bound.
        for _ in range(5):
            self._configure(free_port())
            check = subprocess.run([self.bin, "-t", "-f", self.conf], capture_output=True,
                                   text=True)
            if check.returncode != 0:
                raise AssertionError(f"apache2 -t failed:\n{check.stderr}")
            subprocess.run([self.bin, "-f", self.conf, "-k", "start"], check=True, timeout=30)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and "could not bind" not in self.error_log():
                if os.path.exists(self.pid_file):
                    try:
                        with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                            return self
                    except OSError:
                        pass
                time.sleep(0.05)
            if "could not bind" not in self.error_log():
                break
            os.rename(os.path.join(self.dir, "logs", "error.log"),
                      os.path.join(self.dir, "logs", f"error.log.{self.port}"))
        raise AssertionError(f"apache did not start:\n{self.error_log()}")

    @property
    def pid_file(self):
        return os.path.join(self.dir, "run", "httpd.pid")

    @property
    def access_log(self):
        return os.path.join(self.dir, "logs", "access.log")

    def graceful(self):
        """Reopens the logs, as logrotate's postrotate does."""
        subprocess.run([self.bin, "-f", self.conf, "-k", "graceful"], check=True, timeout=30)

    def error_log(self):
        try:
            with open(os.path.join(self.dir, "logs", "error.log")) as f:
                return f.read()
        except OSError:
            return ""

    def __exit__(self, *exc):
        subprocess.run([self.bin, "-f", self.conf, "-k", "stop"], timeout=30)
        pid = os.path.join(self.dir, "run", "httpd.pid")
        deadline = time.monotonic() + 15
        while os.path.exists(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        shutil.rmtree(self.dir, ignore_errors=True)
