"""Helpers (no tests) for the wire, STS and multi-process tests: hand-made signed requests that boto3 would
refuse to send, and extra `sagegate serve` processes on the database of the server scripts/client-tests started."""
import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest

from conftest import ACCOUNT, ENDPOINT, ROOT


class Answer:
    """A raw HTTP answer: status, headers (lower-case names) and body text."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.body = body

    def _between(self, open_, close):
        i = self.body.find(open_)
        if i < 0:
            return None
        j = self.body.find(close, i + len(open_))
        return self.body[i + len(open_):j] if j >= 0 else None

    @property
    def code(self):
        c = self._between("<Code>", "</Code>")
        if c is not None:
            return c
        import json

        return json.loads(self.body).get("__type", "").rsplit("#", 1)[-1]

    @property
    def message(self):
        import html
        import json

        m = self._between("<Message>", "</Message>")
        if m is not None:
            return html.unescape(m)
        v = json.loads(self.body)
        return v.get("Message", v.get("message"))

    def xml(self, name):
        return self._between(f"<{name}>", f"</{name}>")


def raw(body=b"", headers=None, service=None, creds=ROOT, token=None, region="us-east-1", method="POST", query="", endpoint=None):
    """Sends a request as given, signed with SigV4 for `service` unless it is None."""
    endpoint = endpoint or ENDPOINT
    url = endpoint + "/" + (f"?{query}" if query else "")
    headers = dict(headers or {})
    if isinstance(body, str):
        body = body.encode()
    if service is not None:
        req = botocore.awsrequest.AWSRequest(method=method, url=url, data=body, headers=headers)
        botocore.auth.SigV4Auth(botocore.credentials.Credentials(creds[0], creds[1], token), service, region).add_auth(req)
        headers = dict(req.headers.items())
    r = urllib.request.Request(url, data=body if method != "GET" else None, headers=headers, method=method)
    try:
        with urllib.request.urlopen(r, timeout=30) as resp:
            return Answer(resp.status, dict(resp.headers.items()), resp.read().decode("utf-8", "replace"))
    except urllib.error.HTTPError as e:
        return Answer(e.code, dict(e.headers.items()), e.read().decode("utf-8", "replace"))


FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def json_headers(target):
    return {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target}


def main_database():
    """The database of the server scripts/client-tests started: a PostgreSQL URL or a SQLite file."""
    db = os.environ.get("SAGEGATE_DATABASE")
    if db:
        return db
    data = os.environ.get("SAGEGATE_DATA_DIR")
    if not data:
        pytest.skip("SAGEGATE_DATA_DIR is not set: run these tests through scripts/client-tests")
    return os.path.join(data, "sagegate.db")


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@contextlib.contextmanager
def extra_server(*args, database=None):
    """Starts another `sagegate serve` on `database` (default: the main server's) and yields its endpoint."""
    binary = os.environ.get("SAGEGATE_BIN")
    if not binary or not os.path.exists(binary):
        pytest.skip("SAGEGATE_BIN is not set: run these tests through scripts/client-tests")
    database = database or main_database()
    data = tempfile.mkdtemp(prefix="sagegate-extra-")
    port = _free_port()
    log = open(os.path.join(data, "server.log"), "wb")
    env = dict(os.environ, SAGEGATE_ROOT_ACCESS_KEY_ID=ROOT[0], SAGEGATE_ROOT_SECRET_ACCESS_KEY=ROOT[1])
    cmd = [binary, "serve", "--listen", f"127.0.0.1:{port}", "--data-dir", data, "--account-id", ACCOUNT, "--database", database, *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log, env=env)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            if proc.poll() is not None:
                raise AssertionError(f"the extra server exited: {open(os.path.join(data, 'server.log')).read()}")
            try:
                urllib.request.urlopen(endpoint + "/health", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise AssertionError("the extra server did not become ready")
        yield endpoint
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        shutil.rmtree(data, ignore_errors=True)


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def client_at(endpoint, service, creds=ROOT, token=None, region="us-east-1", validate=True):
    """A boto3 client for another server (conftest's `client` talks to the main one). With
    `validate=False`, botocore sends what its own parameter validation would refuse (short names,
    durations under the minimum), so the server's ValidationError can be checked."""
    import boto3
    import botocore.config

    return boto3.client(
        service,
        endpoint_url=endpoint or ENDPOINT,
        region_name=region,
        aws_access_key_id=creds[0],
        aws_secret_access_key=creds[1],
        aws_session_token=token,
        config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}, parameter_validation=validate),
    )


def unvalidated(service, creds=ROOT, token=None):
    """A client for the main server without botocore's parameter validation."""
    return client_at(None, service, creds, token, validate=False)
