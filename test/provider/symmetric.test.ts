import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { decrypt, DecryptError } from "../../sdk/decrypt";
import { entryMaps } from "../../sdk/encrypted-values";
import { envelopeOfOutputs, type TargetOutputs } from "../../provider/toolkit";
import { call, officialClient } from "../support/kms-client";
import { secretForms } from "../support/secret-forms";
import { applicationEnv } from "../support/application-env";
import { ACCESS_KEY, deploy, type Deployment, encryptCalls } from "./fixtures";

// Symmetric keys (Aliyun_AES_256, Aliyun_SM4) through the dynamic provider host, as
// alicloud.kms.Ciphertext uses them: Encrypt with an encryption context, which decrypt() needs
// again (the envelope carries it). Preview is Encrypt's DryRun; rotation re-encrypts; and whichever
// version Encrypt really uses (the references disagree), a value does not re-encrypt forever.

type Props = Record<string, unknown>;
const context = { app: "billing", stage: "prod" };

const encode = (json: Props) => Buffer.from(JSON.stringify(json)).toString("base64");
const decode = (envelope: unknown) => JSON.parse(Buffer.from(String(envelope), "base64").toString()) as Props;

describe("symmetric keys through the provider", () => {
  let d: Deployment;
  const seen: string[] = [];
  const outputs = (name: string) => d.stack.state.get(name)!.outputs;
  const env = () => applicationEnv(d.emulator, ACCESS_KEY);
  const secret = (label: string) => {
    const value = `${label}-${Math.random().toString(36).slice(2)}-symmetric`;
    seen.push(value);
    return value;
  };
  const values: Record<string, Props> = {};

  before(async () => {
    d = await deploy();
  });
  after(() => d.close());

  it("preview validates with Encrypt's DryRun (once per key and context) and encrypts nothing", async () => {
    values.aes = { plaintext: secret("aes"), keyId: "alias/symmetric", encryptionContext: context };
    values.sm4 = { plaintext: secret("sm4"), keyId: "key-sm4" };
    values.large = { plaintext: `${secret("large")}${"y".repeat(10_000)}`, keyId: "key-sm4", envelope: true, encryptionContext: { app: "tls" } };
    d.emulator.resetStats();
    for (const [name, inputs] of Object.entries(values)) assert.deepEqual(await d.stack.preview(name, inputs), { op: "create", failures: [] }, name);
    assert.equal(encryptCalls(d.emulator), 0);
    assert.equal(d.emulator.stats().dryRunCalls.Encrypt, 3);
  });

  it("up encrypts through Encrypt; decrypt() opens each envelope, whose header carries the context", async () => {
    await d.nextCommand();
    d.emulator.resetStats();
    for (const [name, inputs] of Object.entries(values)) assert.equal((await d.stack.up(name, inputs)).op, "create", name);
    assert.equal(encryptCalls(d.emulator), 3);
    const aes = outputs("aes");
    assert.equal(aes.keyId, "key-aes", "the alias resolved to the key's own ID");
    assert.equal(aes.algorithm, "SYMMETRIC_DEFAULT");
    assert.equal(aes.keySpec, "Aliyun_AES_256");
    assert.deepEqual(aes.encryptionContext, context);
    assert.deepEqual(decode(envelopeOfOutputs(aes)).encryptionContext, context);
    assert.deepEqual(outputs("sm4").encryptionContext, {});
    for (const [name, inputs] of Object.entries(values)) {
      assert.equal((await decrypt(envelopeOfOutputs(outputs(name)), { env: env() })).toString(), inputs.plaintext, name);
    }
  });

  it("a bare ciphertext decrypts only with its context, and the refusal says so", async () => {
    const aes = outputs("aes");
    const bare = { ciphertextBlob: String(aes.ciphertextBlob), keyId: "key-aes", algorithm: "SYMMETRIC_DEFAULT" as const, region: String(aes.region) };
    assert.equal((await decrypt({ ...bare, encryptionContext: { stage: "prod", app: "billing" } }, { env: env() })).toString(), values.aes!.plaintext);
    const wrongContexts: (Record<string, string> | undefined)[] = [undefined, { app: "billing" }, { app: "billing", stage: "dev" }];
    for (const wrong of wrongContexts) {
      const attempt = decrypt({ ...bare, ...(wrong ? { encryptionContext: wrong } : {}) }, { env: env() });
      await assert.rejects(attempt, (e: DecryptError) =>
        e.code === "InvalidCiphertext" && /the encryption context differs from the one it was encrypted with/.test(e.message));
    }
  });

  it("an envelope whose context or key was altered is refused with a clear error, and nothing is returned", async () => {
    const json = decode(envelopeOfOutputs(outputs("aes")));
    await assert.rejects(decrypt(encode({ ...json, encryptionContext: { app: "billing", stage: "dev" } }), { env: env() }),
      (e: DecryptError) => e.code === "InvalidCiphertext" && /encryption context differs/.test(e.message));
    await assert.rejects(decrypt(encode({ ...json, encryptionContext: { app: 7 } }), { env: env() }),
      (e: DecryptError) => e.code === "EnvelopeFormat" && /encryptionContext has a number for app/.test(e.message));
    await assert.rejects(decrypt(encode({ ...json, keyId: "key-sm4" }), { env: env() }),
      (e: DecryptError) => e.code === "KeyMismatch" && /opened the ciphertext with key 'key-aes', not the key-sm4 it names/.test(e.message));
    // Envelope encryption: the context is in the AES-GCM header too; KMS refuses the data key first.
    const large = decode(envelopeOfOutputs(outputs("large")));
    await assert.rejects(decrypt(encode({ ...large, encryptionContext: { app: "mail" } }), { env: env() }),
      (e: DecryptError) => e.code === "InvalidCiphertext");
  });

  it("unchanged stays; a changed context or a new primary version re-encrypts", async () => {
    await d.nextCommand();
    d.emulator.resetStats();
    for (const [name, inputs] of Object.entries(values)) assert.equal((await d.stack.up(name, inputs)).op, "same", name);
    assert.equal(encryptCalls(d.emulator), 0);

    values.aes = { ...values.aes, encryptionContext: { ...context, stage: "staging" } };
    assert.equal((await d.stack.up("aes", values.aes)).op, "update");
    assert.equal((await decrypt(envelopeOfOutputs(outputs("aes")), { env: env() })).toString(), values.aes.plaintext);

    values.rotating = { plaintext: secret("rotating"), keyId: "key-aes-rotating" };
    await d.stack.up("rotating", values.rotating);
    const before = outputs("rotating");
    const { KeyVersion } = await call(officialClient(d.emulator), "CreateKeyVersion", { KeyId: "key-aes-rotating" });
    await d.nextCommand();
    d.emulator.resetStats();
    assert.equal((await d.stack.up("rotating", values.rotating)).op, "update");
    assert.equal(encryptCalls(d.emulator), 1);
    assert.equal(outputs("rotating").keyVersionId, (KeyVersion as Props).KeyVersionId);
    assert.notEqual(outputs("rotating").ciphertextBlob, before.ciphertextBlob);
    assert.equal((await decrypt(envelopeOfOutputs(outputs("rotating")), { env: env() })).toString(), values.rotating.plaintext);
  });

  it("refresh marks a disabled key stale", async () => {
    await call(officialClient(d.emulator), "DisableKey", { KeyId: "key-sm4" });
    try {
      assert.match(String((await d.stack.refresh("sm4")).staleReason), /key key-sm4 is Disabled/);
    } finally {
      await call(officialClient(d.emulator), "EnableKey", { KeyId: "key-sm4" });
    }
  });

  it("EncryptedValues under a symmetric key: every entry opens with the map's context", async () => {
    const plaintexts = { db: secret("db"), token: secret("token") };
    assert.equal((await d.values.up("map", { plaintexts, keyId: "key-aes", encryptionContext: { app: "map" } })).op, "create");
    const o = d.values.state.get("map")!.outputs;
    const [ciphertexts, envelopes] = [o.ciphertexts, o.envelopes] as (Record<string, string> | undefined)[];
    const maps = entryMaps(ciphertexts, envelopes, o as unknown as TargetOutputs);
    for (const [entry, plaintext] of Object.entries(plaintexts)) {
      assert.equal((await decrypt(maps.envelopes[entry]!, { env: env() })).toString(), plaintext, entry);
      assert.deepEqual(decode(maps.envelopes[entry]).encryptionContext, { app: "map" });
    }
  });

  it("no plaintext in any form in any response, state or output", () => {
    const everything = [d.transcript(), JSON.stringify([...d.stack.state.values(), ...d.values.state.values()])].join("\n");
    for (const plaintext of seen) {
      for (const form of secretForms(Buffer.from(plaintext))) assert.equal(everything.includes(form), false, "a plaintext was found");
    }
  });
});

describe("symmetric keys where Encrypt keeps the key's first version (symmetricEncryptVersion: initial)", () => {
  let d: Deployment;
  before(async () => {
    d = await deploy({ behaviour: { symmetricEncryptVersion: "initial" } });
  });
  after(() => d.close());

  it("a rotation re-encrypts once, and the value then stays: no re-encryption at every up", async () => {
    const inputs = { plaintext: "initial-version-value", keyId: "key-aes-rotating", encryptionContext: context };
    assert.equal((await d.stack.up("v", inputs)).op, "create");
    await call(officialClient(d.emulator), "CreateKeyVersion", { KeyId: "key-aes-rotating" });
    await d.nextCommand();
    assert.equal((await d.stack.up("v", inputs)).op, "update");
    for (let i = 0; i < 2; i++) {
      await d.nextCommand();
      d.emulator.resetStats();
      assert.equal((await d.stack.up("v", inputs)).op, "same");
      assert.equal(encryptCalls(d.emulator), 0);
    }
    const env = applicationEnv(d.emulator, ACCESS_KEY);
    assert.equal((await decrypt(envelopeOfOutputs(d.stack.state.get("v")!.outputs), { env })).toString(), inputs.plaintext);
  });
});

describe("symmetric keys where KMS matches the encryption context as exact text (encryptionContextMatch: exact)", () => {
  let d: Deployment;
  before(async () => {
    d = await deploy({ behaviour: { encryptionContextMatch: "exact" } });
  });
  after(() => d.close());

  it("the provider, decrypt() and the CLI's flags all send one spelling, so any order of keys opens it", async () => {
    const inputs = { plaintext: "exact-context-value", keyId: "key-aes", encryptionContext: { stage: "prod", app: "billing" } };
    assert.equal((await d.stack.up("v", inputs)).op, "create");
    const o = d.stack.state.get("v")!.outputs;
    const env = applicationEnv(d.emulator, ACCESS_KEY);
    assert.equal((await decrypt(envelopeOfOutputs(o), { env })).toString(), inputs.plaintext);
    // The engine hands the provider map keys sorted; an application may give them in any order.
    const bare = { ciphertextBlob: String(o.ciphertextBlob), keyId: "key-aes", algorithm: "SYMMETRIC_DEFAULT" as const };
    assert.equal((await decrypt({ ...bare, encryptionContext: { stage: "prod", app: "billing" } }, { env })).toString(), inputs.plaintext);
  });
});
