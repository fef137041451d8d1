import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { envelopeOfOutputs } from "../../provider/toolkit";
import { decrypt, DecryptError } from "../../sdk/decrypt";
import { call, officialClient } from "../support/kms-client";
import { secretForms } from "../support/secret-forms";
import { applicationEnv } from "../support/application-env";
import { reencryptionReasons } from "../../provider/engine/target-state";
import { ACCESS_KEY, deploy, type Deployment, encryptCalls } from "./fixtures";

// Every KMS reader gets the secret itself. `kmsEncryptedPassword` on @pulumi/alicloud resources,
// alicloud.kms.getPlaintext, the aliyun CLI and every official SDK call Decrypt and take its
// Plaintext as it is: a symmetric value's ciphertext must hold the secret's own text, not base64
// of it. And decrypt() opens what any of them wrote. (The emulator's Encrypt treats Plaintext as
// an opaque string, as KMS does: test/kms-emulator/symmetric.test.ts.)

type Props = Record<string, unknown>;
const decode = (envelope: unknown) => JSON.parse(Buffer.from(String(envelope), "base64").toString()) as Props;
const encode = (json: Props) => Buffer.from(JSON.stringify(json)).toString("base64");

describe("symmetric values as every KMS reader sees them", () => {
  let d: Deployment;
  const env = () => applicationEnv(d.emulator, ACCESS_KEY);
  const kms = () => officialClient(d.emulator);
  const outputs = (name: string) => d.stack.state.get(name)!.outputs;
  const context = { app: "billing", stage: "prod" };
  const password = "YourPassword1234!";

  before(async () => {
    d = await deploy();
  });
  after(() => d.close());

  it("Decrypt through the official SDK, as kmsEncryptedPassword calls it, returns exactly the password", async () => {
    assert.equal((await d.stack.up("password", { plaintext: password, keyId: "alias/symmetric", encryptionContext: context })).op, "create");
    const o = outputs("password");
    assert.equal(o.plaintextEncoding, "text");
    assert.equal(decode(envelopeOfOutputs(o)).plaintextEncoding, "text");
    // What the alicloud provider sends: the ciphertextBlob output and the context as JSON.
    const opened = await call(kms(), "Decrypt", { CiphertextBlob: String(o.ciphertextBlob), EncryptionContext: JSON.stringify(o.encryptionContext) });
    assert.equal(opened.Plaintext, password);
    // Unicode, and text that also reads as base64, come back as they went in.
    for (const [name, text] of [["unicode", "密码-ünï-🔑"], ["looks-base64", "YWJjZA=="]] as const) {
      await d.stack.up(name, { plaintext: text, keyId: "key-sm4" });
      assert.equal((await call(kms(), "Decrypt", { CiphertextBlob: String(outputs(name).ciphertextBlob) })).Plaintext, text, name);
      assert.equal((await decrypt(envelopeOfOutputs(outputs(name)), { env: env() })).toString("utf8"), text, name);
    }
  });

  it("plaintextBase64 goes as its bytes' text when they are UTF-8, and is refused at preview, naming envelope: true, when not", async () => {
    const asText = { plaintextBase64: Buffer.from("from-base64 ✓").toString("base64"), keyId: "key-aes" };
    await d.stack.up("b64-text", asText);
    assert.equal((await call(kms(), "Decrypt", { CiphertextBlob: String(outputs("b64-text").ciphertextBlob) })).Plaintext, "from-base64 ✓");

    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x41]);
    d.emulator.resetStats();
    const refused = await d.stack.preview("binary", { plaintextBase64: binary.toString("base64"), keyId: "key-aes" });
    assert.equal(refused.op, "failed");
    const reason = refused.failures.map((f) => f.reason).join("\n");
    assert.match(reason, /plaintextBase64 is not UTF-8 text: a symmetric key's Encrypt takes a value as text.*Set envelope: true for binary data/);
    assert.equal(encryptCalls(d.emulator), 0);
    // With envelope encryption, any bytes (the data key goes to KMS as base64, the Encryption SDK's way).
    await d.stack.up("binary", { plaintextBase64: binary.toString("base64"), keyId: "key-aes", envelope: true });
    assert.equal(outputs("binary").plaintextEncoding, "base64");
    assert.deepEqual(await decrypt(envelopeOfOutputs(outputs("binary")), { env: env() }), binary);
  });

  it("decrypt() and the CLI's input open a ciphertext an official SDK made from \"example\" as \"example\"", async () => {
    const made = await call(kms(), "Encrypt", { KeyId: "key-aes", Plaintext: "example", EncryptionContext: JSON.stringify({ team: "ops" }) });
    const bare = {
      ciphertextBlob: String(made.CiphertextBlob), keyId: "key-aes", algorithm: "SYMMETRIC_DEFAULT" as const,
      region: d.emulator.region, encryptionContext: { team: "ops" },
    };
    assert.equal((await decrypt(bare, { env: env() })).toString("utf8"), "example");
    // base64 only when asked for, and then only strict base64: never silently wrong bytes.
    await assert.rejects(decrypt({ ...bare, plaintextEncoding: "base64" }, { env: env() }),
      (e: DecryptError) => e.code === "PlaintextEncoding" && /not base64, though base64 was asked for/.test(e.message) && !e.message.includes("example"));
    const b64 = await call(kms(), "Encrypt", { KeyId: "key-aes", Plaintext: Buffer.from([1, 2, 3, 250]).toString("base64") });
    assert.deepEqual(await decrypt({ ...bare, ciphertextBlob: String(b64.CiphertextBlob), encryptionContext: undefined, plaintextEncoding: "base64" }, { env: env() }),
      Buffer.from([1, 2, 3, 250]));
    await assert.rejects(decrypt({ ...bare, plaintextEncoding: "hex" as never }, { env: env() }),
      (e: DecryptError) => e.code === "EnvelopeFormat" && /plaintextEncoding: 'hex' is not "text" or "base64"/.test(e.message));
  });

  it("a value stored by 0.1 (base64 sent to Encrypt) is re-encrypted once, the preview says why, and its old envelope still opens", async () => {
    const secret = "legacy-secret-0.1";
    await d.stack.up("legacy", { plaintext: secret, keyId: "key-aes", encryptionContext: context });
    // State as 0.1 wrote it: Encrypt given base64, no plaintextEncoding anywhere.
    const state = d.stack.state.get("legacy")!;
    const old = await call(kms(), "Encrypt", {
      KeyId: "key-aes", Plaintext: Buffer.from(secret).toString("base64"), EncryptionContext: JSON.stringify(context),
    });
    const { plaintextEncoding: _dropped, ...json } = decode(envelopeOfOutputs(state.outputs));
    const legacyEnvelope = encode({ ...json, ciphertextBlob: old.CiphertextBlob });
    const { plaintextEncoding: _output, ...outs } = state.outputs;
    d.stack.state.set("legacy", { ...state, outputs: { ...outs, ciphertextBlob: old.CiphertextBlob, envelope: legacyEnvelope } });
    assert.equal((await decrypt(legacyEnvelope, { env: env() })).toString(), secret, "0.1's envelopes open as before");

    await d.nextCommand();
    assert.equal((await d.stack.preview("legacy", { plaintext: secret, keyId: "key-aes", encryptionContext: context })).op, "update");
    // What diff tells the engine's log (the real CLI's preview shows it: test/e2e/symmetric.test.ts).
    const legacy = d.stack.state.get("legacy")!;
    assert.deepEqual(reencryptionReasons(legacy.outputs, legacy.inputs, legacy.outputs.envelope, () => []),
      ["its ciphertext holds base64 of the plaintext (written before 0.2); re-encrypted once so that KMS's Decrypt, for every client, returns the text itself"]);
    d.emulator.resetStats();
    assert.equal((await d.stack.up("legacy", { plaintext: secret, keyId: "key-aes", encryptionContext: context })).op, "update");
    assert.equal(encryptCalls(d.emulator), 1);
    const now = outputs("legacy");
    assert.equal(now.plaintextEncoding, "text");
    assert.equal((await call(kms(), "Decrypt", { CiphertextBlob: String(now.ciphertextBlob), EncryptionContext: JSON.stringify(context) })).Plaintext, secret);
    for (let i = 0; i < 2; i++) {
      await d.nextCommand();
      assert.equal((await d.stack.up("legacy", { plaintext: secret, keyId: "key-aes", encryptionContext: context })).op, "same", "once, not at every up");
    }
    // An asymmetric value of 0.1 has nothing to move: AsymmetricEncrypt always took base64. (Its state,
    // untagged, re-encrypts once all the same: test/provider/state-integrity.test.ts.)
    await d.stack.up("rsa", { plaintext: "rsa-value", keyId: "key-rsa2048" });
    const rsa = d.stack.state.get("rsa")!;
    const { plaintextEncoding: _rsaOutput, ...rsaOuts } = rsa.outputs;
    assert.deepEqual(reencryptionReasons(rsaOuts, rsa.inputs, envelopeOfOutputs(rsaOuts), () => []), []);
  });

  it("EncryptedValues under a symmetric key: every entry's ciphertext Decrypts to its text, and a 0.1 map re-encrypts once", async () => {
    const plaintexts = { db: "db-password-1", api: "api-token-2" };
    await d.values.up("map", { plaintexts, keyId: "key-sm4", encryptionContext: { app: "map" } });
    const o = d.values.state.get("map")!.outputs;
    assert.equal(o.plaintextEncoding, "text");
    for (const [entry, text] of Object.entries(plaintexts)) {
      const blob = (o.ciphertexts as Record<string, string>)[entry]!;
      assert.equal((await call(kms(), "Decrypt", { CiphertextBlob: blob, EncryptionContext: "{\"app\":\"map\"}" })).Plaintext, text, entry);
    }
    const state = d.values.state.get("map")!;
    const { plaintextEncoding: _dropped, ...outs } = state.outputs;
    d.values.state.set("map", { ...state, outputs: outs });
    await d.nextCommand();
    d.emulator.resetStats();
    assert.equal((await d.values.up("map", { plaintexts, keyId: "key-sm4", encryptionContext: { app: "map" } })).op, "update");
    assert.equal(encryptCalls(d.emulator), 2, "every entry, once");
    await d.nextCommand();
    assert.equal((await d.values.up("map", { plaintexts, keyId: "key-sm4", encryptionContext: { app: "map" } })).op, "same");
  });

  it("no plaintext in base64 or any other form in state or any response", () => {
    const everything = [d.transcript(), JSON.stringify([...d.stack.state.values(), ...d.values.state.values()])].join("\n");
    for (const plaintext of [password, "legacy-secret-0.1", "db-password-1", "api-token-2", "from-base64 ✓"]) {
      for (const form of secretForms(Buffer.from(plaintext))) assert.equal(everything.includes(form), false, "a plaintext was found");
    }
  });
});
