import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { type KmsEmulator, startKmsEmulator } from "../kms-emulator";
import { realEncryptions } from "../support/emulator-stats";
import { applicationEnv } from "../support/application-env";
import { packPackage, packRevision, PulumiProject, removeRoot, tempRoot } from "./pulumi-project";

// The upgrade test, through the real CLI, one program and its state across three releases built
// from this repository's history: the package as it was before integrity tags and envelope scopes
// (0.1), then 0.2 (version 1 tags over the stored strings only), then this one. Each upgrade's
// first preview says why each value will be re-encrypted, its first up re-encrypts every value
// once, and the next changes nothing; the old envelopes kept opening until then, and every new one
// opens under its scope to the same plaintext. Under 0.2 a value rolled back to an older
// ciphertext of its own (its 0.2 tag with it) passed; this package re-encrypts it from the program.

const BEFORE_TAGS = "c6a0c786d76c655ec73505cf1c2f2f16b688735c";
/** The last commit whose tags covered only the stored strings (security round 4, item 2). */
const RELEASE_0_2 = "7632a2ccf95eb2b995eeeca16cb624da34e3cb22";
const ACCESS_KEY = { accessKeyId: "LTAIupgradee2e", accessKeySecret: "upgrade-e2e-access-key-secret-1a2b3c" };
const SIG = "4dabf18193072939515e22adb298388d";
const marker = (label: string) => `${label}-${randomBytes(16).toString("hex")}`;
type Resource = { type: string; urn: string; outputs?: Record<string, unknown> };
type Deployment = { deployment: { resources: Resource[] } };
type Outputs = { tlsKeyEnvelope: string; dbPasswordEnvelope: string; envelopes: Record<string, string> };

describe("upgrading from state written before integrity tags and scopes, then from 0.2's tags", { timeout: 30 * 60_000 }, () => {
  let root: string;
  let emulator: KmsEmulator;
  let project: PulumiProject;
  let env: NodeJS.ProcessEnv;
  // Too large for RSA_2048 directly (envelope encryption); no leading "-", which the CLI would read as a flag.
  const tlsKey = `tls-key-${randomBytes(600).toString("base64")}`;
  const dbPassword = marker("db");
  const rotatedPassword = marker("db-rotated");
  const entries = { api: marker("api"), queue: marker("queue") };
  const outputs = async () => (await project.outputs()) as Outputs;
  const exported = async () => JSON.parse((await project.ok("stack", "export")).stdout) as Deployment;
  const valueNamed = (state: Deployment, name: string) => state.deployment.resources.find((r) => r.urn.endsWith(`::${name}`));
  const importState = async (state: Deployment) => {
    const file = join(root, `edited-${randomBytes(4).toString("hex")}.json`);
    writeFileSync(file, JSON.stringify(state));
    await project.ok("stack", "import", "--file", file);
  };
  const squeezed = (run: { stdout: string; stderr: string }) => (run.stdout + run.stderr).replace(/\s+/g, " ");
  const decryptInstalled = async (envelope: string, expectScope?: { value: string; entry?: string }) => {
    const script = "require('pulumi-alicloud-kms-encrypted/decrypt').decrypt(process.argv[1], " +
      "process.argv[2] ? { expectScope: JSON.parse(process.argv[2]) } : {}).then((b) => process.stdout.write(b))";
    const args = ["-e", script, envelope, ...(expectScope ? [JSON.stringify(expectScope)] : [])];
    return (await promisify(execFile)(process.execPath, args, { cwd: project.dir, env })).stdout;
  };

  before(async () => {
    root = tempRoot();
    emulator = await startKmsEmulator({
      seed: { accessKeys: [ACCESS_KEY], keys: [{ keyId: "key-app", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT" }], certificates: [] },
    });
    env = { PATH: process.env.PATH, ...applicationEnv(emulator, ACCESS_KEY) };
    project = await PulumiProject.create(root, packRevision(BEFORE_TAGS, mkdirSync(join(root, "older"), { recursive: true })!), join(__dirname, "upgrade-program/index.js"), {
      ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY.accessKeySecret,
    }, "kms-upgrade");
    await project.ok("stack", "init", "dev");
    await project.configure(
      { "alicloud-kms:endpoint": emulator.endpoint, "alicloud-kms:region": emulator.region, keyId: "key-app" },
      { tlsKey, dbPassword, entries: JSON.stringify(entries) },
    );
    await project.ok("up", "--yes", "--skip-preview");
  });
  after(async () => {
    await emulator?.close();
    if (root) removeRoot(root);
  });

  it("the older release's state has no tags and no scopes; its envelopes open", async () => {
    const resources = (await exported()).deployment.resources;
    assert.equal(resources.some((r) => r.type.endsWith(":IntegrityKey")), false);
    for (const r of resources.filter((x) => /:EncryptedValues?$/.test(x.type))) {
      assert.equal(Object.keys(r.outputs ?? {}).some((k) => k.startsWith("integrity")), false, r.urn);
    }
    const o = await outputs();
    assert.equal(JSON.parse(Buffer.from(o.tlsKeyEnvelope, "base64").toString()).scope, undefined);
    assert.equal(await decryptInstalled(o.tlsKeyEnvelope), tlsKey);
  });

  it("0.2 tags every value once; there, a value rolled back to an older ciphertext of its own passes", async () => {
    const old = await outputs();
    // Packed elsewhere: the same file name in the same place would leave npm's install as it was.
    project.installPackage(packRevision(RELEASE_0_2, mkdirSync(join(root, "release-0.2"), { recursive: true })!));
    const printed = squeezed(await project.ok("preview", "--diff"));
    for (const name of ["tls-key", "db-password", "app-secrets"]) {
      assert.match(printed, new RegExp(`${name}.*will be re-encrypted: its state has no integrity tag \\(written before 0\\.2\\); re-encrypted once`));
    }
    const ops = PulumiProject.ops(await project.ok("up", "--yes", "--skip-preview", "--json"));
    for (const name of ["tls-key", "db-password", "app-secrets"]) assert.equal(ops.get(name), "update", name);
    assert.equal(ops.get("alicloud-kms-encrypted-integrity-key"), "create");
    assert.equal(await decryptInstalled(old.tlsKeyEnvelope), tlsKey, "an envelope the older release wrote still opens");

    // Under 0.2: the password rotated, then its older ciphertext (and 0.2's tag of it) put back in state.
    const before = await exported();
    await project.configure({}, { dbPassword: rotatedPassword });
    await project.ok("up", "--yes", "--skip-preview");
    const rotated = await exported();
    const [was, now] = [before, rotated].map((state) => valueNamed(state, "db-password"));
    for (const field of ["ciphertextBlob", "envelope", "integrityTag"]) now!.outputs![field] = was!.outputs![field];
    await importState(rotated);
    assert.equal(await decryptInstalled(String(now!.outputs!.envelope)), dbPassword, "the rotated-out password is back in state");
    const passed = PulumiProject.ops(await project.ok("up", "--yes", "--skip-preview", "--json"));
    assert.equal(passed.get("db-password") ?? "same", "same", "0.2 took the rollback for its own state");
    assert.equal(await decryptInstalled((await outputs()).dbPasswordEnvelope), dbPassword, "and exported the rotated-out password");
  });

  it("this package moves 0.2's state to its tags once (the rollback included), and the next up changes nothing", async () => {
    const old = await outputs();
    project.installPackage(packPackage(mkdirSync(join(root, "this"), { recursive: true })!));
    const printed = squeezed(await project.ok("preview", "--diff"));
    for (const name of ["tls-key", "db-password", "app-secrets"]) {
      assert.match(printed, new RegExp(`${name}.*will be re-encrypted: its state has the integrity tags of 0\\.2, which cover neither ` +
        "its revision nor its other outputs; re-encrypted once to add this version's"));
    }
    emulator.resetStats();
    const ops = PulumiProject.ops(await project.ok("up", "--yes", "--skip-preview", "--json"));
    for (const name of ["tls-key", "db-password", "app-secrets"]) assert.equal(ops.get(name), "update", name);
    assert.equal(ops.get("alicloud-kms-encrypted-integrity-key") ?? "same", "same", "the stack's integrity key is kept");
    assert.equal(realEncryptions(emulator.stats()), 4, "one per value, one per entry");

    const o = await outputs();
    assert.notEqual(o.tlsKeyEnvelope, old.tlsKeyEnvelope);
    assert.equal(await decryptInstalled(o.tlsKeyEnvelope, { value: "tls-key" }), tlsKey);
    assert.equal(await decryptInstalled(o.dbPasswordEnvelope), rotatedPassword, "the program's password, not the rolled-back one");
    // This version's state keeps a direct value's ciphertext once (the program derives its envelope); 0.2 kept both.
    const moved = await exported();
    assert.equal(valueNamed(moved, "db-password")?.outputs?.envelope, "", "db-password: no envelope in state");
    assert.equal(typeof valueNamed(moved, "tls-key")?.outputs?.envelope, "string", "tls-key (envelope encryption): its envelope");
    // And a map's ciphertexts once, with "" for its envelopes (0.2 left them out, which a preview resolves unknown).
    assert.equal(valueNamed(moved, "app-secrets")?.outputs?.envelopes, "", "app-secrets: no envelopes in state, and a marker");
    // The map's entries are direct values (no envelope encryption): their envelopes carry no scope to expect.
    for (const [name, plaintext] of Object.entries(entries)) {
      assert.equal(await decryptInstalled(o.envelopes[name]!), plaintext, name);
    }
    assert.equal(await decryptInstalled(old.tlsKeyEnvelope), tlsKey, "an envelope 0.2 wrote still opens");

    for (const r of (await exported()).deployment.resources.filter((x) => /:EncryptedValues?$/.test(x.type))) {
      assert.equal((r.outputs?.integrityKey as Record<string, unknown>)?.[SIG] !== undefined, true, `${r.urn}: the value's key, as a secret`);
      // Every value was re-tagged by this version (above), which keeps the tags, HMACs under that key, in clear.
      const tag = r.outputs?.integrityTag ?? r.outputs?.integrityTags;
      assert.equal(typeof tag, "string", `${r.urn}: value tags, in clear`);
      assert.match(String(r.outputs?.outputsTag), /^[A-Za-z0-9_-]{43}$/, `${r.urn}: an outputs tag`);
    }

    emulator.resetStats();
    const again = PulumiProject.ops(await project.ok("up", "--yes", "--skip-preview", "--json"));
    for (const name of ["tls-key", "db-password", "app-secrets"]) assert.equal(again.get(name) ?? "same", "same", name);
    assert.equal(realEncryptions(emulator.stats()), 0);
    await project.ok("refresh", "--yes", "--skip-preview");
    for (const r of (await exported()).deployment.resources.filter((x) => /:EncryptedValues?$/.test(x.type))) {
      assert.equal(r.outputs?.staleReason, "", `${r.urn}: refresh finds this version's tags whole`);
    }
    await project.assertNothingStored([tlsKey, dbPassword, rotatedPassword, ...Object.values(entries)], "upgrade");
  });
});
