import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type KmsEmulator, startKmsEmulator } from "../kms-emulator";
import { call, officialClient } from "../support/kms-client";
import { realEncryptions } from "../support/emulator-stats";
import { packPackage, PulumiProject, removeRoot, tempRoot } from "./pulumi-project";
import { applicationEnv } from "../support/application-env";

// Recipients in two regions through the real Pulumi CLI and the packed package, against two
// emulators (cn-hangzhou; cn-shanghai through alicloud-kms:endpoints): preview validates each
// recipient in its region and says why a value will be re-encrypted; the installed decrypt() and
// CLI open the envelope with either key disabled; the README's key migration (add the new key,
// deploy, remove the old) ends with a value only the new key opens; no plaintext is stored.

const ACCESS_KEY = { accessKeyId: "LTAIrecipientse2e", accessKeySecret: "recipients-e2e-access-key-secret-1a2b3c" };
type Json = Record<string, unknown>;
type Outputs = { envelope: string; recipients: Json[]; whole: Json };

describe("recipients in two regions through the real CLI", { timeout: 20 * 60_000 }, () => {
  let root: string;
  let hangzhou: KmsEmulator;
  let shanghai: KmsEmulator;
  let project: PulumiProject;
  let env: NodeJS.ProcessEnv;
  const markers: string[] = [];
  let password = "";
  const arn = (keyId: string) => `acs:kms:cn-shanghai:${shanghai.accountId}:key/${keyId}`;

  const outputs = async () => (await project.outputs()) as Outputs;
  const setRecipients = (recipients: Json[]) => project.ok("config", "set", "recipients", JSON.stringify(recipients));
  /** The installed CLI; resolves to its exit code and output. */
  const cli = (args: string[], input: string) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(join(project.dir, "node_modules/.bin/pulumi-alicloud-kms-encrypted"), args, { env },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
    child.stdin!.end(input);
  });
  /** The installed decrypt(), as an application runs it; prints which recipient opened the value. */
  type Run = { code: number; stdout: string; stderr: string };
  const decryptInstalled = (envelope: string, region: string) => new Promise<Run>((resolve) => {
    const script = "require('pulumi-alicloud-kms-encrypted/decrypt')" +
      ".decrypt(process.argv[1], { onOpened: (o) => process.stderr.write(o.keyId + ' ' + o.region) })" +
      ".then((b) => process.stdout.write(b), (e) => { process.stderr.write(`${e.code}: ${e.message}`); process.exit(1); })";
    execFile(process.execPath, ["-e", script, envelope], { cwd: project.dir, env: { ...env, ALIBABA_CLOUD_REGION_ID: region } },
      (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }));
  });
  const reasons = async () => {
    const preview = JSON.parse((await project.ok("preview", "--json")).stdout) as { diagnostics?: Json[] };
    return (preview.diagnostics ?? []).filter((d) => d.severity === "info" && String(d.urn).endsWith("::db-password")).map((d) => String(d.message).trim());
  };
  const nothingStored = (step: string) => project.assertNothingStored(markers, step);

  before(async () => {
    root = tempRoot();
    const accessKeys = [ACCESS_KEY];
    hangzhou = await startKmsEmulator({ region: "cn-hangzhou", seed: {
      accessKeys, keys: [{ keyId: "key-primary", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT", aliases: ["alias/app"] }], certificates: [],
    } });
    shanghai = await startKmsEmulator({ region: "cn-shanghai", seed: {
      accessKeys, keys: [
        { keyId: "key-backup", keySpec: "Aliyun_AES_256", keyUsage: "ENCRYPT/DECRYPT" },
        { keyId: "key-new", keySpec: "RSA_3072", keyUsage: "ENCRYPT/DECRYPT" },
      ], certificates: [],
    } });
    const endpoints = JSON.stringify({ "cn-shanghai": shanghai.endpoint });
    env = { PATH: process.env.PATH, ...applicationEnv(hangzhou, ACCESS_KEY), ALIBABA_CLOUD_KMS_ENDPOINTS: endpoints };
    project = await PulumiProject.create(root, packPackage(root), join(__dirname, "recipients-program/index.js"), {
      ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY.accessKeySecret,
    }, "kms-recipients");
    await project.ok("stack", "init", "dev");
    password = `db-password-${randomBytes(16).toString("hex")}`;
    markers.push(password);
    await project.configure(
      { "alicloud-kms:endpoint": hangzhou.endpoint, "alicloud-kms:endpoints": endpoints, "alicloud-kms:region": "cn-hangzhou" },
      { dbPassword: password },
    );
    await setRecipients([{ keyId: "alias/app" }, { keyId: arn("key-backup"), encryptionContext: { app: "dr" } }]);
  });
  after(async () => {
    await hangzhou?.close();
    await shanghai?.close();
    if (root) removeRoot(root);
  });

  it("preview checks each recipient in its region; up wraps for both; either key alone opens it", async () => {
    hangzhou.resetStats();
    shanghai.resetStats();
    assert.equal(PulumiProject.ops(await project.ok("preview", "--json")).get("db-password"), "create");
    assert.equal(realEncryptions(hangzhou.stats()) + realEncryptions(shanghai.stats()), 0);
    assert.equal(hangzhou.stats().dryRunCalls.AsymmetricEncrypt, 1);
    assert.equal(shanghai.stats().dryRunCalls.Encrypt, 1);
    await project.ok("up", "--yes", "--skip-preview");
    const o = await outputs();
    assert.deepEqual(o.recipients.map((r) => [r.keyId, r.region]), [["key-primary", "cn-hangzhou"], ["key-backup", "cn-shanghai"]]);

    const both = await decryptInstalled(o.envelope, "cn-shanghai");
    assert.equal(both.stdout, password);
    assert.equal(both.stderr, "key-backup cn-shanghai", "the application's own region first");
    await call(officialClient(hangzhou), "DisableKey", { KeyId: "key-primary" });
    const fromBackup = await decryptInstalled(o.envelope, "cn-hangzhou");
    assert.equal(fromBackup.stdout, password, fromBackup.stderr);
    assert.equal(fromBackup.stderr, "key-backup cn-shanghai");
    const viaCli = await cli(["decrypt"], o.envelope);
    assert.equal(viaCli.stdout, password);
    assert.match(viaCli.stderr, /opened with key key-backup in cn-shanghai \(tried first: key key-primary in cn-hangzhou: .*Rejected\.Disabled/);
    await call(officialClient(hangzhou), "EnableKey", { KeyId: "key-primary" });
    await call(officialClient(shanghai), "DisableKey", { KeyId: "key-backup" });
    const fromPrimary = await decryptInstalled(o.envelope, "cn-shanghai");
    assert.equal(fromPrimary.stdout, password, fromPrimary.stderr);
    assert.equal(fromPrimary.stderr, "key-primary cn-hangzhou");
    await call(officialClient(shanghai), "EnableKey", { KeyId: "key-backup" });
    assert.equal("plaintext" in o.whole, false);
    await nothingStored("create");
  });

  it("unchanged stays; the second recipient's new version re-encrypts, and the preview says so", async () => {
    assert.equal(PulumiProject.ops(await project.ok("up", "--yes", "--skip-preview", "--json")).get("db-password") ?? "same", "same");
    await call(officialClient(shanghai), "CreateKeyVersion", { KeyId: "key-backup" });
    const [why] = await reasons();
    assert.match(why ?? "", /^will be re-encrypted: recipients\[1\] \(key key-backup in cn-shanghai\): the key version changed \(.+ → .+\)$/);
    assert.equal(PulumiProject.ops(await project.ok("up", "--yes", "--skip-preview", "--json")).get("db-password"), "update");
    await nothingStored("rotation");
  });

  it("key migration: add the new key, deploy, remove the old; then only the new key opens it", async () => {
    await setRecipients([{ keyId: "alias/app" }, { keyId: arn("key-backup"), encryptionContext: { app: "dr" } }, { keyId: arn("key-new") }]);
    assert.match((await reasons())[0] ?? "", /^will be re-encrypted: the recipients changed \(.* → .*key key-new in cn-shanghai\)$/);
    await project.ok("up", "--yes", "--skip-preview");
    const opened = await cli(["decrypt", "--allow-key", arn("key-new")], (await outputs()).envelope);
    assert.equal(opened.stdout, password, opened.stderr);

    await setRecipients([{ keyId: arn("key-new") }]);
    await project.ok("up", "--yes", "--skip-preview");
    const o = await outputs();
    assert.deepEqual(o.recipients.map((r) => r.keyId), ["key-new"]);
    assert.equal(JSON.parse(Buffer.from(o.envelope, "base64").toString()).keyId, "key-new", "one recipient: a version 2 envelope");
    const old = await cli(["decrypt", "--allow-key", "key-primary"], o.envelope);
    assert.equal(old.code, 1);
    assert.match(old.stderr, /key 'key-new' is not one of allowedKeys/);
    assert.equal((await cli(["decrypt"], o.envelope)).stdout, password);
    await project.ok("destroy", "--yes", "--skip-preview");
    await nothingStored("migration");
  });
});
