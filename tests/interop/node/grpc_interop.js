#!/usr/bin/env node
// Drives a gRPC server with Node's @grpc/grpc-js, an implementation independent of ours.
// Usage: node grpc_interop.js TARGET PROTO_ROOT TEST_PROTO_ROOT
// TARGET is "127.0.0.1:PORT" or "unix:/path". Prints one JSON object with what each scenario observed.
'use strict';
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const [target, protoRoot, testProtoRoot] = process.argv.slice(2);
const definition = protoLoader.loadSync(
  ['grpc/health/v1/health.proto', 'grpc/reflection/v1/reflection.proto', 'grpc/reflection/v1alpha/reflection.proto', 'Protos/test.proto'],
  { includeDirs: [protoRoot, testProtoRoot], keepCase: true, enums: String, defaults: true, oneofs: true });
const packages = grpc.loadPackageDefinition(definition);
const credentials = grpc.credentials.createInsecure();
const deadline = (seconds) => ({ deadline: new Date(Date.now() + seconds * 1000) });
const failure = (error) => ({ code: grpc.status[error.code], details: error.details });

function unary(client, method, request, options) {
  return new Promise((resolve) => {
    client[method](request, options, (error, response) => resolve(error ? failure(error) : response));
  });
}

function firstOfStream(stream) {
  return new Promise((resolve) => {
    stream.on('data', (response) => { resolve(response); stream.cancel(); });
    stream.on('error', (error) => { if (error.code !== grpc.status.CANCELLED) resolve(failure(error)); });
  });
}

function reflect(client, requests) {
  return new Promise((resolve) => {
    const responses = [];
    const call = client.ServerReflectionInfo(deadline(10));
    call.on('data', (response) => responses.push(response));
    call.on('error', (error) => resolve(failure(error)));
    call.on('end', () => resolve(responses));
    requests.forEach((request) => call.write(request));
    call.end();
  });
}

async function main() {
  const results = {};
  const health = new packages.grpc.health.v1.Health(target, credentials);
  const check = await unary(health, 'Check', { service: '' }, deadline(10));
  results.check = check.status ?? check;
  const unknown = await unary(health, 'Check', { service: 'no.such.Service' }, deadline(10));
  results.check_unknown = unknown.code ? unknown : 'OK';
  const watched = await firstOfStream(health.Watch({ service: '' }, deadline(10)));
  results.watch_first = watched.status ?? watched;

  for (const version of ['v1', 'v1alpha']) {
    const reflection = new packages.grpc.reflection[version].ServerReflection(target, credentials);
    const responses = await reflect(reflection, [{ list_services: '*' }, { file_containing_symbol: 'grpc.health.v1.Health' }]);
    if (Array.isArray(responses)) {
      results[`reflection_${version}_services`] = responses[0].list_services_response.service.map((s) => s.name).sort();
      results[`reflection_${version}_file_count`] = responses[1].file_descriptor_response.file_descriptor_proto.length;
    } else {
      results[`reflection_${version}_services`] = responses;
    }
  }

  const tests = new packages.testing.v1.TestService(target, credentials);
  const fail = await unary(tests, 'Fail', { code: 9, message: 'token missing: 100% naïve' }, deadline(10));
  results.fail = fail.code ? fail : 'OK';
  const slept = await unary(tests, 'Sleep', { delay_ms: 20000 }, deadline(0.3));
  results.deadline = slept.code ? slept : 'OK';
  const echoed = await unary(tests, 'Echo', { text: 'hello', payload: Buffer.alloc(20000) }, deadline(10));
  results.echo = echoed.code ? echoed : echoed.payload.length;

  const counted = await new Promise((resolve) => {
    const replies = [];
    const call = tests.Count({ count: 5, fail_code: 10 }, deadline(10));
    call.on('data', (reply) => replies.push(reply.text));
    call.on('error', (error) => resolve({ replies, status: failure(error) }));
  });
  results.stream_then_error = counted;
  console.log(JSON.stringify(results));
  process.exit(0);
}

main().catch((error) => { console.error(error); process.exit(1); });
