// The real AWS JavaScript SDK v3 (@aws-sdk/client-secrets-manager) driven by the emulator tests.
// Reads one JSON job from stdin (credentials never on a command line), prints one JSON result:
//   {"endpoint","region","accessKeyId","secretAccessKey","sessionToken"?, "calls":[{"op":"GetSecretValue","params":{...}}]}
//   -> {"results":[{"ok":{...}} | {"error":{"code","message","status"}}]}
import * as sm from "@aws-sdk/client-secrets-manager";

let input = "";
for await (const chunk of process.stdin) {
  input += chunk;
}
const job = JSON.parse(input);
const client = new sm.SecretsManagerClient({
  region: job.region,
  endpoint: job.endpoint,
  maxAttempts: 1,
  credentials: { accessKeyId: job.accessKeyId, secretAccessKey: job.secretAccessKey, sessionToken: job.sessionToken ?? undefined },
});
const results = [];
for (const call of job.calls) {
  try {
    const output = await client.send(new sm[`${call.op}Command`](call.params));
    delete output.$metadata;
    if (output.SecretBinary) {
      output.SecretBinary = Buffer.from(output.SecretBinary).toString("base64");
    }
    results.push({ ok: output });
  } catch (error) {
    results.push({ error: { code: error.name, message: error.message, status: error.$metadata?.httpStatusCode } });
  }
}
process.stdout.write(JSON.stringify({ results }));
