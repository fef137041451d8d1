import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { startKmsEmulator } from "../test/kms-emulator";
import { emulatorPort } from "./emulator-port";
import { filesUnder, offlinePulumiEnv } from "../test/e2e/offline-pulumi";
import { pulumiBinDir } from "../test/e2e/pulumi-bin";
import { call, officialClient } from "../test/support/kms-client";
import { realEncryptions } from "../test/support/emulator-stats";
import { secretForms } from "../test/support/secret-forms";

// `npm run demo`: the project's main job. Gets the Pulumi CLI (built from the Go module proxy and
// cached), starts the KMS emulator with its state in .demo/, deploys the root Pulumi.yaml
// quickstart on a local file backend, prints the outputs, decrypts one ciphertext through KMS, and
// checks that the stored state holds no trace of the secret. Run it again: nothing changes.
// `npm run demo -- --destroy` tears the stack down.

const root = resolve(__dirname, "..");
const demoDir = join(root, ".demo");
const stack = "demo";
const secret = "correct horse battery staple";
const destroy = process.argv.includes("--destroy");

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, show = true): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      if (show) process.stdout.write(c);
    });
    child.stderr.on("data", (c: Buffer) => {
      out += c.toString();
      if (show) process.stderr.write(c);
    });
    child.on("close", (code) => (code === 0 ? resolveRun(out) : reject(new Error(`${cmd} ${args.join(" ")} exited ${code}${show ? "" : `:\n${out}`}`))));
  });
}

async function main(): Promise<void> {
  const port = await emulatorPort("demo");
  const binDir = await pulumiBinDir();
  mkdirSync(demoDir, { recursive: true });

  // The program imports the package by name, as a user's would; inside this repository it
  // resolves to the build in dist/ through a link in node_modules (also how the provider process,
  // started in this directory, loads pulumi-alicloud-kms-encrypted/provider).
  console.log("building the package (dist/)…");
  await run("npm", ["run", "--silent", "build"], process.env, false);
  const self = join(root, "node_modules", "pulumi-alicloud-kms-encrypted");
  if (!existsSync(self)) symlinkSync("..", self, "dir");

  const emulator = await startKmsEmulator({ port, dataDir: join(demoDir, "kms"), keysDir: join(demoDir, "keys") });
  const env = offlinePulumiEnv({
    binDir,
    projectDir: root,
    stateDir: demoDir,
    passphrase: "demo passphrase",
    // Credentials from the environment: they never reach the stack's state.
    extra: { ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: emulator.accessKeySecret },
  });
  mkdirSync(join(demoDir, "backend"), { recursive: true });
  const pulumi = (args: string[], show = true) => run(join(binDir, "pulumi"), [...args, "--non-interactive"], env, show);
  // Pulumi.yaml's stackConfigDir keeps the stack's config file in .demo/ too.
  const withConfig = (args: string[]) => [...args, "--stack", stack];
  console.log(`KMS emulator on ${emulator.endpoint} (keys and state in .demo/); Pulumi CLI from ${binDir}`);
  try {
    if (destroy) {
      await pulumi(withConfig(["destroy", "--yes", "--skip-preview"]));
      await pulumi(["stack", "rm", stack, "--yes", "--force"], false);
      console.log("\nThe demo stack is destroyed and removed.");
      return;
    }
    const stacks = await pulumi(["stack", "ls", "--json"], false);
    if (!(JSON.parse(stacks) as { name: string }[]).some((s) => s.name === stack)) await pulumi(["stack", "init", stack], false);
    const certificateId = emulator.seed.certificates[0]!.certificateId!;
    for (const [key, value] of [
      ["alicloud-kms:endpoint", emulator.endpoint],
      ["alicloud-kms:region", emulator.region],
      ["keyId", "alias/rsa-2048"],
      ["certificateId", certificateId],
    ] as const) await pulumi(withConfig(["config", "set", key, value]), false);
    await pulumi(withConfig(["config", "set", "--secret", "dbPassword", secret]), false);

    emulator.resetStats();
    await pulumi(withConfig(["up", "--yes"]));
    const stats = emulator.stats();

    const outputs = JSON.parse(await pulumi(["stack", "output", "--json", "--stack", stack], false)) as Record<string, string>;
    console.log("\nStack outputs (ciphertexts are plain outputs, safe to hand to other resources):");
    for (const [k, v] of Object.entries(outputs)) console.log(`  ${k.padEnd(22)} ${v.length > 60 ? `${v.slice(0, 56)}… (${v.length} chars)` : v}`);

    const { Plaintext } = await call(officialClient(emulator), "AsymmetricDecrypt", {
      KeyId: outputs.keyId!,
      KeyVersionId: outputs.keyVersionId!,
      Algorithm: "RSAES_OAEP_SHA_256",
      CiphertextBlob: outputs.keyCiphertext!,
    });
    const roundTrip = Buffer.from(String(Plaintext), "base64").toString();
    console.log(`\nAsymmetricDecrypt of keyCiphertext → "${roundTrip}" (${roundTrip === secret ? "the secret from stack config" : "MISMATCH"})`);

    const exported = await pulumi(["stack", "export", "--show-secrets", "--stack", stack], false);
    const files = filesUnder(join(demoDir, "backend"));
    const haystack = [exported, ...files.map((f) => readFileSync(f, "utf8"))].join("\n");
    const leaks = [secret, emulator.accessKeySecret].flatMap(secretForms).filter((e) => haystack.includes(e)).length;
    const encrypts = realEncryptions(stats);
    console.log(`\nState check: \`pulumi stack export --show-secrets\` and all ${files.length} files under .demo/backend (history and backups included)`);
    console.log(`  contain the secret in none of UTF-8, base64, base64url, hex, nor the access key secret: ${leaks === 0 ? "yes" : `NO (${leaks} hits)`}`);
    console.log(`  KMS calls in this up: ${JSON.stringify(stats.calls)}; real encryptions: ${encrypts}${encrypts === 0 ? " (nothing changed: a no-op update)" : ""}`);
    if (leaks > 0 || roundTrip !== secret) process.exitCode = 1;
    else console.log("\nRun `npm run demo` again for a no-op update, `npm run demo -- --destroy` to clean up.");
  } finally {
    await emulator.close();
  }
}

main().catch((e: Error) => {
  console.error(`demo failed: ${e.message}`);
  process.exit(1);
});
