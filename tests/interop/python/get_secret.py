#!/usr/bin/env python3
"""GetSecret through Python grpcio (Debian python3-grpcio), as a connector written in Python would call it.

Usage: get_secret.py TARGET DESCRIPTOR_SET CONFIGURATION SECRET_ID [JSON_KEY]
Prints JSON: {"value": ..., "from_cache": ...} or {"error": CODE, "details": ...}. Exit 0 either way.
"""
import json
import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory


def main():
    target, descriptors, configuration, secret_id = sys.argv[1:5]
    json_key = sys.argv[5] if len(sys.argv) > 5 else None
    pool = descriptor_pool.DescriptorPool()
    for file in descriptor_pb2.FileDescriptorSet.FromString(open(descriptors, "rb").read()).file:
        pool.AddSerializedFile(file.SerializeToString())
    factory = message_factory.MessageFactory(pool)
    message = lambda name: factory.GetPrototype(pool.FindMessageTypeByName(name))
    Request, Response = message("authservice.v1.GetSecretRequest"), message("authservice.v1.GetSecretResponse")
    call = grpc.insecure_channel(target).unary_unary(
        "/authservice.v1.SecretsService/GetSecret",
        request_serializer=Request.SerializeToString, response_deserializer=Response.FromString)
    request = Request(configuration=configuration, secret_id=secret_id)
    if json_key:
        request.json_key = json_key
    try:
        response = call(request, timeout=60)
        print(json.dumps({"value": response.secret_string, "from_cache": response.cache.served_from_cache}))
    except grpc.RpcError as error:
        print(json.dumps({"error": error.code().name, "details": error.details()}))


if __name__ == "__main__":
    main()
