import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { hostPlatform, packagePlugin, packageVersion, tarballName } from "../../provider/plugin/build/package";
import { type KmsEmulator, startKmsEmulator } from "../kms-emulator";
import { realEncryptions } from "../support/emulator-stats";
import { applicationEnv } from "../support/application-env";
import { packPackage, PulumiProject, removeRoot, tempRoot } from "./pulumi-project";

// docs/plugin.md's move of a TypeScript (here JavaScript) stack from the dynamic provider to the
// resource plugin, on a deployed stack through the real CLI: install the plugin, set the integrity
// key, change the import. The preview shows each value as a create on the plugin and a delete of the
// dynamic one; up encrypts each value once (a map's entries once each) and removes the dynamic
// provider's per-stack resources; the new outputs open to the same plaintexts, and so do the old
// ones (same keys); the next up is a no-op; nothing of the plaintexts is stored.

type Resource = { type: string; urn: string };
const marker = (label: string) => `${label}-${randomBytes(12).toString("hex")}`;

describe("moving a Node stack from the dynamic provider to the resource plugin", { timeout: 20 * 60_000 }, () => {
  let root: string;
  let emulator: KmsEmulator;
  let project: PulumiProject;
  const secrets = { dbPassword: marker("db"), apiToken: marker("api") };
  const opened = async (envelope: string) => {
    const script = "require('pulumi-alicloud-kms-encrypted/decrypt').decrypt(process.argv[1]).then((b) => process.stdout.write(b))";
    const env = { PATH: process.env.PATH, ...applicationEnv(emulator, emulator) };
    return (await promisify(execFile)(process.execPath, ["-e", script, envelope], { cwd: project.dir, env })).stdout;
  };
  const types = async () => (JSON.parse((await project.ok("stack", "export")).stdout) as { deployment: { resources: Resource[] } })
    .deployment.resources.map((r) => r.type).filter((t) => !t.startsWith("pulumi:")).sort();

  before(async () => {
    root = tempRoot();
    emulator = await startKmsEmulator();
    project = await PulumiProject.create(root, packPackage(root), join(__dirname, "migration-program/index.js"), {
      ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: emulator.accessKeySecret,
    }, "kms-migration");
    await project.ok("stack", "init", "dev");
    await project.configure({ "alicloud-kms:endpoint": emulator.endpoint, "alicloud-kms:region": emulator.region }, secrets);
    await project.ok("up", "--yes", "--skip-preview");
  });
  after(async () => {
    await emulator?.close();
    if (root) removeRoot(root);
  });

  it("the documented steps re-encrypt each value once, on the plugin, and leave nothing of the dynamic provider", async () => {
    const before = await project.outputs() as { envelope: string; appEnvelopes: Record<string, string> };
    assert.deepEqual(await types(), [
      "pulumi-nodejs:dynamic/alicloud-kms:DigestSalt", "pulumi-nodejs:dynamic/alicloud-kms:EncryptedValue",
      "pulumi-nodejs:dynamic/alicloud-kms:EncryptedValues", "pulumi-nodejs:dynamic/alicloud-kms:IntegrityKey",
    ].sort());

    // 1. the plugin, and its integrity key; 2. the import.
    const version = packageVersion();
    const [tarball] = (await packagePlugin({ out: join(root, "plugin") })).filter((f) => f.endsWith(tarballName(version, hostPlatform())));
    await project.ok("plugin", "install", "resource", "alicloud-kms", version, "--file", tarball!);
    await project.ok("config", "set", "--secret", "alicloud-kms:integrityKey", randomBytes(32).toString("base64"));
    const program = readFileSync(join(__dirname, "migration-program/index.js"), "utf8");
    const moved = program.replace("require(\"pulumi-alicloud-kms-encrypted\")", "require(\"pulumi-alicloud-kms-encrypted/plugin\")");
    assert.notEqual(moved, program);
    writeFileSync(join(project.dir, "index.js"), moved);

    // 3. the preview: each value created on the plugin, the dynamic ones deleted.
    const preview = await project.ok("preview", "--json");
    const steps = (JSON.parse(preview.stdout) as { steps: { op: string; urn: string }[] }).steps
      .map((s) => `${s.op} ${s.urn.split("::")[2]}::${s.urn.split("::")[3]}`).sort();
    assert.deepEqual(steps.filter((s) => !s.includes("pulumi:")), [
      "create alicloud-kms:index:EncryptedValue::db-password",
      "create alicloud-kms:index:EncryptedValues::app-secrets",
      "delete pulumi-nodejs:dynamic/alicloud-kms:DigestSalt::alicloud-kms-encrypted-digest-salt",
      "delete pulumi-nodejs:dynamic/alicloud-kms:EncryptedValue::db-password",
      "delete pulumi-nodejs:dynamic/alicloud-kms:EncryptedValues::app-secrets",
      "delete pulumi-nodejs:dynamic/alicloud-kms:IntegrityKey::alicloud-kms-encrypted-integrity-key",
    ]);

    emulator.resetStats();
    await project.ok("up", "--yes", "--skip-preview");
    assert.equal(realEncryptions(emulator.stats()), 2, "one re-encryption per value, one per map entry");
    assert.deepEqual(await types(), ["alicloud-kms:index:EncryptedValue", "alicloud-kms:index:EncryptedValues"]);

    type Outputs = { envelope: string; appEnvelopes: Record<string, string>; appCiphertexts: Record<string, string> };
    const after = await project.outputs() as Outputs;
    assert.notEqual(after.envelope, before.envelope, "a new ciphertext");
    assert.equal(await opened(after.envelope), secrets.dbPassword);
    assert.equal(await opened(after.appEnvelopes.api!), secrets.apiToken);
    assert.equal(await opened(before.envelope), secrets.dbPassword, "the old ciphertext still opens: same key");
    assert.ok(after.appCiphertexts.api, "both maps, as on the dynamic provider");

    emulator.resetStats();
    const noop = await project.ok("up", "--yes", "--skip-preview");
    assert.match(noop.stdout, /3 unchanged/, "the stack and the two values");
    assert.equal(realEncryptions(emulator.stats()), 0);
    await project.assertNothingStored(Object.values(secrets), "after the move");
  });
});
