import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startKmsEmulator } from "../test/kms-emulator";
import { emulatorPort } from "./emulator-port";
import { pulumiBinDir } from "../test/e2e/pulumi-bin";
import { OFFLINE_SWITCHES } from "../test/e2e/offline-pulumi";

// `npm run try-emulator`: your own Pulumi program against the KMS emulator, in one step. Gets the
// Pulumi CLI (built from the Go module proxy and cached, the first time only), starts the emulator
// on KMS_DEMO_PORT (default 18080) with its keys and state in .emulator/ (the same keys and access
// key every time), writes .emulator/env with every setting a program and the CLI need (endpoint,
// region, the emulator's access key, the CLI on PATH, a local file backend and its passphrase,
// Pulumi's offline switches), says how to use it, and serves until Ctrl-C.

const root = resolve(__dirname, "..");
// KMS_TRY_DIR moves it (the tests keep theirs apart).
const dir = resolve(process.env.KMS_TRY_DIR ?? join(root, ".emulator"));

async function main(): Promise<void> {
  const port = await emulatorPort("try-emulator");
  const binDir = await pulumiBinDir();
  mkdirSync(join(dir, "backend"), { recursive: true });
  const emulator = await startKmsEmulator({ port, dataDir: join(dir, "kms"), keysDir: join(dir, "keys") });
  const env = join(dir, "env");
  const exports = {
    ALIBABA_CLOUD_KMS_ENDPOINT: emulator.endpoint,
    ALIBABA_CLOUD_REGION_ID: emulator.region,
    ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: emulator.accessKeySecret,
    PULUMI_BACKEND_URL: `file://${join(dir, "backend")}`,
    PULUMI_CONFIG_PASSPHRASE: "emulator",
    ...OFFLINE_SWITCHES,
  };
  const lines = [
    `# Written by npm run try-emulator: the KMS emulator at ${emulator.endpoint} and the Pulumi CLI built here.`,
    "# Source it in your project's directory (the dynamic provider plugin comes from its node_modules).",
    ...Object.entries(exports).map(([k, v]) => `export ${k}=${JSON.stringify(v)}`),
    `export PATH="${binDir}:$PWD/node_modules/@pulumi/pulumi:$PATH"`,
  ];
  // The emulator's own access key, but a credential all the same: for its owner only.
  writeFileSync(env, `${lines.join("\n")}\n`, { mode: 0o600 });
  const keys = emulator.store.allKeys().map((k) => `${emulator.store.aliasesOf(k.keyId).map((a) => a.aliasName).join(", ") || k.keyId} (${k.keySpec})`);
  const certificates = emulator.store.allCertificates().map((c) => `certificate ${c.certificateId} ${c.keySpec}`);
  console.log([
    `KMS emulator on ${emulator.endpoint}, keys: ${keys.join(", ")}; ${certificates.join(", ")}.`,
    "In another terminal, in your Pulumi project:",
    `  source ${env}`,
    "  pulumi stack init dev && pulumi up",
    "List keys and certificates: npm run --silent kms-emulator -- list. Rotate a key: npm run --silent kms-emulator -- rotate alias/rsa-2048. Ctrl-C stops the emulator (its keys stay in .emulator/).",
  ].join("\n"));
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((e: Error) => {
  console.error(`try-emulator failed: ${e.message}`);
  process.exit(1);
});
