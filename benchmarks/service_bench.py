#!/usr/bin/env python3
"""The service benchmark (issue 6, item 10); run it through scripts/bench-service, which builds first.

Measures, against the real AwsEmulator and the real service process on this machine, in one run:
  * time from process start to the first secret served (a miss: one Secrets Manager round trip);
  * GetSecret latency on a miss, next to botocore's own GetSecretValue against the same emulator;
  * RSS after one secret and after 1000 cached secrets (the emulator's counters prove all 1000 stay cached);
  * cached GetSecret over TCP and a Unix socket with h2load at -c 1, 16 and 256 (one stream per connection,
    as connectors call), next to a raw Kestrel endpoint replaying the service's own reply bytes.
Prints tables in the Markdown docs/benchmarks.md uses. Loopback only; nothing leaves the machine.
"""
import argparse
import json
import os
import re
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

import grpc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVICE = f"{ROOT}/services/AuthService/bin/Release/net10.0/authservice"
EMULATOR = f"{ROOT}/services/AwsEmulator/bin/Release/net10.0/AwsEmulator"
BASELINE = f"{ROOT}/benchmarks/GrpcBenchServer/bin/Release/net10.0/GrpcBenchServer"
GET_SECRET = "/authservice.v1.SecretsService/GetSecret"
SECRETS = 1000


def field(number, text):
    """One length-delimited protobuf field (wire type 2): enough to encode a GetSecretRequest by hand."""
    data = text.encode()
    return bytes([number << 3 | 2, len(data)]) + data


def get_secret_request(secret_id):
    return field(1, "bench") + field(2, secret_id)


def frame(message):
    return b"\x00" + struct.pack(">I", len(message)) + message


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, what, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # not up yet
            pass
        time.sleep(0.02)
    sys.exit(f"bench: {what} did not come up")


def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


class Bench:
    def __init__(self, work, requests, rounds):
        self.work, self.requests, self.rounds = work, requests, rounds
        self.processes = []

    def start(self, argv, env=None):
        process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.processes.append(process)
        return process

    def stop_all(self):
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()

    def setup_emulator(self):
        port = free_port()
        self.emulator_url = f"http://127.0.0.1:{port}"
        demo = f"{self.work}/demo"
        # The emulator writes its demo seed on first start; the bench secrets are added to that seed (the emulator
        # has no CreateSecret), and the restarted emulator serves them.
        first = self.start([EMULATOR, "--demo-dir", demo, "--port", str(port)])
        wait_until(lambda: urllib.request.urlopen(f"{self.emulator_url}/healthz").status == 200, "the emulator")
        first.send_signal(signal.SIGTERM)
        first.wait(15)
        seed = json.load(open(f"{demo}/seed.json"))
        seed["secrets"] += [{"name": f"demo/bench/{i:04}", "versions": [{"stages": ["AWSCURRENT"], "secretString":
                             json.dumps({"username": f"user{i}", "password": "p" * 160})}]} for i in range(SECRETS)]
        with open(f"{demo}/seed.json", "w") as f:
            json.dump(seed, f)
        self.start([EMULATOR, "--demo-dir", demo, "--port", str(port)])
        wait_until(lambda: urllib.request.urlopen(f"{self.emulator_url}/healthz").status == 200, "the emulator")
        user = seed["users"][0]
        aws = f"{self.work}/.aws"
        os.makedirs(aws)
        with open(f"{aws}/credentials", "w") as f:
            f.write(f"[bench]\naws_access_key_id = {user['accessKeyId']}\naws_secret_access_key = {user['secretAccessKey']}\n")
        os.chmod(f"{aws}/credentials", 0o600)
        open(f"{aws}/config", "w").close()
        with open(f"{self.work}/configurations.json", "w") as f:
            json.dump({"configurations": [{"name": "bench", "region": "us-east-1", "endpointUrl": self.emulator_url,
                                           "auth": {"type": "static-keys", "profile": "bench"}}]}, f)
        self.env = dict(os.environ, AUTHSERVICE_Configuration__File=f"{self.work}/configurations.json",
                        AWS_SHARED_CREDENTIALS_FILE=f"{aws}/credentials", AWS_CONFIG_FILE=f"{aws}/config")

        import botocore.session
        session = botocore.session.get_session()
        self.secrets_manager = session.create_client(
            "secretsmanager", region_name="us-east-1", endpoint_url=self.emulator_url,
            aws_access_key_id=user["accessKeyId"], aws_secret_access_key=user["secretAccessKey"])

    def counters(self):
        data = json.load(urllib.request.urlopen(f"{self.emulator_url}/admin/counters"))
        return sum(ops.get("GetSecretValue", 0) for name, ops in data["secrets"].items() if name.startswith("demo/bench/"))

    def start_service(self):
        self.tcp = f"127.0.0.1:{free_port()}"
        self.socket = f"{self.work}/auth.sock"
        if os.path.exists(self.socket):
            os.unlink(self.socket)
        started = time.monotonic()
        process = self.start([SERVICE, "serve", "--tcp", self.tcp, "--unix-socket", self.socket], self.env)
        return process, started

    def call(self, channel, secret_id, timeout=30):
        return channel.unary_unary(GET_SECRET)(get_secret_request(secret_id), timeout=timeout)

    def start_to_first_secret(self):
        """Process start to the first GetSecret answered (a miss), three times; the median."""
        times = []
        for _ in range(3):
            process, started = self.start_service()
            while True:
                # A fresh channel per attempt: a grpcio channel that failed to connect waits out a reconnect
                # backoff (a second or more), which would be measured instead of the service.
                with grpc.insecure_channel(f"unix:{self.socket}") as channel:
                    try:
                        self.call(channel, "demo/database", timeout=5)
                        times.append(time.monotonic() - started)
                        break
                    except grpc.RpcError as error:
                        if error.code() != grpc.StatusCode.UNAVAILABLE or time.monotonic() - started > 30:
                            sys.exit(f"bench: the service did not serve its first secret: {error.code()} {error.details()}")
                time.sleep(0.005)
            process.send_signal(signal.SIGTERM)
            process.wait(15)
        return statistics.median(times), times

    def run(self):
        self.setup_emulator()
        first, first_all = self.start_to_first_secret()

        process, _ = self.start_service()
        channel = grpc.insecure_channel(f"unix:{self.socket}")
        wait_until(lambda: self.call(channel, "demo/database", timeout=2) is not None, "the service")
        time.sleep(1)
        rss_one = rss_kib(process.pid)

        misses = []
        for i in range(SECRETS):
            started = time.perf_counter()
            self.call(channel, f"demo/bench/{i:04}")
            misses.append((time.perf_counter() - started) * 1000)
        time.sleep(1)
        rss_all = rss_kib(process.pid)
        before = self.counters()
        for i in range(SECRETS):
            self.call(channel, f"demo/bench/{i:04}")
        all_cached = self.counters() == before

        direct = []
        for i in range(200):
            started = time.perf_counter()
            self.secrets_manager.get_secret_value(SecretId=f"demo/bench/{i:04}")
            direct.append((time.perf_counter() - started) * 1000)

        reply = self.call(channel, "demo/database")
        with open(f"{self.work}/request.bin", "wb") as f:
            f.write(frame(get_secret_request("demo/database")))
        with open(f"{self.work}/reply.bin", "wb") as f:
            f.write(frame(reply))
        raw_port, raw_socket = free_port(), f"{self.work}/raw.sock"
        self.start([BASELINE, "raw", str(raw_port), raw_socket, f"{self.work}/reply.bin"])
        wait_until(lambda: os.path.exists(raw_socket) and socket.create_connection(("127.0.0.1", raw_port)), "the baseline")

        targets = {
            ("tcp", "raw"): ["http://" + f"127.0.0.1:{raw_port}" + GET_SECRET],
            ("tcp", "service"): ["http://" + self.tcp + GET_SECRET],
            ("uds", "raw"): ["-B", f"unix:{raw_socket}", "http://localhost" + GET_SECRET],
            ("uds", "service"): ["-B", f"unix:{self.socket}", "http://localhost" + GET_SECRET],
        }
        rows = []
        for transport in ("tcp", "uds"):
            for connections in (1, 16, 256):
                requests = self.requests if connections > 1 else self.requests // 3
                for server in ("raw", "service"):   # warm-up: JIT, connection setup, pools
                    self.h2load(targets[(transport, server)], connections, max(2000, connections * 10))
                for round_ in range(self.rounds):
                    for server in ("raw", "service"):
                        rows.append((transport, connections, server, *self.h2load(targets[(transport, server)], connections, requests)))
        check = self.call(channel, "demo/database")
        assert b"demo-password" in check, "the service stopped serving the secret under load"  # cache fields (age) vary
        self.report(first, first_all, misses, direct, rss_one, rss_all, all_cached, rows)

    def h2load(self, target, connections, requests):
        log = f"{self.work}/h2load.log"
        output = subprocess.run(
            ["h2load", "-n", str(requests), "-c", str(connections), "-m", "1",
             "-H", "content-type: application/grpc", "-H", "te: trailers",
             "-d", f"{self.work}/request.bin", f"--log-file={log}", *target],
            capture_output=True, text=True, check=True).stdout
        rps = float(re.search(r"finished in [0-9.]+m?s, ([0-9.]+) req/s", output).group(1))
        failed = int(re.search(r"requests: .*?, (\d+) failed", output).group(1))
        latencies = [int(line.split()[2]) / 1000 for line in open(log) if line.strip()]
        return rps, failed, percentile(latencies, 0.50), percentile(latencies, 0.99)

    def report(self, first, first_all, misses, direct, rss_one, rss_all, all_cached, rows):
        cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
        print(f"machine: {os.cpu_count()} cores, {cpu}, {os.uname().release}")
        print(f"\nstart to first secret (process start to a served miss, median of 3): {first * 1000:.0f} ms"
              f" ({', '.join(f'{t * 1000:.0f}' for t in first_all)} ms)")
        print("\n| GetSecret on a miss | calls | p50 ms | p90 ms | p99 ms |\n|---|---|---|---|---|")
        print(f"| through the service (grpcio over UDS) | {len(misses)} | {percentile(misses, .5):.2f} | {percentile(misses, .9):.2f} | {percentile(misses, .99):.2f} |")
        print(f"| botocore GetSecretValue straight to the emulator (baseline) | {len(direct)} | {percentile(direct, .5):.2f} | {percentile(direct, .9):.2f} | {percentile(direct, .99):.2f} |")
        print(f"\nRSS: {rss_one / 1024:.1f} MiB with 1 cached secret, {rss_all / 1024:.1f} MiB with {SECRETS + 1} "
              f"({(rss_all - rss_one) / SECRETS:.1f} KiB per secret of ~200 bytes); all {SECRETS} still cached on a second pass: {all_cached}")
        print("\n| transport | -c | server | req/s (median) | failed | p50 ms | p99 ms | service/raw |\n|---|---|---|---|---|---|---|---|")
        for transport in ("tcp", "uds"):
            for connections in (1, 16, 256):
                medians = {}
                for server in ("raw", "service"):
                    runs = [r for r in rows if r[:3] == (transport, connections, server)]
                    medians[server] = [statistics.median(r[i] for r in runs) for i in (3, 5, 6)] + [sum(r[4] for r in runs)]
                for server in ("raw", "service"):
                    rps, p50, p99, failed = medians[server]
                    ratio = f"{medians['service'][0] / medians['raw'][0]:.0%}" if server == "service" else ""
                    print(f"| {transport} | {connections} | {server} | {rps:,.0f} | {failed} | {p50:.2f} | {p99:.2f} | {ratio} |")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=60000, help="requests per h2load run at -c 16 and 256")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-service-") as work:
        bench = Bench(work, args.requests, args.rounds)
        try:
            bench.run()
        finally:
            bench.stop_all()


if __name__ == "__main__":
    main()
