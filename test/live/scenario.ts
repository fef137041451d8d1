import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { decrypt } from "../../sdk/decrypt";
import { packPackage, PulumiProject, removeRoot, tempRoot } from "../e2e/pulumi-project";
import { secretForms } from "../support/secret-forms";
import type { LiveEnvironment } from "./live-environment";

// The live acceptance scenario, through the real Pulumi CLI and the packed package, against whatever
// KMS the environment names (a real account with `npm run test:live`, the emulator in npm test):
// preview, up, a no-op up, a plaintext change, refresh, destroy; every value decrypted through
// decrypt() and one through the package's CLI; state, history and output searched for the
// plaintexts after every step. It uses the keys it is given and creates nothing in the account;
// the stack lives in a temporary file backend and is destroyed and removed even when a step fails.

type Value = Record<string, string | undefined>;
const marker = (label: string) => `live-${label}-${randomBytes(12).toString("hex")}`;

/** Runs a program without blocking this process (which may be serving the emulator). */
function run(file: string, args: string[], input: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((done, fail) => {
    const child = execFile(file, args, { env, encoding: "utf8" }, (error, stdout, stderr) =>
      (error ? fail(new Error(`${file} ${args.join(" ")} failed: ${stderr}`)) : done(stdout)));
    child.stdin!.end(input);
  });
}

export function describeLiveScenario(title: string, environment: () => LiveEnvironment): void {
  describe(title, { timeout: 30 * 60_000 }, () => {
    let live: LiveEnvironment;
    let root: string;
    let project: PulumiProject;
    let stackCreated = false;
    const plaintexts: Record<string, string> = {};
    const everyPlaintext: string[] = [];
    const values: Record<string, Value> = {};

    /** Settings for decrypt() and the CLI: the same credentials and place as the stack's. */
    const applicationEnv = (): NodeJS.ProcessEnv => ({
      ...live.credentials,
      ALIBABA_CLOUD_REGION_ID: live.region,
      ...(live.endpoint ? { ALIBABA_CLOUD_KMS_ENDPOINT: live.endpoint } : {}),
    });
    const outputs = async () => (await project.outputs()).values as Record<string, Value>;
    const nothingStored = async (step: string) => {
      const stored = [await project.everythingStored(), ...project.transcript].join("\n");
      for (const secret of everyPlaintext) {
        for (const form of secretForms(secret)) assert.equal(stored.includes(form), false, `${step}: a plaintext is stored or printed`);
      }
    };
    const decryptAll = async () => {
      const out = await outputs();
      for (const [name, o] of Object.entries(out)) {
        const input = o.envelope
          ? o.envelope
          : o.certificateId
            ? { ciphertextBlob: o.ciphertextBlob!, certificateId: o.certificateId, algorithm: o.algorithm as "RSAES_OAEP_SHA_256" }
            : { ciphertextBlob: o.ciphertextBlob!, keyId: o.keyId!, keyVersionId: o.keyVersionId!, algorithm: o.algorithm as "RSAES_OAEP_SHA_256" };
        const plaintext = await decrypt(input, { env: applicationEnv(), allowedRegions: [live.region] });
        assert.equal(plaintext.toString(), plaintexts[name], `${name} decrypts through decrypt()`);
      }
      return out;
    };
    const setPlaintexts = () => project.ok("config", "set", "--secret", "plaintexts", JSON.stringify(plaintexts));

    before(async () => {
      live = environment();
      values.rsa = { keyId: live.rsaKeyId };
      values["rsa-envelope"] = { keyId: live.rsaKeyId, envelope: "true" };
      values["rsa-local"] = { keyId: live.rsaKeyId, encryptLocally: "true" };
      if (live.sm2KeyId) values.sm2 = { keyId: live.sm2KeyId };
      if (live.certificateId) values.certificate = { certificateId: live.certificateId };
      for (const name of Object.keys(values)) {
        plaintexts[name] = marker(name);
        everyPlaintext.push(plaintexts[name]);
      }
      root = tempRoot();
      project = await PulumiProject.create(root, packPackage(root), resolve(__dirname, "program/index.js"), live.credentials, "kms-live");
      await project.ok("stack", "init", `live-${randomBytes(4).toString("hex")}`);
      stackCreated = true;
      await project.ok("config", "set", "alicloud-kms:region", live.region);
      if (live.endpoint) await project.ok("config", "set", "alicloud-kms:endpoint", live.endpoint);
      const typed = Object.fromEntries(Object.entries(values).map(([name, v]) => [name, {
        ...v, ...(v.envelope ? { envelope: true } : {}), ...(v.encryptLocally ? { encryptLocally: true } : {}) }]));
      await project.ok("config", "set", "values", JSON.stringify(typed));
      await setPlaintexts();
    });
    // Leave no stack behind, whatever happened.
    after(async () => {
      if (stackCreated) {
        await project.pulumi("destroy", "--yes", "--skip-preview");
        await project.pulumi("stack", "rm", "--yes", "--force");
      }
      if (root) removeRoot(root);
    });

    it("preview: every value validates (Describe*, DryRun) and would be created", async () => {
      const ops = PulumiProject.ops(await project.ok("preview", "--json"));
      for (const name of Object.keys(values)) assert.equal(ops.get(name), "create", name);
      await nothingStored("preview");
    });

    it("up: every value decrypts through decrypt(), and the envelope through the package's CLI", async () => {
      await project.ok("up", "--yes", "--skip-preview");
      const out = await decryptAll();
      const cli = join(project.dir, "node_modules/.bin/pulumi-alicloud-kms-encrypted");
      const opened = await run(cli, ["decrypt", "--allow-region", live.region], out["rsa-envelope"]!.envelope!, { PATH: process.env.PATH, ...applicationEnv() });
      assert.equal(opened, plaintexts["rsa-envelope"]);
      await nothingStored("up");
    });

    it("a second up changes nothing", async () => {
      const ops = PulumiProject.ops(await project.ok("up", "--yes", "--json", "--skip-preview"));
      for (const name of Object.keys(values)) assert.equal(ops.get(name), "same", name);
    });

    it("a changed plaintext updates exactly that value", async () => {
      plaintexts.rsa = marker("rsa-changed");
      everyPlaintext.push(plaintexts.rsa);
      await setPlaintexts();
      const ops = PulumiProject.ops(await project.ok("up", "--yes", "--json", "--skip-preview"));
      assert.deepEqual([...ops].filter(([name, op]) => name in values && op !== "same").map(([name]) => name), ["rsa"]);
      await decryptAll();
      await nothingStored("plaintext change");
    });

    it("refresh finds every key and certificate able to decrypt", async () => {
      await project.ok("refresh", "--yes", "--skip-preview");
      const state = JSON.parse((await project.ok("stack", "export")).stdout) as { deployment: { resources: { type: string; outputs?: Value }[] } };
      for (const r of state.deployment.resources.filter((r) => r.type.endsWith(":EncryptedValue"))) assert.equal(r.outputs?.staleReason, "");
    });

    it("destroy leaves an empty stack, which is then removed", async () => {
      await project.ok("destroy", "--yes", "--skip-preview");
      const state = JSON.parse((await project.ok("stack", "export")).stdout);
      assert.equal((state.deployment.resources ?? []).length, 0);
      await nothingStored("destroy");
      await project.ok("stack", "rm", "--yes");
      stackCreated = false;
    });
  });
}
