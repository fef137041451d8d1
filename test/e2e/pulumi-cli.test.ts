import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type KmsEmulator, startKmsEmulator } from "../kms-emulator";
import { call, officialClient } from "../support/kms-client";
import { privateKeyFile } from "../kms-emulator/store/keys-dir";
import { realEncryptions } from "../support/emulator-stats";
import { opensslDecrypt } from "../support/openssl";
import { secretForms } from "../support/secret-forms";
import { PulumiProject, removeRoot, stackOutputsIn, tempRoot } from "./pulumi-project";

// The real Pulumi CLI (built from the Go module proxy) deploying a program that uses the packed
// package, against the emulator: preview, up, no-op, change, rotation, refresh, destroy; after
// every step the stored state and the backend's files are searched for the plaintexts.

const ACCESS_KEY = { accessKeyId: "LTAIe2etest", accessKeySecret: "e2e-access-key-secret-5a4b3c2d1e" };
const marker = (label: string) => `${label}-${randomBytes(20).toString("hex")}`;
const READ_ONLY = new Set(["DescribeKey", "DescribeKeyVersion", "DescribeCertificate"]);

describe("the real Pulumi CLI end to end", { timeout: 30 * 60_000 }, () => {
  let root: string;
  let emulator: KmsEmulator;
  let project: PulumiProject;
  let pinnedVersion: string;
  const plaintexts: Record<string, string> = {};
  const everyMarker: string[] = [];
  const values: Record<string, Record<string, string>> = {
    "rsa2048-sha256": { keyId: "key-rsa2048", algorithm: "RSAES_OAEP_SHA_256" },
    "rsa2048-sha1": { keyId: "key-rsa2048", algorithm: "RSAES_OAEP_SHA_1" },
    "rsa3072-sha256": { keyId: "key-rsa3072", algorithm: "RSAES_OAEP_SHA_256" },
    "rsa3072-sha1": { keyId: "key-rsa3072", algorithm: "RSAES_OAEP_SHA_1" },
    sm2: { keyId: "key-sm2", algorithm: "SM2PKE" },
    certificate: { certificateId: "cert-rsa", algorithm: "RSAES_OAEP_SHA_256" },
    "alias-follows": { keyId: "alias/app", algorithm: "RSAES_OAEP_SHA_256" },
  };

  const setPlaintexts = async () => {
    await project.ok("config", "set", "--secret", "plaintexts", JSON.stringify(plaintexts));
  };
  const encryptCalls = () => realEncryptions(emulator.stats());
  const nothingStored = async (step: string) => {
    // The stack's outputs, secrets shown, are among everythingStored (read from the same export).
    const stored = [await project.everythingStored(), ...project.transcript].join("\n");
    for (const m of everyMarker) {
      for (const form of secretForms(m)) {
        const at = stored.indexOf(form);
        assert.equal(at, -1, `${step}: a plaintext marker is stored or printed: …${stored.slice(Math.max(0, at - 300), at + 80)}`);
      }
    }
    for (const form of secretForms(ACCESS_KEY.accessKeySecret)) assert.equal(stored.includes(form), false, `${step}: the access key secret is stored`);
  };
  const decryptAll = async () => {
    const { ciphertexts, details } = (await project.outputs()) as Record<string, Record<string, Record<string, string>>>;
    for (const name of Object.keys(values)) {
      const d = details![name]!;
      assert.equal(opensslDecrypt(privateKeyFile(join(root, "keys"), d), d.algorithm!, String(ciphertexts![name])).toString(), plaintexts[name], name);
    }
    return { ciphertexts: ciphertexts!, details: details! };
  };

  before(async () => {
    root = tempRoot();
    emulator = await startKmsEmulator({
      keysDir: join(root, "keys"),
      seed: {
        accessKeys: [ACCESS_KEY],
        keys: [
          { keyId: "key-rsa2048", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT" },
          { keyId: "key-rsa3072", keySpec: "RSA_3072", keyUsage: "ENCRYPT/DECRYPT" },
          { keyId: "key-sm2", keySpec: "EC_SM2", keyUsage: "ENCRYPT/DECRYPT" },
          { keyId: "key-app", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT", aliases: ["alias/app"] },
        ],
        certificates: [{ certificateId: "cert-rsa", keySpec: "RSA_2048" }],
      },
    });
    pinnedVersion = emulator.store.primaryVersion(emulator.store.resolveKey("key-app")).keyVersionId;
    values.pinned = { keyId: "key-app", keyVersionId: pinnedVersion };
    for (const name of Object.keys(values)) {
      plaintexts[name] = marker(name);
      everyMarker.push(plaintexts[name]);
    }
    project = await PulumiProject.forEmulator(root, emulator, ACCESS_KEY, "dev");
    await project.configure({ values: JSON.stringify(values), consumed: "alias-follows" }, { plaintexts: JSON.stringify(plaintexts) });
  });
  after(async () => {
    await emulator?.close();
    if (root) removeRoot(root);
  });

  it("preview: DryRun and Describe calls only, zero encryptions, every value listed as a create", async () => {
    emulator.resetStats();
    const run = await project.ok("preview", "--json");
    const ops = PulumiProject.ops(run);
    for (const name of [...Object.keys(values), "consumer"]) assert.equal(ops.get(name), "create", name);
    assert.equal(encryptCalls(), 0);
    const { calls, dryRunCalls } = emulator.stats();
    for (const [action, n] of Object.entries(calls)) assert.ok(READ_ONLY.has(action) || dryRunCalls[action] === n, action);
    await nothingStored("preview");
  });

  it("up: every ciphertext in the stack outputs decrypts with OpenSSL to its plaintext", async () => {
    await project.ok("up", "--yes", "--skip-preview");
    const { wholeResources } = (await project.outputs()) as Record<string, Record<string, Record<string, unknown>>>;
    assert.equal(typeof wholeResources!.sm2!.ciphertextBlob, "string", "the program exported whole resources");
    const { ciphertexts, details } = await decryptAll();
    assert.equal(details.pinned!.keyVersionId, pinnedVersion);
    assert.equal((await project.outputs()).consumed, ciphertexts["alias-follows"]);
    // The leak scans read the outputs from the state they export: the same as `stack output` prints.
    assert.deepEqual(stackOutputsIn((await project.ok("stack", "export", "--show-secrets")).stdout), await project.outputs());
    await nothingStored("up");
  });

  it("up again, unchanged: no changes and zero encrypt calls", async () => {
    emulator.resetStats();
    const run = await project.ok("up", "--yes", "--json", "--skip-preview");
    assert.deepEqual(new Set(PulumiProject.ops(run).values()), new Set(["same"]));
    assert.equal(encryptCalls(), 0);
    await nothingStored("no-op up");
  });

  it("one changed plaintext: exactly that resource updates", async () => {
    plaintexts["rsa3072-sha1"] = marker("rsa3072-sha1-changed");
    everyMarker.push(plaintexts["rsa3072-sha1"]);
    await setPlaintexts();
    emulator.resetStats();
    const run = await project.ok("up", "--yes", "--json", "--skip-preview");
    const updated = [...PulumiProject.ops(run)].filter(([, op]) => op !== "same").map(([n]) => n);
    assert.deepEqual(updated, ["rsa3072-sha1"]);
    assert.equal(encryptCalls(), 1);
    await decryptAll();
    await nothingStored("plaintext change");
  });

  it("rotation: the followers and the ciphertext's consumer update, the pinned value does not", async () => {
    await call(officialClient(emulator), "CreateKeyVersion", { KeyId: "key-app" });
    const preview = PulumiProject.ops(await project.ok("preview", "--json"));
    assert.equal(preview.get("alias-follows"), "update");
    const run = await project.ok("up", "--yes", "--json", "--skip-preview");
    const updated = [...PulumiProject.ops(run)].filter(([, op]) => op !== "same").map(([n]) => n).sort();
    assert.deepEqual(updated, ["alias-follows", "consumer"]);
    const { ciphertexts, details } = await decryptAll();
    assert.notEqual(details["alias-follows"]!.keyVersionId, pinnedVersion);
    assert.equal(details.pinned!.keyVersionId, pinnedVersion);
    assert.equal((await project.outputs()).consumed, ciphertexts["alias-follows"]);
    await nothingStored("rotation");
  });

  it("bad input as a user sees it: over-long plaintext, unknown key; clear messages, no stack trace", async () => {
    const tooLong = { ...plaintexts, "rsa2048-sha256": `${marker("too-long")}${"x".repeat(200)}` };
    everyMarker.push(tooLong["rsa2048-sha256"]);
    await project.ok("config", "set", "--secret", "plaintexts", JSON.stringify(tooLong));
    const long = await project.pulumi("preview");
    assert.notEqual(long.code, 0);
    assert.match(long.stdout + long.stderr, /plaintext is 249 bytes; RSA_2048 with RSAES_OAEP_SHA_256 encrypts at most 190/);
    await setPlaintexts();
    await project.ok("config", "set", "values", JSON.stringify({ ...values, sm2: { keyId: "key-missing", algorithm: "SM2PKE" } }));
    const missing = await project.pulumi("preview");
    assert.notEqual(missing.code, 0);
    assert.match(missing.stdout + missing.stderr, /keyId 'key-missing': Forbidden\.KeyNotFound — no such key in region cn-hangzhou/);
    for (const run of [long, missing]) assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at .+:\d+:\d+\)?\n/);
    await project.ok("config", "set", "values", JSON.stringify(values));
    await nothingStored("bad input");
  });

  it("refresh after disabling a key reports it; destroy leaves an empty stack", async () => {
    await call(officialClient(emulator), "DisableKey", { KeyId: "key-sm2" });
    await project.ok("refresh", "--yes", "--skip-preview");
    type Details = Record<string, Record<string, string>>;
    // A plain refresh updates the resource's state, not the stack's outputs (the program did not
    // run): the README says so, and shows the two ways to see the reason.
    const stale = ((await project.outputs()) as { details: Details }).details;
    assert.equal(stale.sm2.staleReason, "");
    const state = JSON.parse((await project.ok("stack", "export")).stdout);
    const sm2 = state.deployment.resources.find((r: { urn: string }) => r.urn.endsWith("::sm2"));
    assert.match(String(sm2.outputs.staleReason), /key key-sm2 is Disabled/);
    await project.ok("refresh", "--run-program", "--yes", "--skip-preview");
    const rerun = ((await project.outputs()) as { details: Details }).details;
    assert.match(rerun.sm2.staleReason, /key key-sm2 is Disabled/);
    assert.equal(rerun["rsa2048-sha256"].staleReason, "");
    await call(officialClient(emulator), "EnableKey", { KeyId: "key-sm2" });
    const run = await project.ok("up", "--yes", "--json", "--skip-preview");
    assert.equal(PulumiProject.ops(run).get("sm2"), "update");
    await project.ok("destroy", "--yes", "--skip-preview");
    const after = JSON.parse((await project.ok("stack", "export")).stdout);
    assert.equal((after.deployment.resources ?? []).length, 0);
    await nothingStored("refresh and destroy");
  });
});
