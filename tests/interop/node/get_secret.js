#!/usr/bin/env node
// GetSecret through Node @grpc/grpc-js, as a connector written in Node would call it.
// Usage: node get_secret.js TARGET PROTO_ROOT CONFIGURATION SECRET_ID [JSON_KEY]
// Prints JSON: {"value": ..., "from_cache": ...} or {"error": CODE, "details": ...}.
'use strict';
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const [target, protoRoot, configuration, secretId, jsonKey] = process.argv.slice(2);
const definition = protoLoader.loadSync(['authservice/v1/secrets.proto'], { includeDirs: [protoRoot], keepCase: true, defaults: true, oneofs: true });
const { SecretsService } = grpc.loadPackageDefinition(definition).authservice.v1;
const client = new SecretsService(target, grpc.credentials.createInsecure());
const request = { configuration, secret_id: secretId };
if (jsonKey) request.json_key = jsonKey;
client.GetSecret(request, { deadline: new Date(Date.now() + 60000) }, (error, response) => {
  console.log(JSON.stringify(error
    ? { error: grpc.status[error.code], details: error.details }
    : { value: response.secret_string, from_cache: response.cache.served_from_cache }));
  process.exit(0);
});
