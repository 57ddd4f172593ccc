#!/usr/bin/python3
"""A real AWS SDK signer (Debian's python3-botocore) driven by the emulator tests.

Reads one JSON job from stdin (credentials never appear on a command line) and prints one JSON result.
  {"mode": "client", "endpoint", "region", "access_key", "secret_key", "token"?, "calls": [{"service", "op", "params"}]}
      -> {"results": [{"ok": <response without ResponseMetadata>} | {"error": {"code", "message", "status"}}]}
  {"mode": "sign", "service", "region", "access_key", "secret_key", "token"?, "method", "url", "headers", "body"}
      -> {"headers": {...}}                        (Authorization-header signing by botocore.auth.SigV4Auth)
  {"mode": "presign", ... same ..., "expires": 900}
      -> {"url": "..."}                            (query-string signing by botocore.auth.SigV4QueryAuth)
  {"mode": "imds", "endpoint"}
      -> {"credentials": {...}}                    (botocore's own IMDSv2 fetcher, as EC2 instances use it)
"""
import base64
import datetime
import json
import sys

import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials
import botocore.exceptions
import botocore.session


def encode(value):
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [encode(v) for v in value]
    return value


def credentials(job):
    return botocore.credentials.Credentials(job["access_key"], job["secret_key"], job.get("token"))


def run_client(job):
    session = botocore.session.get_session()
    config = botocore.config.Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30)
    results = []
    for call in job["calls"]:
        client = session.create_client(
            call["service"], region_name=job["region"], endpoint_url=job["endpoint"],
            aws_access_key_id=job["access_key"], aws_secret_access_key=job["secret_key"],
            aws_session_token=job.get("token"), config=config, verify=job.get("ca_bundle", True))
        params = dict(call.get("params", {}))
        if "SecretBinary" in params:
            params["SecretBinary"] = base64.b64decode(params["SecretBinary"])
        try:
            results.append({"ok": encode(getattr(client, call["op"])(**params))})
        except botocore.exceptions.ClientError as error:
            err = error.response.get("Error", {})
            results.append({"error": {"code": err.get("Code"), "message": err.get("Message"),
                                      "status": error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")}})
    return {"results": results}


def run_sign(job, presign):
    request = botocore.awsrequest.AWSRequest(method=job["method"], url=job["url"],
                                             headers=job.get("headers", {}), data=job.get("body", "").encode())
    if presign:
        botocore.auth.SigV4QueryAuth(credentials(job), job["service"], job["region"], expires=job.get("expires", 900)).add_auth(request)
        return {"url": request.url}
    botocore.auth.SigV4Auth(credentials(job), job["service"], job["region"]).add_auth(request)
    return {"headers": dict(request.headers.items())}


def run_imds(job):
    import os
    import botocore.utils
    # The test harness disables IMDS for the other modes; here the emulator is the IMDS.
    os.environ.pop("AWS_EC2_METADATA_DISABLED", None)
    fetcher = botocore.utils.InstanceMetadataFetcher(timeout=5, num_attempts=1, base_url=job["endpoint"])
    return {"credentials": fetcher.retrieve_iam_role_credentials()}


def main():
    job = json.load(sys.stdin)
    if job["mode"] == "client":
        result = run_client(job)
    elif job["mode"] == "imds":
        result = run_imds(job)
    else:
        result = run_sign(job, job["mode"] == "presign")
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
