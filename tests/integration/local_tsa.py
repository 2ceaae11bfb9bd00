"""A local RFC 3161 timestamp authority for tests: a throwaway root CA and TSA certificate made with the
openssl command (the TSA's extendedKeyUsage timeStamping is critical, as verifiers require), and
`openssl ts -reply` behind HTTP on 127.0.0.1. The config has no `certs =` line: with it OpenSSL embeds
the chain in an order rfc3161-client's strict DER parser sometimes refuses; the reply carries the TSA
certificate only and verifiers are given the root."""

from __future__ import annotations

import http.server
import subprocess
import tempfile
import threading
from pathlib import Path
from types import TracebackType

_TSA_EXTENSIONS = """basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,nonRepudiation
extendedKeyUsage=critical,timeStamping
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
"""


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_authority(folder: Path, name: str = "hotpursuit test TSA") -> Path:
    """Create ca.pem (the root), tsa.pem and tsa.key (the TSA) and tsa.cnf in `folder`; the config's path."""
    folder.mkdir(parents=True, exist_ok=True)
    _openssl("req", "-x509", "-newkey", "ed25519", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "3650",
             "-subj", f"/CN={name} root", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=folder)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr", "-subj", f"/CN={name}",
             cwd=folder)
    (folder / "tsa_ext.cnf").write_text(_TSA_EXTENSIONS)
    _openssl("x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
             "tsa.pem", "-days", "3650", "-extfile", "tsa_ext.cnf", cwd=folder)
    (folder / "serial").write_text("01\n")
    config = folder / "tsa.cnf"
    config.write_text(f"""[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {folder}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
""")
    return config


class _Handler(http.server.BaseHTTPRequestHandler):
    config: Path
    lock = threading.Lock()  # openssl ts -reply increments the serial file

    def do_POST(self) -> None:
        if self.headers.get("Content-Type") != "application/timestamp-query":
            self.send_error(415)
            return
        query = self.rfile.read(int(self.headers["Content-Length"]))
        with tempfile.TemporaryDirectory() as scratch, self.lock:
            q, r = Path(scratch) / "q.tsq", Path(scratch) / "r.tsr"
            q.write_bytes(query)
            done = subprocess.run(["openssl", "ts", "-reply", "-config", str(self.config), "-queryfile", str(q),
                                   "-out", str(r)], capture_output=True)
            if done.returncode:
                self.send_error(500, done.stderr.decode()[-200:])
                return
            body = r.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class LocalTsa:
    """A timestamp authority on 127.0.0.1: `url`, `root` (the CA's PEM file) while the context is open."""

    def __init__(self, folder: Path, name: str = "hotpursuit test TSA") -> None:
        self.folder = folder
        self.root = folder / "ca.pem"
        handler = type("Handler", (_Handler,), {"config": make_authority(folder, name)})
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LocalTsa:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
