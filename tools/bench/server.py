# Driver of `scripts/bench server`: sets up the same IAM users in sagegate and moto (boto3), pre-signs each
# request once with botocore's SigV4Auth, replays it with wrk at 1 and 64 connections, and prints the table.
#
# Run by tools/bench/server.sh, which builds sagegate, starts both servers on loopback and stops them at exit.
# Every load goes to 127.0.0.1 only; every run is bounded by wrk's -d.
import argparse
import configparser
import http.client
import json
import os
import re
import subprocess
import sys
import time
import urllib.request

import boto3
import botocore
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

REGION = "us-east-1"
NOTEBOOK = "bench-nb"
ALLOW_USER = "bench-allow"
DENY_USER = "bench-deny"
# Resource "*": moto matches SageMaker calls only against "*" (wire-protocols.md §10), so a policy scoped to the
# notebook ARN would be denied there; with "*" both servers see an allowed call.
ALLOW_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Bench",
            "Effect": "Allow",
            "Action": ["sts:GetCallerIdentity", "iam:GetUser", "sagemaker:DescribeNotebookInstance"],
            "Resource": "*",
        }
    ],
}
# The DENIED variant: the same user shape, but nothing allows sagemaker:DescribeNotebookInstance (implicit deny).
DENY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "Bench", "Effect": "Allow", "Action": ["sts:GetCallerIdentity", "iam:GetUser"], "Resource": "*"}
    ],
}
NO_RETRY = Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30)

# target name -> (signing service, user, content type, extra headers, body)
TARGETS = {
    "GetCallerIdentity": (
        "sts",
        ALLOW_USER,
        "application/x-www-form-urlencoded; charset=utf-8",
        {},
        "Action=GetCallerIdentity&Version=2011-06-15",
    ),
    "GetUser": (
        "iam",
        ALLOW_USER,
        "application/x-www-form-urlencoded; charset=utf-8",
        {},
        f"Action=GetUser&UserName={ALLOW_USER}&Version=2010-05-08",
    ),
    "DescribeNotebookInstance": (
        "sagemaker",
        ALLOW_USER,
        "application/x-amz-json-1.1",
        {"X-Amz-Target": "SageMaker.DescribeNotebookInstance"},
        json.dumps({"NotebookInstanceName": NOTEBOOK}),
    ),
    "DescribeNotebookInstance (denied)": (
        "sagemaker",
        DENY_USER,
        "application/x-amz-json-1.1",
        {"X-Amz-Target": "SageMaker.DescribeNotebookInstance"},
        json.dumps({"NotebookInstanceName": NOTEBOOK}),
    ),
}
# Targets with the ≥ 15,000 req/s and p99 ≤ 10 ms goal at 64 connections (issues 4 item 8 and 5 item 7).
GOAL_TARGETS = ("GetCallerIdentity", "GetUser", "DescribeNotebookInstance")
GOAL_RPS = 15000
GOAL_P99_MS = 10.0


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def client(service, endpoint, key, secret):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=NO_RETRY,
    )


def create_users(endpoint, key, secret, calls):
    """The setup calls, identical on both servers. Returns {user: (key, secret)}; appends each call's name to
    `calls` (moto's unauthenticated window must match their number exactly)."""
    iam = client("iam", endpoint, key, secret)
    keys = {}
    for user, policy in ((ALLOW_USER, ALLOW_POLICY), (DENY_USER, DENY_POLICY)):
        iam.create_user(UserName=user)
        calls.append("CreateUser")
        ak = iam.create_access_key(UserName=user)["AccessKey"]
        calls.append("CreateAccessKey")
        iam.put_user_policy(UserName=user, PolicyName="bench", PolicyDocument=json.dumps(policy))
        calls.append("PutUserPolicy")
        keys[user] = (ak["AccessKeyId"], ak["SecretAccessKey"])
    return keys


def create_notebook(endpoint, key, secret, calls):
    # sagegate checks that the execution role exists and trusts SageMaker, as SageMaker does.
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    try:
        client("iam", endpoint, key, secret).create_role(RoleName="bench-notebook-role", AssumeRolePolicyDocument=json.dumps(trust))
        calls.append("CreateRole")
    except ClientError:
        pass
    sm = client("sagemaker", endpoint, key, secret)
    calls.append("CreateNotebookInstance")
    try:
        sm.create_notebook_instance(
            NotebookInstanceName=NOTEBOOK,
            InstanceType="ml.t3.medium",
            RoleArn="arn:aws:iam::123456789012:role/bench-notebook-role",
        )
        return "created"
    except ClientError as e:
        err = e.response["Error"]
        return f"{e.response['ResponseMetadata']['HTTPStatusCode']} {err.get('Code')}"


def auth_is_on(endpoint):
    """A call with an access key neither server knows must be refused."""
    sts = client("sts", endpoint, "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    try:
        sts.get_caller_identity()
        return False, "200 (accepted an unknown key)"
    except ClientError as e:
        return True, f"{e.response['ResponseMetadata']['HTTPStatusCode']} {e.response['Error'].get('Code')}"


def setup_sagegate(endpoint, data_dir):
    ini = configparser.ConfigParser()
    ini.read(os.path.join(data_dir, "credentials"))
    root = (ini["sagegate"]["aws_access_key_id"], ini["sagegate"]["aws_secret_access_key"])
    on, why = auth_is_on(endpoint)
    if not on:
        sys.exit(f"sagegate: authentication is off?! {why}")
    calls = []
    keys = create_users(endpoint, *root, calls)
    nb = create_notebook(endpoint, *root, calls)
    return keys, {"unknown key before setup": why, "CreateNotebookInstance": nb, "setup calls": len(calls)}


def setup_moto(endpoint):
    """moto has no root credentials: with INITIAL_NO_AUTH_ACTION_COUNT=0 every call, CreateUser included, is
    refused. Its documented escape is POST /moto-api/reset-auth with a count N: the next N actions skip
    authentication, then it is on again. We open a window of exactly as many actions as the setup makes."""
    on, before = auth_is_on(endpoint)
    if not on:
        sys.exit(f"moto: authentication is off before setup (INITIAL_NO_AUTH_ACTION_COUNT not 0?): {before}")
    planned = 8  # 2 × (CreateUser, CreateAccessKey, PutUserPolicy) + CreateRole + CreateNotebookInstance
    # Not form-encoded, or werkzeug parses the body as a form and moto reads an empty count.
    req = urllib.request.Request(
        f"{endpoint}/moto-api/reset-auth",
        data=str(planned).encode(),
        method="POST",
        headers={"Content-Type": "text/plain"},
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        r.read()
    calls = []
    keys = create_users(endpoint, "AKIAMOTOSETUP0000000", "setup-window-secret", calls)
    nb = create_notebook(endpoint, "AKIAMOTOSETUP0000000", "setup-window-secret", calls)
    if len(calls) != planned:
        sys.exit(f"moto: setup made {len(calls)} calls, the window was {planned}")
    on, after = auth_is_on(endpoint)
    if not on:
        sys.exit(f"moto: authentication still off after the setup window: {after}")
    return keys, {
        "unknown key before setup": before,
        "unknown key after setup": after,
        "CreateNotebookInstance": nb,
        "setup calls": len(calls),
    }


def sign(endpoint, target, keys):
    service, user, ctype, extra, body = TARGETS[target]
    host = endpoint.split("://", 1)[1]
    headers = {"Content-Type": ctype, **extra}
    req = AWSRequest(method="POST", url=endpoint + "/", data=body.encode(), headers=headers)
    SigV4Auth(Credentials(*keys[user]), service, REGION).add_auth(req)
    out = {"Host": host, "Content-Length": str(len(body.encode()))}
    out.update({k: v for k, v in req.headers.items()})
    return body, out


def probe(endpoint, body, headers):
    """Sends the signed request once; returns (status, error code or '', first bytes of the body)."""
    host, port = endpoint.split("://", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request("POST", "/", body=body.encode(), headers=headers)
        r = conn.getresponse()
        text = r.read().decode("utf-8", "replace")
    finally:
        conn.close()
    m = re.search(r"<Code>([^<]+)</Code>", text) or re.search(r'"__type"\s*:\s*"(?:[^"#]*#)?([^"]+)"', text)
    code = m.group(1) if m else (r.getheader("x-amzn-ErrorType") or "").split(":")[0]
    return r.status, code, " ".join(text.split())[:160]


def lua_script(path, body, headers, count_status):
    q = json.dumps  # a JSON string literal is a valid Lua string literal for our ASCII content
    lines = ["-- generated by tools/bench/server.py: one pre-signed request", 'wrk.method = "POST"', f"wrk.body = {q(body)}"]
    lines.append("wrk.headers = {}")
    for k, v in headers.items():
        lines.append(f"wrk.headers[{q(k)}] = {q(v)}")
    lines.append(f"COUNT_STATUS = {'true' if count_status else 'false'}")
    here = os.path.dirname(os.path.abspath(__file__))
    lines.append(f"dofile({q(os.path.join(here, 'wrk_report.lua'))})")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def proc_cpu_seconds(pid):
    """utime + stime of a process and its threads, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def busy_cpu_seconds():
    """CPU time all processes spent busy (user, nice, system, irq, softirq, steal), from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds():
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def loadavg():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def scrape(endpoint):
    with urllib.request.urlopen(endpoint + "/metrics", timeout=10) as r:
        text = r.read().decode()
    out = {}
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) == 2 and "{" not in parts[0]:
            out[parts[0]] = float(parts[1])
    return out


def wrk(endpoint, script, conns, seconds, timeout):
    threads = min(conns, os.cpu_count() or 2)
    cmd = ["wrk", "-t", str(threads), "-c", str(conns), "-d", f"{seconds}s", "--timeout", f"{timeout}s",
           "--latency", "-s", script, endpoint + "/"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + timeout + 30)
    for line in p.stdout.splitlines():
        if line.startswith("BENCHJSON "):
            return json.loads(line[len("BENCHJSON "):])
    raise RuntimeError(f"wrk gave no result (exit {p.returncode}):\n{p.stdout}\n{p.stderr}")


def measure(name, endpoint, pid, target, keys, conns, args, workdir, is_sagegate):
    body, headers = sign(endpoint, target, keys)
    status, code, snippet = probe(endpoint, body, headers)
    stem = os.path.join(workdir, f"{name}-{re.sub(r'[^A-Za-z]+', '_', target)}-{conns}")
    # The warm-up counts every status code (a Lua callback per response); the timed run does not, because that
    # callback costs wrk CPU that the server, on the same 2 cores, would otherwise get. wrk still counts
    # non-2xx/3xx answers in the timed run.
    lua_script(stem + "-warmup.lua", body, headers, count_status=True)
    lua_script(stem + ".lua", body, headers, count_status=args.status_in_timed_run)
    w = wrk(endpoint, stem + "-warmup.lua", conns, args.warmup, args.timeout)
    m0 = scrape(endpoint) if is_sagegate else None
    cpu0, load0, busy0, wrk0, t0 = proc_cpu_seconds(pid), loadavg(), busy_cpu_seconds(), children_cpu_seconds(), time.time()
    r = wrk(endpoint, stem + ".lua", conns, args.duration, args.timeout)
    cpu1, load1, busy1, wrk1, t1 = proc_cpu_seconds(pid), loadavg(), busy_cpu_seconds(), children_cpu_seconds(), time.time()
    m1 = scrape(endpoint) if is_sagegate else None
    seconds = r["duration_us"] / 1e6
    row = {
        "server": name,
        "target": target,
        "connections": conns,
        "rps": r["requests"] / seconds,
        "p50_ms": r["latency_us"]["p50"] / 1000,
        "p99_ms": r["latency_us"]["p99"] / 1000,
        "requests": r["requests"],
        "statuses": {k: v for k, v in sorted(r["statuses"].items())},
        "warmup_statuses": {k: v for k, v in sorted(w["statuses"].items())},
        "socket_errors": {k: v for k, v in r["errors"].items() if k != "status" and v},
        "non_2xx": r["errors"]["status"],
        "probe": {"status": status, "code": code, "body": snippet},
        "server_cpu_us_per_req": (cpu1 - cpu0) * 1e6 / max(r["requests"], 1),
        "load": f"{load0}→{load1}",
        # CPU use during the timed run, in CPUs (2.0 = both cores busy): the server, wrk, everything else.
        "cpus_server": (cpu1 - cpu0) / (t1 - t0),
        "cpus_wrk": (wrk1 - wrk0) / (t1 - t0),
        "cpus_other": max(0.0, ((busy1 - busy0) - (cpu1 - cpu0) - (wrk1 - wrk0)) / (t1 - t0)),
    }
    if m1 is not None:
        n = m1.get("sagegate_request_duration_seconds_count", 0) - m0.get("sagegate_request_duration_seconds_count", 0)
        s = m1.get("sagegate_request_duration_seconds_sum", 0) - m0.get("sagegate_request_duration_seconds_sum", 0)
        d = m1.get("sagegate_decisions_total", 0) - m0.get("sagegate_decisions_total", 0)
        row["handler_us_per_req"] = s * 1e6 / n if n else None
        row["decisions_per_req"] = d / n if n else None
    return row


def fmt_statuses(row):
    """The timed run's status codes: counted directly when the timed run had the Lua callback; otherwise wrk's
    non-2xx/3xx count, attributed to the code the warm-up saw when the warm-up saw exactly one and the counts
    agree (all 2xx, or all non-2xx)."""
    n, bad, seen = row["requests"], row["non_2xx"], row["warmup_statuses"]
    if row["statuses"]:
        s = ", ".join(f"{k}: {v:,}" for k, v in row["statuses"].items())
    elif len(seen) == 1:
        code = next(iter(seen))
        ok = code.startswith(("2", "3"))
        if (ok and bad == 0) or (not ok and bad == n):
            s = f"{code}: {n:,}"
        else:
            s = f"non-2xx: {bad:,} of {n:,} (warm-up: {code} only)"
    else:
        s = f"non-2xx: {bad:,} of {n:,} (warm-up: " + ", ".join(f"{k}: {v:,}" for k, v in seen.items()) + ")"
    errs = ", ".join(f"{k} {v:,}" for k, v in row["socket_errors"].items())
    return s + (f"; socket errors: {errs}" if errs else "")


def table(rows):
    """Two Markdown tables, moto beside sagegate: throughput, latency and answers; then CPU per request."""
    by = {(r["target"], r["connections"], r["server"]): r for r in rows}
    keys = []
    for r in rows:
        k = (r["target"], r["connections"])
        if k not in keys:
            keys.append(k)

    def answers(r):
        if r is None:
            return "—"
        return fmt_statuses(r) + (f" ({r['probe']['code']})" if r["probe"]["code"] else "")

    def num(r, field, f):
        return "—" if r is None else format(r[field], f)

    out = [
        "| request | conns | sagegate req/s | p50 ms | p99 ms | sagegate answers (timed run) "
        "| moto req/s | p50 ms | p99 ms | moto answers (timed run) |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|---|",
    ]
    for t, c in keys:
        sg, mo = by.get((t, c, "sagegate")), by.get((t, c, "moto"))
        out.append(
            f"| {t} | {c} | {num(sg, 'rps', ',.0f')} | {num(sg, 'p50_ms', '.2f')} | {num(sg, 'p99_ms', '.2f')} "
            f"| {answers(sg)} | {num(mo, 'rps', ',.0f')} | {num(mo, 'p50_ms', '.2f')} | {num(mo, 'p99_ms', '.2f')} "
            f"| {answers(mo)} |"
        )
    out += [
        "",
        "| request | conns | sagegate CPU µs/req | moto CPU µs/req | sagegate in-handler µs (`/metrics`) "
        "| CPUs busy in sagegate's row: sagegate / wrk / other | CPUs busy in moto's row: moto / wrk / other |",
        "|---|---:|---:|---:|---:|---|---|",
    ]

    def cpus(r):
        return "—" if r is None else f"{r['cpus_server']:.2f} / {r['cpus_wrk']:.2f} / {r['cpus_other']:.2f}"

    for t, c in keys:
        sg, mo = by.get((t, c, "sagegate")), by.get((t, c, "moto"))
        handler = "—" if sg is None or sg.get("handler_us_per_req") is None else f"{sg['handler_us_per_req']:.0f}"
        out.append(
            f"| {t} | {c} | {num(sg, 'server_cpu_us_per_req', ',.0f')} | {num(mo, 'server_cpu_us_per_req', ',.0f')} "
            f"| {handler} | {cpus(sg)} | {cpus(mo)} |"
        )
    return "\n".join(out)


def goals(rows):
    out = []
    for r in rows:
        if r["server"] == "sagegate" and r["connections"] == 64 and r["target"] in GOAL_TARGETS:
            rps_ok, p99_ok = r["rps"] >= GOAL_RPS, r["p99_ms"] <= GOAL_P99_MS
            out.append(
                f"- {r['target']} at 64 connections: {r['rps']:,.0f} req/s ({'met' if rps_ok else 'MISSED'} "
                f"≥ {GOAL_RPS:,}), p99 {r['p99_ms']:.2f} ms ({'met' if p99_ok else 'MISSED'} ≤ {GOAL_P99_MS:g} ms)"
            )
    return "\n".join(out)


def profile(endpoint, pid, keys, args, workdir):
    """perf (cpu-clock, DWARF call graphs) on sagegate during a 64-connection DescribeNotebookInstance run:
    the share of sagegate's CPU samples inside each stage (inclusive)."""
    body, headers = sign(endpoint, "DescribeNotebookInstance", keys)
    script = os.path.join(workdir, "profile.lua")
    lua_script(script, body, headers, count_status=False)
    data = os.path.join(workdir, "perf.data")
    load = subprocess.Popen(
        ["wrk", "-t", "2", "-c", "64", "-d", f"{args.profile_seconds + 3}s", "-s", script, endpoint + "/"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(1.5)
        rec = subprocess.run(
            ["perf", "record", "-q", "-e", "cpu-clock", "-F", "997", "--call-graph", "dwarf,16384", "-p", str(pid),
             "-o", data, "--", "sleep", str(args.profile_seconds)],
            capture_output=True, text=True, timeout=args.profile_seconds + 60,
        )
    finally:
        load.wait(timeout=args.profile_seconds + 30)
    if rec.returncode != 0:
        return {"error": rec.stderr.strip()[-400:]}
    rep = subprocess.run(
        ["perf", "report", "-i", data, "--children", "--stdio", "--sort", "symbol", "-g", "none",
         "--percent-limit", "0.3"],
        capture_output=True, text=True, timeout=600,
    )
    children = {}
    for line in rep.stdout.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+([\d.]+)%\s+\[[^\]]+\]\s+(.*)$", line)
        if m:
            sym = re.sub(r"\s+-\s+-\s*$", "", m.group(3)).strip()
            sym = re.sub(r"\s*\(inlined\)$", "", sym)
            children[sym] = max(children.get(sym, 0.0), float(m.group(1)))
    # Inclusive share of sagegate's CPU samples (all threads) per stage; stages nest as indented.
    stages = [
        ("sagegate_server::http::handle (body read → response built)", "sagegate_server::http::handle::{{closure}}"),
        ("  sagegate_sigv4::verify / verify_cached (SigV4)", ("sagegate_sigv4::verify", "sagegate_sigv4::verify_cached")),
        ("    of which sagegate_sigv4::signing_key (derivation, on a cache miss)", "sagegate_sigv4::signing_key"),
        ("  sagegate_server::sts::session::resolve (caller identity)", "sagegate_server::sts::session::resolve"),
        ("  sagegate_sagemaker::plan::plan (actions, ARNs, context keys)", "sagegate_sagemaker::plan::plan"),
        ("  sagegate_server::call::Call::base_context (request context)", "sagegate_server::call::Call::base_context"),
        ("  sagegate_sagemaker::plan::decide (decision + message)", "sagegate_sagemaker::plan::decide"),
        ("    of which sagegate_policy::eval::evaluate (policy evaluation)", "sagegate_policy::eval::evaluate"),
        ("  sagegate_server::error::ApiError::into_response_with_id (error body)", "sagegate_server::error::ApiError::into_response_with_id"),
        ("  sagegate_server::http::log_request (JSON log line to stderr; errors always)", "sagegate_server::http::log_request"),
    ]
    def share(syms):
        return max(children.get(x, 0.0) for x in ((syms,) if isinstance(syms, str) else syms))

    result = {name: share(sym) for name, sym in stages}
    result["rest: hyper, tokio, kernel TCP (100% − handle)"] = round(100.0 - result[stages[0][0]], 2)
    m = re.search(r"# Samples: (\S+)", rep.stdout)
    result["_samples"] = m.group(1) if m else "?"
    return result


def source_version():
    """The commit sagegate was built from, and whether the working tree had uncommitted changes (read-only git)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "diff", "--quiet", "HEAD", "--", "crates"], capture_output=True).returncode
        return head + (" + uncommitted changes" if dirty else "")
    except OSError:
        return "?"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sagegate", required=True)
    ap.add_argument("--sagegate-pid", type=int, required=True)
    ap.add_argument("--sagegate-data", required=True)
    ap.add_argument("--moto", required=True)
    ap.add_argument("--moto-pid", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=5)
    ap.add_argument("--connections", default="1,64")
    ap.add_argument("--only", default="", help="comma-separated target names (default: all)")
    ap.add_argument("--status-in-timed-run", action="store_true",
                    help="count every status code in the timed run too (costs wrk CPU; default: warm-up only)")
    ap.add_argument("--no-moto", action="store_true")
    ap.add_argument("--profile-seconds", type=int, default=5, help="0: no perf profile")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    log(f"setting up sagegate at {args.sagegate} ...")
    sg_keys, sg_setup = setup_sagegate(args.sagegate, args.sagegate_data)
    log(f"  {sg_setup}")
    servers = [("sagegate", args.sagegate, args.sagegate_pid, sg_keys, True)]
    setup = {"sagegate": sg_setup}
    if not args.no_moto:
        log(f"setting up moto at {args.moto} ...")
        mo_keys, mo_setup = setup_moto(args.moto)
        log(f"  {mo_setup}")
        servers.append(("moto", args.moto, args.moto_pid, mo_keys, False))
        setup["moto"] = mo_setup

    targets = [t for t in TARGETS if not args.only or t in args.only.split(",")]
    conns = [int(c) for c in args.connections.split(",")]
    rows = []
    started_load = open("/proc/loadavg").read().split()[:3]
    for target in targets:
        for c in conns:
            for name, endpoint, pid, keys, is_sg in servers:
                log(f"{target:36} {name:8} {c:3} connections: {args.warmup}s warm-up + {args.duration}s ...")
                row = measure(name, endpoint, pid, target, keys, c, args, args.out, is_sg)
                log(f"  {row['rps']:,.0f} req/s, p50 {row['p50_ms']:.2f} ms, p99 {row['p99_ms']:.2f} ms, "
                    f"{fmt_statuses(row)}, probe {row['probe']['status']} {row['probe']['code']}, load {row['load']}, "
                    f"CPUs busy: server {row['cpus_server']:.2f}, wrk {row['cpus_wrk']:.2f}, "
                    f"other {row['cpus_other']:.2f}")
                rows.append(row)
    ended_load = open("/proc/loadavg").read().split()[:3]

    prof = None
    if args.profile_seconds > 0:
        log(f"profiling sagegate (perf, {args.profile_seconds}s of DescribeNotebookInstance at 64 connections) ...")
        try:
            prof = profile(args.sagegate, args.sagegate_pid, sg_keys, args, args.out)
        except (OSError, subprocess.SubprocessError) as e:
            prof = {"error": str(e)}

    result = {
        "setup": setup,
        "cpus": os.cpu_count(),
        "loadavg_before": started_load,
        "loadavg_after": ended_load,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "rows": rows,
        "profile": prof,
        "versions": {"boto3": boto3.__version__, "botocore": botocore.__version__, "sagegate": source_version()},
    }
    try:
        import moto

        result["versions"]["moto"] = moto.__version__
    except ImportError:
        pass
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(result, f, indent=2)
    text = table(rows)
    with open(os.path.join(args.out, "table.md"), "w") as f:
        f.write(text + "\n")

    print()
    print(f"Server benchmark ({args.warmup}s warm-up + {args.duration}s per row, wrk on the same machine, "
          f"{os.cpu_count()} CPUs, load average {' '.join(started_load)} before, {' '.join(ended_load)} after; "
          f"sagegate {result['versions']['sagegate']}, moto {result['versions'].get('moto', '-')}):")
    print()
    print(text)
    print()
    print("Targets (sagegate, 64 connections):")
    print(goals(rows))
    sg_rows = [r for r in rows if r["server"] == "sagegate"]
    if sg_rows:
        print()
        print("sagegate /metrics: policy decisions per request: " + ", ".join(
            f"{r['target']} ({r['connections']}) {r.get('decisions_per_req') or 0:.2f}" for r in sg_rows))
    if prof:
        print()
        cpu = next((r["server_cpu_us_per_req"] for r in sg_rows
                    if r["target"] == "DescribeNotebookInstance" and r["connections"] == 64), None)
        print(f"Profile of sagegate, DescribeNotebookInstance at 64 connections ({prof.get('_samples', '?')} perf samples;"
              " share of the process's CPU samples, inclusive of callees"
              + (f"; µs = share × {cpu:.0f} µs CPU/request from the table" if cpu else "") + "):")
        for k, v in prof.items():
            if k.startswith("_"):
                continue
            if isinstance(v, float):
                est = f" ≈ {v * cpu / 100:.1f} µs" if cpu else ""
                print(f"- {k}: {v:.2f}%{est}")
            else:
                print(f"- {k}: {v}")
    print()
    print(f"Raw results: {os.path.join(args.out, 'results.json')}")


if __name__ == "__main__":
    main()
