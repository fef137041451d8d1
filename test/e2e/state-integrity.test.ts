import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { type KmsEmulator, startKmsEmulator } from "../kms-emulator";
import { realEncryptions } from "../support/emulator-stats";
import { applicationEnv } from "../support/application-env";
import { packPackage, PulumiProject, removeRoot, tempRoot } from "./pulumi-project";

// Whoever can write the backend, without the stack's passphrase and with only the public key, swaps
// two entries' envelopes and puts in one of their own plaintext. Through the real CLI and the packed
// package: an application's decrypt() with expectScope refuses the moved envelopes; refresh reports
// the map as stale (its outputs tag); up re-encrypts exactly the altered entries from the program's
// plaintexts, and every envelope then opens, under its own scope, to its own value. The stack's
// integrity key is a secret in state, and one written there in clear is refused.

const ACCESS_KEY = { accessKeyId: "LTAIintegritye2e", accessKeySecret: "integrity-e2e-access-key-secret-7d6c5b" };
const SIG = "4dabf18193072939515e22adb298388d";
const marker = (label: string) => `${label}-${randomBytes(16).toString("hex")}`;
type Resource = {
  type: string; urn: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown>;
  dependencies?: string[]; propertyDependencies?: Record<string, string[]>;
};
type Deployment = { deployment: { resources: Resource[] } };

describe("ciphertexts swapped or substituted in state, through the real CLI", { timeout: 20 * 60_000 }, () => {
  let root: string;
  let emulator: KmsEmulator;
  let project: PulumiProject;
  let env: NodeJS.ProcessEnv;
  const entries = { db: marker("db"), api: marker("api"), cache: marker("cache"), queue: marker("queue") };
  const attackerPlaintext = marker("attacker");

  /** The installed decrypt(), as an application runs it; resolves to its text or to the refusal's code. */
  const decryptInstalled = async (envelope: string, expectScope?: { value: string; entry?: string }) => {
    const script = "require('pulumi-alicloud-kms-encrypted/decrypt').decrypt(process.argv[1], " +
      "process.argv[2] ? { expectScope: JSON.parse(process.argv[2]) } : {}).then((b) => process.stdout.write(b), " +
      "(e) => process.stdout.write(`refused ${e.code}: ${e.message}`))";
    const args = ["-e", script, envelope, ...(expectScope ? [JSON.stringify(expectScope)] : [])];
    return (await promisify(execFile)(process.execPath, args, { cwd: project.dir, env })).stdout;
  };
  const cli = (args: string[], input: string) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(join(project.dir, "node_modules/.bin/pulumi-alicloud-kms-encrypted"), args, { env },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }));
    child.stdin!.end(input);
  });
  const exported = async () => JSON.parse((await project.ok("stack", "export")).stdout) as Deployment;
  const importState = async (state: Deployment) => {
    const file = join(root, `edited-${randomBytes(4).toString("hex")}.json`);
    writeFileSync(file, JSON.stringify(state));
    await project.ok("stack", "import", "--file", file);
  };
  const valuesOf = (state: Deployment) => {
    const r = state.deployment.resources.find((x) => x.type.endsWith(":EncryptedValues"));
    assert.ok(r?.outputs, "the EncryptedValues resource is in state");
    return r as Required<Resource>;
  };

  before(async () => {
    root = tempRoot();
    emulator = await startKmsEmulator({
      seed: { accessKeys: [ACCESS_KEY], keys: [{ keyId: "key-app", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT" }], certificates: [] },
    });
    env = { PATH: process.env.PATH, ...applicationEnv(emulator, ACCESS_KEY) };
    project = await PulumiProject.create(root, packPackage(root), join(__dirname, "values-program/index.js"), {
      ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY.accessKeySecret,
    }, "kms-integrity");
    await project.ok("stack", "init", "dev");
    await project.configure(
      { "alicloud-kms:endpoint": emulator.endpoint, "alicloud-kms:region": emulator.region, keyId: "key-app", envelope: "true" },
      { entries: JSON.stringify(entries) },
    );
    await project.ok("up", "--yes", "--skip-preview");
  });
  after(async () => {
    await emulator?.close();
    if (root) removeRoot(root);
  });

  it("keeps the integrity key as a secret, the tags (HMACs under it) in clear, and each envelope opens under its own scope only", async () => {
    const state = await exported();
    const values = valuesOf(state);
    assert.equal((values.outputs.integrityKey as Record<string, unknown>)?.[SIG] !== undefined, true, "integrityKey is a secret in state");
    const tags = JSON.parse(String(values.outputs.integrityTags)) as Record<string, string>;
    assert.deepEqual(Object.keys(tags).sort(), Object.keys(entries).sort(), "a value tag for each entry, in clear");
    for (const tag of Object.values(tags)) assert.match(tag, /^[A-Za-z0-9_-]{43}$/, "an HMAC-SHA-256, base64url");
    // The salt and the key are read by every value, and ordered before none: state records no edge to them.
    const stackWide = state.deployment.resources.filter((r) => /:(DigestSalt|IntegrityKey)$/.test(r.type)).map((r) => r.urn);
    assert.equal(stackWide.length, 2, "the stack's digest salt and integrity key are in state");
    const edges = JSON.stringify([values.dependencies ?? [], values.propertyDependencies ?? {}]);
    for (const urn of stackWide) assert.equal(edges.includes(urn), false, `no dependency on ${urn}`);
    assert.equal("stackIntegrityKey" in values.inputs, false, "the stack's key is never stored with a value");
    const key = state.deployment.resources.find((r) => r.type.endsWith(":IntegrityKey"));
    assert.equal((key?.outputs?.key as Record<string, unknown>)?.[SIG] !== undefined, true, "the stack's integrity key is a secret");
    const envelopes = values.outputs.envelopes as Record<string, string>;
    assert.equal(await decryptInstalled(envelopes.db!, { value: "app-secrets", entry: "db" }), entries.db);
    assert.match(await decryptInstalled(envelopes.db!, { value: "app-secrets", entry: "api" }),
      /^refused ScopeMismatch: expectScope entry 'api' of 'app-secrets': it was written for entry 'db' of 'app-secrets'/);
  });

  it("swapped and substituted envelopes: refused by expectScope, reported by refresh, re-encrypted by up", async () => {
    const state = await exported();
    const values = valuesOf(state);
    const envelopes = values.outputs.envelopes as Record<string, string>;
    // With only the public key (encrypt --local asks KMS for nothing but GetPublicKey).
    const forged = await cli(["encrypt", "--key-id", "key-app", "--envelope", "--local"], attackerPlaintext);
    assert.equal(forged.code, 0, forged.stderr);
    const untouched = envelopes.queue!;
    [envelopes.db, envelopes.api] = [envelopes.api!, envelopes.db!];
    envelopes.cache = forged.stdout.trim();
    await importState(state);

    // What an application would have been handed: without a scope, the other entry's value.
    assert.equal(await decryptInstalled(envelopes.db!), entries.api, "the threat: a swapped envelope opens to another entry's value");
    assert.match(await decryptInstalled(envelopes.db!, { value: "app-secrets", entry: "db" }), /^refused ScopeMismatch: .*written for entry 'api'/);
    assert.match(await decryptInstalled(envelopes.cache!, { value: "app-secrets", entry: "cache" }), /^refused ScopeMismatch: .*binds no scope/);
    const viaCli = await cli(["decrypt", "--expect-scope", "app-secrets", "--expect-entry", "db"], envelopes.db!);
    assert.equal(viaCli.code, 1);
    assert.match(viaCli.stderr, /written for entry 'api' of 'app-secrets'/);
    assert.equal(viaCli.stdout, "", "nothing of the value is written");

    emulator.resetStats();
    await project.ok("up", "--yes", "--skip-preview");
    assert.equal(realEncryptions(emulator.stats()), 3, "exactly the three altered entries are encrypted again");
    const now = valuesOf(await exported()).outputs.envelopes as Record<string, string>;
    assert.equal(now.queue, untouched, "the entry nobody touched stays byte for byte");
    for (const [name, plaintext] of Object.entries(entries)) {
      assert.equal(await decryptInstalled(now[name]!, { value: "app-secrets", entry: name }), plaintext, name);
    }
  });

  it("refresh reports the map's outputs as altered, naming no value; the next up re-encrypts the map", async () => {
    const state = await exported();
    const envelopes = valuesOf(state).outputs.envelopes as Record<string, string>;
    [envelopes.db, envelopes.queue] = [envelopes.queue!, envelopes.db!];
    await importState(state);
    const refresh = await project.ok("refresh", "--yes", "--skip-preview");
    const stale = String(valuesOf(await exported()).outputs.staleReason);
    assert.match(stale, /^its outputs do not match their integrity tag \(the state was edited outside Pulumi\)/);
    const printed = `${refresh.stdout}${refresh.stderr}`;
    for (const plaintext of [...Object.values(entries), attackerPlaintext]) assert.equal(printed.includes(plaintext), false);

    // Once refresh has found the state edited, nothing in it is kept: every entry is encrypted again.
    emulator.resetStats();
    await project.ok("up", "--yes", "--skip-preview");
    assert.equal(realEncryptions(emulator.stats()), 4);
    const after = valuesOf(await exported()).outputs;
    assert.equal(after.staleReason, "");
    for (const [name, plaintext] of Object.entries(entries)) {
      assert.equal(await decryptInstalled((after.envelopes as Record<string, string>)[name]!, { value: "app-secrets", entry: name }), plaintext, name);
    }
    emulator.resetStats();
    const again = await project.ok("up", "--yes", "--skip-preview", "--json");
    assert.equal(PulumiProject.ops(again).get("app-secrets") ?? "same", "same");
    assert.equal(realEncryptions(emulator.stats()), 0);
  });

  it("an integrity key written into state in clear is refused, in our words, before anything is encrypted", async () => {
    const original = await exported();
    const state = structuredClone(original);
    const key = state.deployment.resources.find((r) => r.type.endsWith(":IntegrityKey"))!;
    key.outputs!.key = Buffer.alloc(32, 1).toString("base64url");
    await importState(state);
    emulator.resetStats();
    const refused = await project.pulumi("preview");
    assert.notEqual(refused.code, 0);
    const printed = `${refused.stdout}${refused.stderr}`.replace(/\s+/g, " ");
    assert.match(printed, /the stack's integrity key \(resource alicloud-kms-encrypted-integrity-key\) is stored in clear in state/);
    assert.doesNotMatch(printed, /at .*\.js:\d+/, "no stack trace");
    assert.equal(realEncryptions(emulator.stats()), 0);
    await importState(original);
    await project.ok("preview");
  });
});
