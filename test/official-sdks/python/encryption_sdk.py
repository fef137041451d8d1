"""Alibaba Cloud's Encryption SDK for Python (PyPI: bestv-aliyun-encryption-sdk 0.1.2, the modules of
aliyun/alibabacloud-encryption-sdk-python), driven against a KMS endpoint (the emulator, in npm test).

Reads one JSON request on stdin and writes one JSON answer on stdout; the caller asserts.
  {"op": "encrypt", "arns": [...], "context": {...}, "plaintext": base64}  -> {"message": base64}
  {"op": "decrypt", "arns": [...], "message": base64}                      -> {"plaintext": base64, "context": {...}}
plus "endpoints" (region -> host:port), "accessKeyId", "accessKeySecret". A failure answers
{"error": "<exception class>: <message>"}.

Only the transport is adapted (local_transport.py), never the SDK's cryptography or format.
"""
import base64
import json
import sys

import local_transport
from aliyun_encryption_sdk.client import AliyunCrypto
from aliyun_encryption_sdk.kms import AliyunConfig
from aliyun_encryption_sdk.provider.default import DefaultDataKeyProvider

request = json.load(sys.stdin)
local_transport.ENDPOINTS.update(request["endpoints"])


def main():
    config = AliyunConfig(access_key_id=request["accessKeyId"], access_key_secret=request["accessKeySecret"], max_retries=1)
    client = AliyunCrypto(config)
    arns = request["arns"]
    provider = DefaultDataKeyProvider(arns[0], keys=list(arns[1:]))
    if request["op"] == "encrypt":
        plaintext = base64.b64decode(request["plaintext"])
        message, _ = client.encrypt(provider, plaintext, request.get("context") or {})
        return {"message": base64.b64encode(message).decode()}
    plaintext, material = client.decrypt(provider, base64.b64decode(request["message"]))
    return {"plaintext": base64.b64encode(plaintext).decode(), "context": material.cipher_header.encryption_context}


try:
    answer = main()
except Exception as e:  # the caller asserts on the class and message
    answer = {"error": "%s: %s" % (type(e).__name__, e)}
json.dump(answer, sys.stdout)
