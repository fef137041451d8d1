import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { type KmsEmulator, startKmsEmulator } from "../kms-emulator";
import { realEncryptions } from "../support/emulator-stats";
import { applicationEnv } from "../support/application-env";
import { packPackage, packRevision, PulumiProject, removeRoot, tempRoot } from "./pulumi-project";

// The upgrade test: state written by the package as it was before integrity tags and envelope
// scopes (the last commit before them, built from this repository's history), then the same
// program with this package, through the real CLI. The first preview says why each value will be
// re-encrypted, the first up re-encrypts every value once (tags added, envelopes scoped), and the
// next changes nothing; the old envelopes kept opening until then, and every new one opens under
// its scope to the same plaintext.

const BEFORE_TAGS = "c6a0c786d76c655ec73505cf1c2f2f16b688735c";
const ACCESS_KEY = { accessKeyId: "LTAIupgradee2e", accessKeySecret: "upgrade-e2e-access-key-secret-1a2b3c" };
const SIG = "4dabf18193072939515e22adb298388d";
const marker = (label: string) => `${label}-${randomBytes(16).toString("hex")}`;
type Resource = { type: string; urn: string; outputs?: Record<string, unknown> };
type Outputs = { tlsKeyEnvelope: string; dbPasswordEnvelope: string; envelopes: Record<string, string> };

describe("upgrading from state written before integrity tags and scopes", { timeout: 30 * 60_000 }, () => {
  let root: string;
  let emulator: KmsEmulator;
  let project: PulumiProject;
  let env: NodeJS.ProcessEnv;
  // Too large for RSA_2048 directly (envelope encryption); no leading "-", which the CLI would read as a flag.
  const tlsKey = `tls-key-${randomBytes(600).toString("base64")}`;
  const dbPassword = marker("db");
  const entries = { api: marker("api"), queue: marker("queue") };
  const outputs = async () => (await project.outputs()) as Outputs;
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
    const resources = (JSON.parse((await project.ok("stack", "export")).stdout) as { deployment: { resources: Resource[] } }).deployment.resources;
    assert.equal(resources.some((r) => r.type.endsWith(":IntegrityKey")), false);
    for (const r of resources.filter((x) => /:EncryptedValues?$/.test(x.type))) {
      assert.equal(Object.keys(r.outputs ?? {}).some((k) => k.startsWith("integrity")), false, r.urn);
    }
    const o = await outputs();
    assert.equal(JSON.parse(Buffer.from(o.tlsKeyEnvelope, "base64").toString()).scope, undefined);
    assert.equal(await decryptInstalled(o.tlsKeyEnvelope), tlsKey);
  });

  it("with this package: the preview says why, up re-encrypts each value once, and the next up changes nothing", async () => {
    const old = await outputs();
    // Packed elsewhere: the same file name in the same place would leave npm's install as it was.
    project.installPackage(packPackage(mkdirSync(join(root, "this"), { recursive: true })!));
    const preview = await project.ok("preview", "--diff");
    const printed = (preview.stdout + preview.stderr).replace(/\s+/g, " ");
    for (const name of ["tls-key", "db-password", "app-secrets"]) {
      assert.match(printed, new RegExp(`${name}.*will be re-encrypted: its state has no integrity tag \\(written before 0\\.2\\); re-encrypted once`));
    }
    emulator.resetStats();
    const up = await project.ok("up", "--yes", "--skip-preview", "--json");
    const ops = PulumiProject.ops(up);
    for (const name of ["tls-key", "db-password", "app-secrets"]) assert.equal(ops.get(name), "update", name);
    assert.equal(ops.get("alicloud-kms-encrypted-integrity-key"), "create");
    assert.equal(realEncryptions(emulator.stats()), 4, "one per value, one per entry");

    const o = await outputs();
    assert.notEqual(o.tlsKeyEnvelope, old.tlsKeyEnvelope);
    assert.equal(await decryptInstalled(o.tlsKeyEnvelope, { value: "tls-key" }), tlsKey);
    assert.equal(await decryptInstalled(o.dbPasswordEnvelope), dbPassword);
    // The map's entries are direct values (no envelope encryption): their envelopes carry no scope to expect.
    for (const [name, plaintext] of Object.entries(entries)) {
      assert.equal(await decryptInstalled(o.envelopes[name]!), plaintext, name);
    }
    assert.equal(await decryptInstalled(old.tlsKeyEnvelope), tlsKey, "an envelope the old release wrote still opens");

    const resources = (JSON.parse((await project.ok("stack", "export")).stdout) as { deployment: { resources: Resource[] } }).deployment.resources;
    for (const r of resources.filter((x) => /:EncryptedValues?$/.test(x.type))) {
      const tag = r.outputs?.integrityTag ?? r.outputs?.integrityTags;
      assert.equal((tag as Record<string, unknown>)?.[SIG] !== undefined, true, `${r.urn}: tagged, as a secret`);
    }

    emulator.resetStats();
    const again = PulumiProject.ops(await project.ok("up", "--yes", "--skip-preview", "--json"));
    for (const name of ["tls-key", "db-password", "app-secrets"]) assert.equal(again.get(name) ?? "same", "same", name);
    assert.equal(realEncryptions(emulator.stats()), 0);
    await project.assertNothingStored([tlsKey, dbPassword, ...Object.values(entries)], "upgrade");
  });
});
