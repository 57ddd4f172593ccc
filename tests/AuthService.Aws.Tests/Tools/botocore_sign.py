"""Signs one request with botocore's SigV4 signer (an independent implementation) for the cross-check tests.

Input (stdin, JSON): method, url, headers [[name, value], ...], body_base64, region, service, access_key_id,
secret_access_key, session_token (or null), timestamp ("2025-01-02T03:04:05Z"), mode ("header" | "query"),
expires (seconds, query mode). Output (stdout, JSON): authorization (header mode), url (query mode), headers.
Inputs come on stdin so no key ever appears in a process list.
"""
import base64
import datetime
import json
import sys

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

spec = json.load(sys.stdin)
fixed = datetime.datetime.strptime(spec["timestamp"], "%Y-%m-%dT%H:%M:%SZ")


class FrozenDateTime(datetime.datetime):
    """botocore reads the clock inside add_auth (utcnow in 1.29, now(timezone.utc) later): freeze both."""

    @classmethod
    def utcnow(cls):
        return fixed

    @classmethod
    def now(cls, tz=None):
        return fixed.replace(tzinfo=tz) if tz is not None else fixed


botocore.auth.datetime.datetime = FrozenDateTime

credentials = Credentials(spec["access_key_id"], spec["secret_access_key"], spec.get("session_token"))
request = AWSRequest(method=spec["method"], url=spec["url"], data=base64.b64decode(spec["body_base64"]))
for name, value in spec["headers"]:
    request.headers[name] = value

if spec["mode"] == "query":
    signer = botocore.auth.SigV4QueryAuth(credentials, spec["service"], spec["region"], expires=spec["expires"])
else:
    signer = botocore.auth.SigV4Auth(credentials, spec["service"], spec["region"])
signer.add_auth(request)

json.dump({
    "authorization": request.headers.get("Authorization"),
    "url": request.url,
    "headers": [[k, v] for k, v in request.headers.items()],
}, sys.stdout)
