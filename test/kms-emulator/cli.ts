import { parseArgs } from "node:util";
import { startKmsEmulator } from "./index";
import { isKeyCommand, KEY_COMMANDS, type KeyCommand } from "./admin/key-commands";

// `npm run --silent kms-emulator -- --port <p> [--seed <file>] [--keys-dir <dir>] [--qps <n>] [--data-dir <dir>]`
// Prints exactly one JSON line on stdout once listening; everything else goes to stderr.
// `npm run --silent kms-emulator -- rotate|disable|enable <key> [--endpoint <url>]` drives a running
// emulator instead (default endpoint: ALIBABA_CLOUD_KMS_ENDPOINT, else the demo's http://127.0.0.1:18080):
// one JSON line with the key's ID, state and primary version. `list` prints a running emulator's keys
// (with their aliases) and certificates, one a line; `list certificates` only the certificates' IDs,
// for a script: `pulumi config set certificateId "$(npm run --silent kms-emulator -- list certificates)"`.

const usage = `usage: kms-emulator [--port <p>] [--vpc-port <p>] [--host <h>] [--seed <file>] [--keys-dir <dir>] [--data-dir <dir>]
                   [--qps <n>] [--region <id>] [--error-rate <0-1>] [--latency-ms <n>] [--drop-rate <0-1>]
                   [--primary-key-version present|absent|empty] [--dry-run-messages with-code|bare]
                   [--key-version-not-found-code Forbidden.KeyVersionNotFound|Forbidden.ResourceNotFound]
                   [--certificate-api served|absent] [--symmetric-encrypt-version primary|initial]
                   [--encryption-context-match equivalent|exact]
       kms-emulator rotate|disable|enable <key ID, alias/… or ARN> [--endpoint <url>]
       kms-emulator list [certificates] [--endpoint <url>]`;

function fail(message: string): never {
  process.stderr.write(`kms-emulator: ${message}\n${usage}\n`);
  process.exit(2);
}

function choice<T extends string>(value: string | undefined, name: string, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) fail(`--${name} must be one of ${allowed.join(", ")}`);
  return value as T;
}

function number(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < min || n > max)
    fail(`--${name} must be a number from ${min} to ${max}`);
  return n;
}

/** A command's positionals and the running emulator's endpoint (--endpoint, ALIBABA_CLOUD_KMS_ENDPOINT, the demo's). */
function commandArgs(args: string[]): { positionals: string[]; endpoint: string } {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { endpoint: { type: "string" } }, allowPositionals: true, strict: true });
  } catch (e) {
    fail((e as Error).message);
  }
  return { positionals: parsed.positionals, endpoint: parsed.values.endpoint ?? process.env.ALIBABA_CLOUD_KMS_ENDPOINT ?? "http://127.0.0.1:18080" };
}

/** A request to a running emulator's admin path; exits saying so when none answers. */
async function admin(endpoint: string, path: string, body?: unknown): Promise<Response> {
  try {
    return await fetch(new URL(path, endpoint), body === undefined ? {} : {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
    });
  } catch {
    process.stderr.write(`kms-emulator: no emulator answers at ${endpoint}; start one (npm run kms-emulator) or pass --endpoint\n`);
    process.exit(1);
  }
}

/** rotate|disable|enable against a running emulator, through its admin path. */
async function keyCommand(command: KeyCommand, args: string[]): Promise<void> {
  const { positionals: [key, ...extra], endpoint } = commandArgs(args);
  if (key === undefined || extra.length > 0) fail(`${command} takes one key: its ID, alias/<name> or ARN`);
  const answer = await admin(endpoint, "/__emulator/keys", { command, keyId: key });
  const body = (await answer.json()) as Record<string, unknown>;
  if (!answer.ok) {
    process.stderr.write(`kms-emulator: ${KEY_COMMANDS[command]} ${JSON.stringify(key)}: ${String(body.Code)}: ${String(body.Message)}\n`);
    process.exit(1);
  }
  process.stdout.write(`${JSON.stringify(body)}\n`);
}

/** `list [certificates]`: a running emulator's keys and certificates. */
async function listCommand(args: string[]): Promise<void> {
  const { positionals, endpoint } = commandArgs(args);
  if (positionals.length > 1 || (positionals[0] !== undefined && positionals[0] !== "certificates")) fail("list takes nothing, or certificates");
  type Inventory = { keys: { KeyId: string; KeySpec: string; KeyUsage: string; KeyState: string; Aliases: string[] }[];
    certificates: { CertificateId: string; KeySpec: string }[]; };
  const { keys, certificates } = (await (await admin(endpoint, "/__emulator/inventory")).json()) as Inventory;
  const lines = positionals[0] === "certificates" ? certificates.map((c) => c.CertificateId) : [
    ...keys.map((k) => `key ${k.KeyId} ${k.KeySpec} ${k.KeyUsage} ${k.KeyState}${k.Aliases.length ? ` ${k.Aliases.join(" ")}` : ""}`),
    ...certificates.map((c) => `certificate ${c.CertificateId} ${c.KeySpec}`),
  ];
  process.stdout.write(lines.map((l) => `${l}\n`).join(""));
}

async function main(): Promise<void> {
  const [first, ...rest] = process.argv.slice(2);
  if (isKeyCommand(first)) return keyCommand(first, rest);
  if (first === "list") return listCommand(rest);
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse().values;
  } catch (e) {
    fail((e as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const qps = number(values.qps, "qps", 1, 1_000_000);
  const primary = choice(values["primary-key-version"], "primary-key-version", ["present", "absent", "empty"] as const);
  const dryRun = choice(values["dry-run-messages"], "dry-run-messages", ["with-code", "bare"] as const);
  const versionCode = choice(values["key-version-not-found-code"], "key-version-not-found-code",
    ["Forbidden.KeyVersionNotFound", "Forbidden.ResourceNotFound"] as const);
  const certificateApi = choice(values["certificate-api"], "certificate-api", ["served", "absent"] as const);
  const symmetricVersion = choice(values["symmetric-encrypt-version"], "symmetric-encrypt-version", ["primary", "initial"] as const);
  const contextMatch = choice(values["encryption-context-match"], "encryption-context-match", ["equivalent", "exact"] as const);
  const emulator = await startKmsEmulator({
    port: number(values.port, "port", 0, 65535) ?? 0,
    vpcPort: number(values["vpc-port"], "vpc-port", 0, 65535) ?? 0,
    host: values.host ?? "127.0.0.1",
    ...(values.seed ? { seed: values.seed } : {}),
    ...(values["keys-dir"] ? { keysDir: values["keys-dir"] } : {}),
    ...(values["data-dir"] ? { dataDir: values["data-dir"] } : {}),
    ...(qps ? { qps } : {}),
    ...(values.region ? { region: values.region } : {}),
    behaviour: {
      ...(primary ? { asymmetricPrimaryKeyVersion: primary } : {}),
      ...(dryRun ? { dryRunMessages: dryRun } : {}),
      ...(versionCode ? { keyVersionNotFoundCode: versionCode } : {}),
      ...(certificateApi ? { certificateApi } : {}),
      ...(symmetricVersion ? { symmetricEncryptVersion: symmetricVersion } : {}),
      ...(contextMatch ? { encryptionContextMatch: contextMatch } : {}),
    },
    faults: {
      errorRate: number(values["error-rate"], "error-rate", 0, 1) ?? 0,
      dropRate: number(values["drop-rate"], "drop-rate", 0, 1) ?? 0,
      latencyMs: number(values["latency-ms"], "latency-ms", 0, 60_000) ?? 0,
    },
  }).catch((e: Error) => fail(e.message));

  if (!values.seed) {
    const lines = emulator.store.allKeys().map((key) => {
      const aliases = emulator.store.aliasesOf(key.keyId).map((a) => a.aliasName);
      return `  key ${key.keyId} ${key.keySpec} ${key.keyUsage}${aliases.length ? ` (${aliases.join(", ")})` : ""}`;
    });
    const certificates = emulator.seed.certificates.map(
      (c) => `  certificate ${c.certificateId} ${c.keySpec}`,
    );
    process.stderr.write(
      `kms-emulator: no --seed, created the default set:\n${[...lines, ...certificates].join("\n")}\n`,
    );
  }
  process.stdout.write(
    `${JSON.stringify({
      endpoint: emulator.endpoint,
      vpcEndpoint: emulator.vpcEndpoint,
      accessKeyId: emulator.accessKeyId,
      accessKeySecret: emulator.accessKeySecret,
    })}\n`,
  );

  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

function parse() {
  return parseArgs({
    options: {
      port: { type: "string" },
      "vpc-port": { type: "string" },
      host: { type: "string" },
      seed: { type: "string" },
      "keys-dir": { type: "string" },
      "data-dir": { type: "string" },
      qps: { type: "string" },
      region: { type: "string" },
      "error-rate": { type: "string" },
      "latency-ms": { type: "string" },
      "drop-rate": { type: "string" },
      "primary-key-version": { type: "string" },
      "dry-run-messages": { type: "string" },
      "key-version-not-found-code": { type: "string" },
      "certificate-api": { type: "string" },
      "symmetric-encrypt-version": { type: "string" },
      "encryption-context-match": { type: "string" },
      help: { type: "boolean" },
    },
    strict: true,
    allowPositionals: false,
  });
}

main().catch((e: Error) => fail(e.message));
