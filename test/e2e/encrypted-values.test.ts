import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type KmsEmulator, startKmsEmulator } from "../kms-emulator";
import { realEncryptions } from "../support/emulator-stats";
import { packPackage, PulumiProject, removeRoot, tempRoot } from "./pulumi-project";
import { applicationEnv } from "../support/application-env";

// EncryptedValues through the real Pulumi CLI and the packed package, against the emulator: a map of
// secrets from stack config in one resource; every entry opens with the installed decrypt() and CLI
// (envelope, and bare ciphertext with the target's outputs as flags); one entry changed, added or
// removed costs exactly its encryptions and leaves every other ciphertext as it was; no plaintext
// in state, history, outputs or anything printed.

const ACCESS_KEY = { accessKeyId: "LTAIvaluese2e", accessKeySecret: "values-e2e-access-key-secret-3c2b1a" };
const marker = (label: string) => `${label}-${randomBytes(16).toString("hex")}`;
type Json = Record<string, unknown>;

describe("EncryptedValues through the real CLI", { timeout: 20 * 60_000 }, () => {
  let root: string;
  let emulator: KmsEmulator;
  let project: PulumiProject;
  let env: NodeJS.ProcessEnv;
  const everyMarker: string[] = [];
  let entries: Record<string, string> = {};

  const setEntries = async (next: Record<string, string>) => {
    entries = next;
    everyMarker.push(...Object.values(next));
    await project.ok("config", "set", "--secret", "entries", JSON.stringify(next));
  };
  type Outputs = { ciphertexts: Record<string, string>; envelopes: Record<string, string>; revisions: Record<string, number>;
    target: Record<string, string>; whole: Json; };
  const outputs = async () => (await project.outputs()) as Outputs;
  /** The installed package's decrypt() and CLI, as an application and an operator would run them. */
  const cli = (args: string[], input: string) => new Promise<string>((resolve, reject) => {
    const child = execFile(join(project.dir, "node_modules/.bin/pulumi-alicloud-kms-encrypted"), args, { env },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)));
    child.stdin!.end(input);
  });
  /** Every entry through decrypt() and the CLI; `bare`: one bare ciphertext too (an envelope entry's is a data key). */
  const opensEverywhere = async (bare = true) => {
    const o = await outputs();
    assert.deepEqual(Object.keys(o.envelopes).sort(), Object.keys(entries).sort());
    // decrypt() of the installed package, every entry in one application process.
    const names = Object.keys(entries);
    const decrypted = await project.decryptInstalled(names.map((n) => o.envelopes[n]!), applicationEnv(emulator, ACCESS_KEY));
    names.forEach((name, i) => assert.equal(decrypted[i], entries[name], `${name} through decrypt()`));
    for (const [name, plaintext] of Object.entries(entries)) {
      assert.equal(await cli(["decrypt"], o.envelopes[name]!), plaintext, `${name} through the CLI (envelope)`);
    }
    if (!bare) return o;
    const [first] = Object.keys(entries);
    const t = o.target;
    const opened = await cli(["decrypt", "--key-id", t.keyId!, "--key-version-id", t.keyVersionId!, "--algorithm", t.algorithm!, "--region", t.region!],
      o.ciphertexts[first!]!);
    assert.equal(opened, entries[first!], `${first} through the CLI (bare ciphertext with the target's outputs as flags)`);
    return o;
  };
  const nothingStored = (step: string) => project.assertNothingStored(everyMarker, step);

  before(async () => {
    root = tempRoot();
    emulator = await startKmsEmulator({
      seed: { accessKeys: [ACCESS_KEY], keys: [{ keyId: "key-app", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT", aliases: ["alias/app"] }], certificates: [] },
    });
    env = { PATH: process.env.PATH, ...applicationEnv(emulator, ACCESS_KEY) };
    project = await PulumiProject.create(root, packPackage(root), join(__dirname, "values-program/index.js"), {
      ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY.accessKeySecret,
    }, "kms-values");
    await project.ok("stack", "init", "dev");
    await project.configure({ "alicloud-kms:endpoint": emulator.endpoint, "alicloud-kms:region": emulator.region, keyId: "alias/app" });
    await setEntries(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`entry-${i}`, marker(`entry-${i}`)])));
  });
  after(async () => {
    await emulator?.close();
    if (root) removeRoot(root);
  });

  it("preview encrypts nothing; up encrypts each entry once, and each opens through decrypt() and the CLI", async () => {
    emulator.resetStats();
    const preview = await project.ok("preview", "--json");
    assert.equal(PulumiProject.ops(preview).get("app-secrets"), "create");
    assert.equal(realEncryptions(emulator.stats()), 0);
    emulator.resetStats();
    await project.ok("up", "--yes", "--skip-preview");
    assert.equal(realEncryptions(emulator.stats()), 12);
    const o = await opensEverywhere();
    assert.equal(o.target.keyId, "key-app");
    assert.equal(Object.values(o.revisions).every((r) => r === 1), true);
    assert.equal("plaintexts" in o.whole, false, "the exported resource carries no plaintexts");
    await nothingStored("create");
  });

  it("unchanged: no change, no encryption; one entry changed, one added, one removed: two encryptions, the rest byte for byte", async () => {
    emulator.resetStats();
    const same = await project.ok("up", "--yes", "--skip-preview", "--json");
    assert.equal(PulumiProject.ops(same).get("app-secrets") ?? "same", "same");
    assert.equal(realEncryptions(emulator.stats()), 0);

    const before = await outputs();
    const next: Record<string, string> = { ...entries, "entry-3": marker("changed"), "entry-new": marker("added") };
    delete next["entry-7"];
    await setEntries(next);
    const preview = JSON.parse((await project.ok("preview", "--json")).stdout) as { diagnostics?: Json[] };
    const why = (preview.diagnostics ?? []).filter((d) => d.severity === "info" && String(d.urn).endsWith("::app-secrets")).map((d) => String(d.message));
    assert.deepEqual(why.map((m) => m.trim()),
      ["will be re-encrypted: entries added: entry-new; the plaintext changed for entry-3 (revision 1 → 2); entries removed: entry-7"]);
    emulator.resetStats();
    await project.ok("up", "--yes", "--skip-preview");
    assert.equal(realEncryptions(emulator.stats()), 2, "exactly the changed and the added entry");
    const after = await opensEverywhere();
    for (const name of Object.keys(next).filter((n) => n !== "entry-3" && n !== "entry-new")) {
      assert.equal(after.ciphertexts[name], before.ciphertexts[name], `${name} kept its ciphertext`);
      assert.equal(after.envelopes[name], before.envelopes[name], `${name} kept its envelope`);
    }
    assert.equal(after.ciphertexts["entry-7"], undefined);
    assert.equal(after.revisions["entry-3"], 2);
    await nothingStored("entry changes");
  });

  it("entries named like Object.prototype members are entries like any other: added, changed alone, removed", async () => {
    const named = ["constructor", "toString", "valueOf", "hasOwnProperty"];
    await setEntries({ ...entries, ...Object.fromEntries(named.map((n) => [n, marker(n)])) });
    emulator.resetStats();
    await project.ok("up", "--yes", "--skip-preview");
    assert.equal(realEncryptions(emulator.stats()), named.length);
    await opensEverywhere(false);
    assert.equal(PulumiProject.ops(await project.ok("preview", "--json")).get("app-secrets") ?? "same", "same", "a later preview works");

    const { constructor: _removed, ...fewer } = { ...entries, toString: marker("toString-changed") };
    await setEntries(fewer);
    emulator.resetStats();
    await project.ok("up", "--yes", "--skip-preview");
    assert.equal(realEncryptions(emulator.stats()), 1, "toString alone");
    const o = await opensEverywhere(false);
    assert.equal(Object.hasOwn(o.envelopes, "constructor"), false);
    await nothingStored("prototype names");
  });

  it("envelope encryption switched on re-encrypts every entry; destroy leaves nothing", async () => {
    await project.ok("config", "set", "envelope", "true");
    await setEntries({ ...entries, big: `${marker("big")}${"z".repeat(4000)}` });
    emulator.resetStats();
    await project.ok("up", "--yes", "--skip-preview");
    assert.equal(realEncryptions(emulator.stats()), Object.keys(entries).length);
    await opensEverywhere(false);
    await nothingStored("envelope");
    await project.ok("destroy", "--yes", "--skip-preview");
    await nothingStored("destroy");
  });
});
