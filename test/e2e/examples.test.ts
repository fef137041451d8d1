import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { decrypt } from "../../sdk/decrypt";
import { type KmsEmulator, startKmsEmulator } from "../kms-emulator";
import { realEncryptions } from "../support/emulator-stats";
import { call, officialClient } from "../support/kms-client";
import { secretForms } from "../support/secret-forms";
import { ACCESS_KEY, seed } from "../provider/fixtures";
import { packPackage, PulumiProject, removeRoot, tempRoot } from "./pulumi-project";
import { applicationEnv } from "../support/application-env";

// Every example that needs no real cloud, deployed by the real Pulumi CLI against the emulator
// from the packed package, one stack per example in one project: the program is the example's
// index.ts as the package's build compiled it. Outputs are decrypted and compared; state and
// output are searched for every plaintext.

const repoRoot = resolve(__dirname, "../..");
const program = (example: string) => join(repoRoot, "dist/examples", example, "index.js");
/** Runs a command without blocking this process, which also serves the emulator. */
function run(file: string, args: string[], input: string, env: NodeJS.ProcessEnv): Promise<Buffer> {
  return new Promise((resolveRun, reject) => {
    const child = execFile(file, args, { env, encoding: "buffer" }, (error, stdout, stderr) =>
      (error ? reject(new Error(`${file} ${args.join(" ")}: ${error.message}\n${stderr.toString()}`)) : resolveRun(stdout)));
    child.stdin!.end(input);
  });
}

const marker = (label: string) => `${label}-${randomBytes(16).toString("hex")}`;

describe("the examples, deployed against the KMS emulator", { timeout: 20 * 60_000 }, () => {
  let root: string;
  let emulator: KmsEmulator;
  let project: PulumiProject;
  const secrets: string[] = [];
  const env = () => applicationEnv(emulator, ACCESS_KEY);

  /** A stack for one example: its program, the emulator's settings, its config. */
  async function stackFor(example: string, config: Record<string, string>, secretConfig: Record<string, string>) {
    copyFileSync(program(example), join(project.dir, "index.js"));
    await project.ok("stack", "init", example);
    secrets.push(...Object.values(secretConfig));
    await project.configure({ "alicloud-kms:endpoint": emulator.endpoint, "alicloud-kms:region": emulator.region, ...config }, secretConfig);
  }

  async function nothingStored(step: string) {
    const stored = [await project.everythingStored(), ...project.transcript].join("\n");
    for (const s of secrets) for (const form of secretForms(s)) assert.equal(stored.includes(form), false, `${step}: a plaintext is stored or printed`);
  }

  before(async () => {
    root = tempRoot();
    emulator = await startKmsEmulator({ seed });
    // packPackage builds dist/ (prepack), examples included.
    const tarball = packPackage(root);
    project = await PulumiProject.create(root, tarball, program("basic"), {
      ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY.accessKeySecret,
    }, "kms-examples");
  });
  after(async () => {
    await emulator?.close();
    if (root) removeRoot(root);
  });

  it("basic: a password from config under alias/app decrypts to itself", async () => {
    const password = marker("basic");
    await stackFor("basic", { keyId: "alias/app" }, { dbPassword: password });
    await project.ok("up", "--yes");
    const o = await project.outputs();
    const plaintext = await decrypt({ ciphertextBlob: String(o.ciphertextBlob), keyId: "key-rsa2048",
      keyVersionId: String(o.keyVersionId), algorithm: "RSAES_OAEP_SHA_256" }, { env: env() });
    assert.equal(plaintext.toString(), password);
    await nothingStored("basic");
  });

  it("certificate: CertificatePublicKeyEncrypt with RSAES_OAEP_SHA_1", async () => {
    const token = marker("certificate");
    await stackFor("certificate", { certificateId: "cert-rsa" }, { apiToken: token });
    await project.ok("up", "--yes");
    const o = await project.outputs();
    assert.equal(o.keySpec, "RSA_2048");
    const plaintext = await decrypt({ ciphertextBlob: String(o.ciphertextBlob), certificateId: "cert-rsa", algorithm: "RSAES_OAEP_SHA_1" }, { env: env() });
    assert.equal(plaintext.toString(), token);
    await nothingStored("certificate");
  });

  it("sm2: SM2PKE encrypted locally (no encrypt call), decrypted by KMS", async () => {
    const license = marker("sm2-许可证");
    await stackFor("sm2", { sm2KeyId: "key-sm2" }, { licenseKey: license });
    emulator.resetStats();
    await project.ok("up", "--yes");
    assert.equal(realEncryptions(emulator.stats()), 0);
    const o = await project.outputs();
    const plaintext = await decrypt({ ciphertextBlob: String(o.ciphertextBlob), keyId: String(o.keyId),
      keyVersionId: String(o.keyVersionId), algorithm: "SM2PKE" }, { env: env() });
    assert.equal(plaintext.toString(), license);
    await nothingStored("sm2");
  });

  it("rotation: after CreateKeyVersion the follower re-encrypts, the pinned value stays", async () => {
    await stackFor("rotation", { keyId: "key-rotating" }, { webhookSecret: marker("rotation") });
    await project.ok("up", "--yes");
    const first = await project.outputs();
    await project.ok("config", "set", "pinnedKeyVersionId", String(first.pinnedKeyVersionId));
    assert.deepEqual(new Set(PulumiProject.ops(await project.ok("preview", "--json")).values()), new Set(["same"]), "pinning the current version changes nothing");

    const { KeyVersion } = await call(officialClient(emulator), "CreateKeyVersion", { KeyId: "key-rotating" });
    const preview = PulumiProject.ops(await project.ok("preview", "--json"));
    assert.equal(preview.get("webhook-secret"), "update");
    assert.notEqual(preview.get("webhook-secret-pinned"), "update");
    await project.ok("up", "--yes");
    const second = await project.outputs();
    assert.equal(second.followsKeyVersionId, (KeyVersion as Record<string, unknown>).KeyVersionId);
    assert.equal(second.pinnedKeyVersionId, first.pinnedKeyVersionId);
    await nothingStored("rotation");
  });

  it("envelope: a PEM private key round trips through decrypt() and the installed CLI; unchanged, nothing happens", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    writeFileSync(join(project.dir, "tls.key"), pem);
    secrets.push(pem.split("\n")[1]!);
    await stackFor("envelope", { keyId: "alias/app", tlsKeyFile: "tls.key" }, {});
    await project.ok("up", "--yes");
    const { envelope } = (await project.outputs()) as { envelope: string };
    assert.equal((await decrypt(envelope, { env: env() })).toString(), pem);

    // The package's bin as npm installed it (shebang, executable bit, compiled code).
    const bin = join(project.dir, "node_modules/.bin/pulumi-alicloud-kms-encrypted");
    const out = await run(bin, ["decrypt"], envelope, { PATH: process.env.PATH, ...env() });
    assert.equal(out.toString(), pem);

    const again = await project.ok("up", "--yes", "--json", "--skip-preview");
    assert.deepEqual(new Set(PulumiProject.ops(again).values()), new Set(["same"]));
    assert.equal(readFileSync(join(project.dir, "tls.key"), "utf8"), pem);
    await nothingStored("envelope");
  });
  it("symmetric-key: Encrypt under an encryption context; the envelope opens, a bare ciphertext only with it", async () => {
    const password = marker("symmetric");
    await stackFor("symmetric-key", { keyId: "alias/symmetric" }, { dbPassword: password });
    emulator.resetStats();
    await project.ok("up", "--yes");
    assert.equal(realEncryptions(emulator.stats()), 1);
    type Outputs = { envelope: string; ciphertextBlob: string; encryptionContext: Record<string, string> };
    const o = (await project.outputs()) as Outputs;
    assert.deepEqual(o.encryptionContext, { app: "billing", stage: "symmetric-key" });
    assert.equal((await decrypt(o.envelope, { env: env() })).toString(), password);
    const bare = { ciphertextBlob: o.ciphertextBlob, keyId: "alias/symmetric", algorithm: "SYMMETRIC_DEFAULT" } as const;
    await assert.rejects(decrypt(bare, { env: env() }), /keyId: 'alias\/symmetric' is an alias; .* give the key's ID or ARN/);
    await assert.rejects(decrypt({ ...bare, keyId: "key-aes" }, { env: env() }), /encryption context differs/);
    assert.equal((await decrypt({ ...bare, keyId: "key-aes", encryptionContext: o.encryptionContext }, { env: env() })).toString(), password);
    await nothingStored("symmetric-key");
  });

  it("two-regions: either region's key opens the envelope; the application decrypts with the first region's key disabled", async () => {
    const shanghai = await startKmsEmulator({ region: "cn-shanghai", seed: {
      accessKeys: [ACCESS_KEY], keys: [{ keyId: "key-backup", keySpec: "RSA_3072", keyUsage: "ENCRYPT/DECRYPT" }], certificates: [],
    } });
    try {
      const password = marker("two-regions");
      const endpoints = JSON.stringify({ "cn-shanghai": shanghai.endpoint });
      await stackFor("two-regions", {
        primaryKeyId: "alias/app", backupKeyArn: `acs:kms:cn-shanghai:${shanghai.accountId}:key/key-backup`, "alicloud-kms:endpoints": endpoints,
      }, { dbPassword: password });
      await project.ok("up", "--yes");
      const o = (await project.outputs()) as { envelope: string; recipients: Record<string, string>[] };
      assert.deepEqual(o.recipients.map((r) => [r.keyId, r.region]), [["key-rsa2048", "cn-hangzhou"], ["key-backup", "cn-shanghai"]]);
      const application = { ...env(), ALIBABA_CLOUD_KMS_ENDPOINTS: endpoints };
      await call(officialClient(emulator), "DisableKey", { KeyId: "key-rsa2048" });
      try {
        let opened = "";
        const plaintext = await decrypt(o.envelope, { env: application, onOpened: (x) => (opened = `${x.keyId} in ${x.region}`) });
        assert.equal(plaintext.toString(), password);
        assert.equal(opened, "key-backup in cn-shanghai");
      } finally {
        await call(officialClient(emulator), "EnableKey", { KeyId: "key-rsa2048" });
      }
      await nothingStored("two-regions");
      await project.ok("destroy", "--yes", "--skip-preview");
    } finally {
      await shanghai.close();
    }
  });

  it("many-secrets: each entry opens through decrypt(); one entry changed is one encryption, the others stay", async () => {
    const secretsConfig = { dbPassword: marker("db"), apiToken: marker("token"), smtpPassword: marker("smtp") };
    await stackFor("many-secrets", { keyId: "alias/app" }, {});
    // As the example's README sets them: one entry at a time, with --path.
    for (const [name, value] of Object.entries(secretsConfig)) await project.ok("config", "set", "--secret", "--path", `secrets.${name}`, value);
    secrets.push(...Object.values(secretsConfig));
    emulator.resetStats();
    await project.ok("up", "--yes");
    assert.equal(realEncryptions(emulator.stats()), 3);
    const first = (await project.outputs()) as { envelopes: Record<string, string> };
    for (const [name, value] of Object.entries(secretsConfig)) {
      assert.equal((await decrypt(first.envelopes[name]!, { env: env() })).toString(), value, name);
    }

    const apiToken = marker("token-rotated");
    secrets.push(apiToken);
    await project.ok("config", "set", "--secret", "--path", "secrets.apiToken", apiToken);
    emulator.resetStats();
    await project.ok("up", "--yes", "--skip-preview");
    assert.equal(realEncryptions(emulator.stats()), 1);
    const second = (await project.outputs()) as { envelopes: Record<string, string>; revisions: Record<string, number> };
    assert.equal((await decrypt(second.envelopes.apiToken!, { env: env() })).toString(), apiToken);
    assert.equal(second.envelopes.dbPassword, first.envelopes.dbPassword);
    assert.equal(second.envelopes.smtpPassword, first.envelopes.smtpPassword);
    assert.deepEqual(second.revisions, { dbPassword: 1, apiToken: 2, smtpPassword: 1 });
    await nothingStored("many-secrets");
  });
});
