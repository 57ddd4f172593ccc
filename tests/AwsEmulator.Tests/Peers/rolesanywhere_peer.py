#!/usr/bin/python3
"""An independent IAM Roles Anywhere CreateSession client (python3-cryptography), written from the public
description of the exchange (SigV4 with the certificate's key), used to check the emulator from another ecosystem.

stdin: {"endpoint", "region", "trust_anchor_arn", "profile_arn", "role_arn", "certificate_pem", "private_key_pem",
        "chain_pems": [...], "duration": 3600}
stdout: {"status": 201, "body": {...}, "error_type": "..."}
"""
import base64
import datetime
import hashlib
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa


def der_b64(pem):
    return base64.b64encode(x509.load_pem_x509_certificate(pem.encode()).public_bytes(serialization.Encoding.DER)).decode()


def main():
    job = json.load(sys.stdin)
    certificate = x509.load_pem_x509_certificate(job["certificate_pem"].encode())
    key = serialization.load_pem_private_key(job["private_key_pem"].encode(), password=None)
    url = urllib.parse.urlsplit(job["endpoint"])
    host = url.netloc
    query = {"profileArn": job["profile_arn"], "roleArn": job["role_arn"], "trustAnchorArn": job["trust_anchor_arn"]}
    canonical_query = "&".join(f"{urllib.parse.quote(k, safe='-_.~')}={urllib.parse.quote(v, safe='-_.~')}" for k, v in sorted(query.items()))
    body = json.dumps({"durationSeconds": job.get("duration", 3600)}, separators=(",", ":")).encode()
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    headers = {"content-type": "application/json", "host": host, "x-amz-date": amz_date,
               "x-amz-x509": base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()}
    if job.get("chain_pems"):
        headers["x-amz-x509-chain"] = ",".join(der_b64(p) for p in job["chain_pems"])
    signed = ";".join(sorted(headers))
    canonical = "\n".join(["POST", "/sessions", canonical_query]
                          + [f"{k}:{headers[k].strip()}" for k in sorted(headers)]
                          + ["", signed, hashlib.sha256(body).hexdigest()])
    if isinstance(key, rsa.RSAPrivateKey):
        algorithm = "AWS4-X509-RSA-SHA256"
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        algorithm = "AWS4-X509-ECDSA-SHA256"
    else:
        raise SystemExit("RSA or EC key expected")
    scope = f"{amz_date[:8]}/{job['region']}/rolesanywhere/aws4_request"
    string_to_sign = "\n".join([algorithm, amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()]).encode()
    if algorithm == "AWS4-X509-RSA-SHA256":
        signature = key.sign(string_to_sign, padding.PKCS1v15(), hashes.SHA256())
    else:
        signature = key.sign(string_to_sign, ec.ECDSA(hashes.SHA256()))  # DER SEQUENCE{r,s}
    authorization = f"{algorithm} Credential={certificate.serial_number}/{scope}, SignedHeaders={signed}, Signature={signature.hex()}"
    request = urllib.request.Request(f"{job['endpoint'].rstrip('/')}/sessions?{canonical_query}", data=body, method="POST")
    for name, value in headers.items():
        if name != "host":
            request.add_header(name, value)
    request.add_header("Authorization", authorization)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            result = {"status": response.status, "body": json.loads(response.read() or b"{}")}
    except urllib.error.HTTPError as error:
        result = {"status": error.code, "body": json.loads(error.read() or b"{}"), "error_type": error.headers.get("X-Amzn-ErrorType")}
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
