import assert from "node:assert/strict";
import { createDecipheriv } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { envelopeOfOutputs } from "../../provider/toolkit";
import { decrypt } from "../../sdk/decrypt";
import { privateKeyFile } from "../kms-emulator/store/keys-dir";
import { call, officialClient } from "../support/kms-client";
import { opensslDecrypt } from "../support/openssl";
import { secretForms } from "../support/secret-forms";
import { ACCESS_KEY, deploy, type Deployment, encryptCalls } from "./fixtures";
import { applicationEnv } from "../support/application-env";

// envelope: true — any size, one KMS encryption (of the data key) per value, and an `envelope`
// output that decrypt() opens and that follows the README's format exactly (checked here by
// re-implementing the format from its documentation, with OpenSSL opening the data key).

type Props = Record<string, unknown>;

// A 2,4 KB PEM-like text and 64 KB of binary: both far over every RSA limit.
const pem = `-----BEGIN PRIVATE KEY-----\n${Buffer.alloc(1800, 0x5a).toString("base64").replace(/.{64}/g, "$&\n")}\n-----END PRIVATE KEY-----\n`;
const binary = Buffer.from(Array.from({ length: 65536 }, (_, i) => (i * 31 + 7) % 256));

describe("envelope encryption through the provider", () => {
  let d: Deployment;
  const outputs = (name: string) => d.stack.state.get(name)!.outputs;
  const env = () => applicationEnv(d.emulator, ACCESS_KEY);

  before(async () => {
    d = await deploy();
  });
  after(() => d.close());

  it("without envelope, an over-limit plaintext fails at preview naming the limit and envelope: true", async () => {
    d.emulator.resetStats();
    const step = await d.stack.preview("too-big", { plaintext: pem, keyId: "key-rsa2048" });
    assert.equal(step.op, "failed");
    const reason = step.failures.map((f) => f.reason).join("\n");
    assert.match(reason, /plaintext is \d+ bytes; RSA_2048 with RSAES_OAEP_SHA_256 encrypts at most 190\. Set envelope: true/);
    assert.ok(!reason.includes("BEGIN PRIVATE KEY"), "the plaintext is not in the message");
    assert.equal(encryptCalls(d.emulator), 0);
  });

  it("preview validates envelope values with one DryRun and encrypts nothing", async () => {
    d.emulator.resetStats();
    assert.deepEqual(await d.stack.preview("pem", { plaintext: pem, keyId: "key-rsa2048", envelope: true }), { op: "create", failures: [] });
    assert.equal(d.emulator.stats().dryRunCalls.AsymmetricEncrypt, 1);
    assert.equal(encryptCalls(d.emulator), 0);
  });

  const cases: Record<string, Props> = {
    pem: { plaintext: pem, keyId: "key-rsa2048" },
    "binary-3072-sha1": { plaintextBase64: binary.toString("base64"), keyId: "key-rsa3072", algorithm: "RSAES_OAEP_SHA_1" },
    "sm2-local": { plaintext: pem, keyId: "key-sm2", encryptLocally: true },
    certificate: { plaintext: pem, certificateId: "cert-rsa" },
    "certificate-sm2-local": { plaintextBase64: binary.toString("base64"), certificateId: "cert-sm2", encryptLocally: true },
  };
  const plaintextOf = (p: Props) => (typeof p.plaintext === "string" ? Buffer.from(p.plaintext) : Buffer.from(String(p.plaintextBase64), "base64"));

  it("up encrypts one data key per value and decrypt() opens every envelope", async () => {
    await d.nextCommand();
    d.emulator.resetStats();
    for (const [name, inputs] of Object.entries(cases)) {
      assert.equal((await d.stack.up(name, { ...inputs, envelope: true })).op, "create", name);
    }
    assert.equal(encryptCalls(d.emulator), 3, "KMS encrypted the three data keys not made locally, and nothing else");
    for (const [name, inputs] of Object.entries(cases)) {
      const o = outputs(name);
      assert.equal(typeof o.envelope, "string", name);
      assert.deepEqual(await decrypt(envelopeOfOutputs(o), { env: env() }), plaintextOf(inputs), name);
    }
    const state = JSON.stringify([...d.stack.state.values()]);
    assert.ok(!state.includes("BEGIN PRIVATE KEY") && !state.includes(Buffer.from(pem).toString("base64").slice(0, 40)), "no plaintext in state");
  });

  it("the envelope is the documented format: OpenSSL opens the data key, AES-256-GCM with the documented AAD the value", async () => {
    const o = outputs("pem");
    const json = JSON.parse(Buffer.from(envelopeOfOutputs(o), "base64").toString("utf8")) as Record<string, string> & { scope?: unknown };
    assert.deepEqual(Object.keys(json).sort(), ["algorithm", "cipher", "ciphertext", "encryptedDataKey", "iv", "keyId", "keyVersionId", "region", "scope", "tag", "v"]);
    assert.deepEqual(json.scope, { value: "pem" }, "the envelope names the value it was written for");
    assert.equal(json.keyId, "key-rsa2048");
    assert.equal(json.keyVersionId, o.keyVersionId);
    assert.equal(json.encryptedDataKey, o.ciphertextBlob, "ciphertextBlob is the encrypted data key");
    const tagged = opensslDecrypt(privateKeyFile(d.keysDir, o), json.algorithm!, json.encryptedDataKey!);
    assert.equal(tagged.length, 40);
    assert.equal(tagged.subarray(0, 8).toString("hex"), "0050414b4d53444b", "the data key's tag: \\0PAKMSDK");
    const dataKey = tagged.subarray(8);
    const everything = `${JSON.stringify([...d.stack.state.values()])}\n${d.transcript()}`;
    for (const form of secretForms(dataKey)) assert.equal(everything.includes(form), false, "the data key is in no state, response or log");
    assert.equal(json.v, 2);
    const aad = ["pulumi-alicloud-kms-encrypted/envelope/v2", json.keyId, json.keyVersionId, "", json.algorithm, json.region, "AES_256_GCM", json.encryptedDataKey,
      "scope=[\"pem\",null]"].join("\n");
    const decipher = createDecipheriv("aes-256-gcm", dataKey, Buffer.from(json.iv!, "base64"));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(json.tag!, "base64"));
    const plaintext = Buffer.concat([decipher.update(Buffer.from(json.ciphertext!, "base64")), decipher.final()]);
    assert.equal(plaintext.toString(), pem);
  });

  it("unchanged values stay; switching envelope on or off re-encrypts; a rotation re-encrypts the envelope", async () => {
    await d.nextCommand();
    d.emulator.resetStats();
    for (const [name, inputs] of Object.entries(cases)) {
      assert.equal((await d.stack.up(name, { ...inputs, envelope: true })).op, "same", name);
    }
    assert.equal(encryptCalls(d.emulator), 0);

    const small = { plaintext: "fits directly", keyId: "key-rotating" };
    assert.equal((await d.stack.up("toggle", small)).op, "create");
    const direct = JSON.parse(Buffer.from(envelopeOfOutputs(outputs("toggle")), "base64").toString()) as Props;
    assert.equal(direct.ciphertextBlob, outputs("toggle").ciphertextBlob, "without envelope: true, the envelope output is the direct form");
    assert.deepEqual(await decrypt(envelopeOfOutputs(outputs("toggle")), { env: env() }), Buffer.from(small.plaintext));
    assert.equal((await d.stack.up("toggle", { ...small, envelope: true })).op, "update");
    const before = envelopeOfOutputs(outputs("toggle"));
    assert.deepEqual(await decrypt(before, { env: env() }), Buffer.from(small.plaintext));

    const { KeyVersion } = await call(officialClient(d.emulator), "CreateKeyVersion", { KeyId: "key-rotating" });
    await d.nextCommand();
    assert.equal((await d.stack.up("toggle", { ...small, envelope: true })).op, "update");
    const rotated = JSON.parse(Buffer.from(envelopeOfOutputs(outputs("toggle")), "base64").toString()) as Props;
    assert.equal(rotated.keyVersionId, (KeyVersion as Props).KeyVersionId);
    assert.deepEqual(await decrypt(envelopeOfOutputs(outputs("toggle")), { env: env() }), Buffer.from(small.plaintext));

    assert.equal((await d.stack.up("toggle", small)).op, "update");
    const off = JSON.parse(Buffer.from(envelopeOfOutputs(outputs("toggle")), "base64").toString()) as Props;
    assert.equal(off.encryptedDataKey, undefined, "switched off: the direct form again");
    assert.deepEqual(await decrypt({ ciphertextBlob: String(outputs("toggle").ciphertextBlob), keyId: "key-rotating",
      keyVersionId: String(outputs("toggle").keyVersionId), algorithm: "RSAES_OAEP_SHA_256" }, { env: env() }), Buffer.from(small.plaintext));
  });
});
