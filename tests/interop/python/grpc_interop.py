#!/usr/bin/env python3
"""Drives a gRPC server with Python grpcio (Debian python3-grpcio), an implementation independent of ours.

Usage: grpc_interop.py TARGET DESCRIPTOR_SET
TARGET is "127.0.0.1:PORT" or "unix:/path". DESCRIPTOR_SET is a serialized google.protobuf.FileDescriptorSet
holding the health, reflection and testing.v1 protos. Prints one JSON object with what each scenario observed;
the calling test asserts on it. Every scenario runs even when another fails.
"""
import json
import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory


def load_messages(path):
    pool = descriptor_pool.DescriptorPool()
    files = descriptor_pb2.FileDescriptorSet.FromString(open(path, "rb").read())
    for file in files.file:
        pool.AddSerializedFile(file.SerializeToString())
    factory = message_factory.MessageFactory(pool)

    def message(name):
        descriptor = pool.FindMessageTypeByName(name)
        if hasattr(message_factory, "GetMessageClass"):
            return message_factory.GetMessageClass(descriptor)
        return factory.GetPrototype(descriptor)

    return message


def error(exc):
    return {"code": exc.code().name, "details": exc.details()}


def main():
    target, descriptor_set = sys.argv[1], sys.argv[2]
    message = load_messages(descriptor_set)
    HealthCheckRequest = message("grpc.health.v1.HealthCheckRequest")
    HealthCheckResponse = message("grpc.health.v1.HealthCheckResponse")
    channel = grpc.insecure_channel(target)
    results = {}

    def unary(path, request_type, response_type):
        return channel.unary_unary(path, request_serializer=request_type.SerializeToString,
                                   response_deserializer=response_type.FromString)

    check = unary("/grpc.health.v1.Health/Check", HealthCheckRequest, HealthCheckResponse)
    status_name = HealthCheckResponse.DESCRIPTOR.enum_types_by_name["ServingStatus"].values_by_number

    try:
        results["check"] = status_name[check(HealthCheckRequest(service=""), timeout=10).status].name
    except grpc.RpcError as exc:
        results["check"] = error(exc)

    try:
        check(HealthCheckRequest(service="no.such.Service"), timeout=10)
        results["check_unknown"] = "OK"
    except grpc.RpcError as exc:
        results["check_unknown"] = error(exc)

    watch = channel.unary_stream("/grpc.health.v1.Health/Watch", request_serializer=HealthCheckRequest.SerializeToString,
                                 response_deserializer=HealthCheckResponse.FromString)
    try:
        stream = watch(HealthCheckRequest(service=""), timeout=10)
        first = next(stream)
        results["watch_first"] = status_name[first.status].name
        stream.cancel()
    except grpc.RpcError as exc:
        results["watch_first"] = error(exc)

    for version in ("v1", "v1alpha"):
        Request = message(f"grpc.reflection.{version}.ServerReflectionRequest")
        Response = message(f"grpc.reflection.{version}.ServerReflectionResponse")
        info = channel.stream_stream(f"/grpc.reflection.{version}.ServerReflection/ServerReflectionInfo",
                                     request_serializer=Request.SerializeToString,
                                     response_deserializer=Response.FromString)
        try:
            responses = list(info(iter([Request(list_services="*"),
                                        Request(file_containing_symbol="grpc.health.v1.Health")]), timeout=10))
            results[f"reflection_{version}_services"] = sorted(s.name for s in responses[0].list_services_response.service)
            file = descriptor_pb2.FileDescriptorProto.FromString(responses[1].file_descriptor_response.file_descriptor_proto[0])
            results[f"reflection_{version}_file"] = file.name
        except grpc.RpcError as exc:
            results[f"reflection_{version}_services"] = error(exc)

    FailRequest = message("testing.v1.FailRequest")
    EchoReply = message("testing.v1.EchoReply")
    EchoRequest = message("testing.v1.EchoRequest")
    SleepRequest = message("testing.v1.SleepRequest")
    try:
        unary("/testing.v1.TestService/Fail", FailRequest, EchoReply)(
            FailRequest(code=9, message="token missing: 100% naïve"), timeout=10)
        results["fail"] = "OK"
    except grpc.RpcError as exc:
        results["fail"] = error(exc)

    try:
        unary("/testing.v1.TestService/Sleep", SleepRequest, EchoReply)(SleepRequest(delay_ms=20000), timeout=0.3)
        results["deadline"] = "OK"
    except grpc.RpcError as exc:
        results["deadline"] = error(exc)

    try:
        unary("/testing.v1.TestService/Nope", EchoRequest, EchoReply)(EchoRequest(), timeout=10)
        results["unknown_method"] = "OK"
    except grpc.RpcError as exc:
        results["unknown_method"] = error(exc)

    try:
        reply = unary("/testing.v1.TestService/Echo", EchoRequest, EchoReply)(
            EchoRequest(text="x" * 10, payload=b"\0" * 20000), timeout=10, compression=grpc.Compression.Gzip)
        results["echo_gzip"] = len(reply.payload)
    except grpc.RpcError as exc:
        results["echo_gzip"] = error(exc)

    print(json.dumps(results))


if __name__ == "__main__":
    main()
