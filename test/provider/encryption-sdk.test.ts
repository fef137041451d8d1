import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { decrypt, DecryptError, type OpenedBy } from "../../sdk/decrypt";
import { entryMaps } from "../../sdk/encrypted-values";
import type { TargetOutputs } from "../../provider/toolkit";
import { type KmsEmulator, startKmsEmulator } from "../kms-emulator";
import { call, officialClient } from "../support/kms-client";
import { officialPython, runPython } from "../support/python-env";
import { cli } from "../support/cli-process";
import { secretForms } from "../support/secret-forms";
import { applicationEnv } from "../support/application-env";
import { ACCESS_KEY, deploy, type Deployment, encryptCalls } from "./fixtures";

// envelopeFormat "encryption-sdk": the envelope output is Alibaba Cloud's Encryption SDK message,
// checked against the SDK's own code (PyPI bestv-aliyun-encryption-sdk 0.1.2, the modules of
// alibabacloud-encryption-sdk-python) in both directions, with two symmetric keys in two regions
// (two emulators) and an encryption context: the SDK opens what the provider writes, decrypt()
// opens what the SDK writes, and either opens with one region's key disabled.

type Props = Record<string, unknown>;
type SdkAnswer = { message?: string; plaintext?: string; context?: Record<string, string>; error?: string };

describe("Alibaba's Encryption SDK message, both ways, two regions", () => {
  let d: Deployment;
  let shanghai: KmsEmulator;
  let python: string;
  let arns: { hz: string; sh: string };
  const context = { app: "billing", tenant: "acme" };
  const seen: string[] = [];
  const outputs = (name: string) => d.stack.state.get(name)!.outputs;
  const endpoints = () => ({ [d.emulator.region]: d.emulator.host, "cn-shanghai": shanghai.host });
  const env = (region?: string) => ({
    ...applicationEnv(d.emulator, ACCESS_KEY),
    ...(region ? { ALIBABA_CLOUD_REGION_ID: region } : {}),
    ALIBABA_CLOUD_KMS_ENDPOINTS: JSON.stringify({ "cn-shanghai": shanghai.endpoint }),
  });
  const sdk = (request: Props) => runPython<SdkAnswer>(python, "encryption_sdk.py", {
    endpoints: endpoints(), accessKeyId: ACCESS_KEY.accessKeyId, accessKeySecret: ACCESS_KEY.accessKeySecret, ...request,
  });
  const secret = (label: string) => {
    const value = `${label}-${Math.random().toString(36).slice(2)}-sdk ✓`;
    seen.push(value);
    return value;
  };
  const arnOf = async (e: KmsEmulator, keyId: string) =>
    String(((await call(officialClient(e), "DescribeKey", { KeyId: keyId })).KeyMetadata as Props).Arn);

  before(async () => {
    shanghai = await startKmsEmulator({ region: "cn-shanghai", seed: {
      accessKeys: [ACCESS_KEY], keys: [{ keyId: "key-sh", keySpec: "Aliyun_SM4", keyUsage: "ENCRYPT/DECRYPT" }], certificates: [],
    } });
    d = await deploy({ config: { "alicloud-kms:endpoints": JSON.stringify({ "cn-shanghai": shanghai.endpoint }) } });
    python = await officialPython();
    arns = { hz: await arnOf(d.emulator, "key-aes"), sh: await arnOf(shanghai, "key-sh") };
  });
  after(async () => {
    await d.close();
    await shanghai.close();
  });

  it("the provider writes it: preview DryRuns each key; the SDK opens it with either key, and decrypt() too", async () => {
    const inputs = {
      plaintext: secret("ours"), envelopeFormat: "encryption-sdk",
      recipients: [{ keyId: "alias/symmetric", encryptionContext: context }, { keyId: arns.sh, encryptionContext: context }],
    };
    d.emulator.resetStats();
    shanghai.resetStats();
    assert.deepEqual(await d.stack.preview("ours", inputs), { op: "create", failures: [] });
    assert.equal(d.emulator.stats().dryRunCalls.Encrypt, 1);
    assert.equal(shanghai.stats().dryRunCalls.Encrypt, 1);
    assert.equal(encryptCalls(d.emulator), 0);
    assert.equal((await d.stack.up("ours", inputs)).op, "create");
    const o = outputs("ours");
    assert.equal(o.envelopeFormat, "encryption-sdk");
    assert.equal(Buffer.from(String(o.envelope), "base64")[0], 0x30, "a DER SEQUENCE, not our JSON");

    for (const keys of [[arns.hz, arns.sh], [arns.sh], [arns.hz]]) {
      const opened = await sdk({ op: "decrypt", arns: keys, message: o.envelope });
      assert.equal(opened.error, undefined, opened.error);
      assert.equal(Buffer.from(opened.plaintext!, "base64").toString("utf8"), inputs.plaintext, keys.join(" "));
      assert.deepEqual(opened.context, context);
    }
    assert.equal((await decrypt(String(o.envelope), { env: env() })).toString("utf8"), inputs.plaintext);
    // ciphertextBlob is the data key the message lists first: Decrypt gives its base64 text.
    const first = await call(officialClient(d.emulator), "Decrypt", { CiphertextBlob: String(o.ciphertextBlob), EncryptionContext: JSON.stringify(context) })
      .catch(async () => call(officialClient(shanghai), "Decrypt", { CiphertextBlob: String(o.ciphertextBlob), EncryptionContext: JSON.stringify(context) }));
    assert.equal(Buffer.from(String(first.Plaintext), "base64").length, 32);

    // Either region's key alone opens it.
    await call(officialClient(d.emulator), "DisableKey", { KeyId: "key-aes" });
    try {
      let opened: OpenedBy | undefined;
      assert.equal((await decrypt(String(o.envelope), { env: env(), onOpened: (w) => (opened = w) })).toString("utf8"), inputs.plaintext);
      assert.equal(opened?.keyId, "key-sh");
      assert.equal((await sdk({ op: "decrypt", arns: [arns.hz, arns.sh], message: o.envelope })).error, undefined);
    } finally {
      await call(officialClient(d.emulator), "EnableKey", { KeyId: "key-aes" });
    }
    await d.nextCommand();
    assert.equal((await d.stack.up("ours", inputs)).op, "same", "an unchanged value stays");
  });

  it("the SDK writes it: decrypt() opens it, with either region's key, and refuses an altered one", async () => {
    const plaintext = secret("theirs");
    const made = await sdk({ op: "encrypt", arns: [arns.hz, arns.sh], context, plaintext: Buffer.from(plaintext).toString("base64") });
    assert.equal(made.error, undefined, made.error);
    const message = made.message!;
    assert.equal((await decrypt(message, { env: env() })).toString("utf8"), plaintext);
    let opened: OpenedBy | undefined;
    assert.equal((await decrypt(message, { env: env("cn-shanghai"), onOpened: (w) => (opened = w) })).toString("utf8"), plaintext);
    assert.equal(opened?.keyId, "key-sh", "the application's own region first");
    await assert.rejects(decrypt(message, { env: env(), allowedKeys: ["key-other"] }), (e: DecryptError) => e.code === "NotAllowed");

    // Two CMKs of one region: the SDK wraps for the second with ReEncrypt; either opens it.
    const sm4 = await arnOf(d.emulator, "key-sm4");
    const sameRegion = await sdk({ op: "encrypt", arns: [arns.hz, sm4], context, plaintext: Buffer.from(plaintext).toString("base64") });
    assert.equal(sameRegion.error, undefined, sameRegion.error);
    assert.equal((await decrypt(sameRegion.message!, { env: env(), allowedKeys: ["key-sm4"] })).toString("utf8"), plaintext);
    assert.equal(Buffer.from((await sdk({ op: "decrypt", arns: [sm4], message: sameRegion.message })).plaintext!, "base64").toString("utf8"), plaintext);

    const bytes = Buffer.from(message, "base64");
    const tampered = Buffer.from(bytes);
    tampered[tampered.length - 20]! ^= 1; // inside the body's ciphertext or tag
    await assert.rejects(decrypt(tampered.toString("base64"), { env: env() }),
      (e: DecryptError) => e.code === "EnvelopeIntegrity" && /Encryption SDK message/.test(e.message));
    // Cut short: an envelope that does not authenticate (readers.md's EnvelopeIntegrity), said so.
    await assert.rejects(decrypt(bytes.subarray(0, bytes.length - 3).toString("base64"), { env: env() }),
      (e: DecryptError) => e.code === "EnvelopeIntegrity" && /Encryption SDK message: .*cut short/.test(e.message));
  });

  it("the CLI writes it with --format encryption-sdk and reads what the SDK wrote", async () => {
    const cliEnv = env();
    const plaintext = secret("cli");
    const enc = await cli(["encrypt", "--format", "encryption-sdk", "--key-id", arns.hz, "--key-id", arns.sh,
      "--encryption-context", "app=billing", "--encryption-context", "tenant=acme"], cliEnv, Buffer.from(plaintext));
    assert.equal(enc.code, 0, enc.stderr);
    const opened = await sdk({ op: "decrypt", arns: [arns.sh], message: enc.stdout.toString().trim() });
    assert.equal(Buffer.from(opened.plaintext!, "base64").toString("utf8"), plaintext);
    assert.deepEqual(opened.context, context);
    const made = await sdk({ op: "encrypt", arns: [arns.hz], context, plaintext: Buffer.from(plaintext).toString("base64") });
    const dec = await cli(["decrypt"], cliEnv, Buffer.from(made.message!));
    assert.equal(dec.code, 0, dec.stderr);
    assert.equal(dec.stdout.toString("utf8"), plaintext);
    const refused = await cli(["encrypt", "--format", "encryption-sdk", "--key-id", "key-rsa2048"], cliEnv, Buffer.from("x"));
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--format encryption-sdk carries symmetric keys only/);
    const wrong = await cli(["encrypt", "--format", "sdk", "--key-id", "key-aes"], cliEnv, Buffer.from("x"));
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /--format 'sdk' is not native or encryption-sdk/);
  });

  it("EncryptedValues in the SDK's format: the SDK opens every entry", async () => {
    const plaintexts = { db: secret("db"), token: secret("token") };
    const inputs = { plaintexts, keyId: "key-sm4", encryptionContext: context, envelopeFormat: "encryption-sdk" };
    assert.equal((await d.values.up("map", inputs)).op, "create");
    const o = d.values.state.get("map")!.outputs;
    type Stored = Record<string, string> | undefined;
    const maps = entryMaps(o.ciphertexts as Stored, o.envelopes as Stored, o as unknown as TargetOutputs);
    const sm4 = await arnOf(d.emulator, "key-sm4");
    for (const [entry, text] of Object.entries(plaintexts)) {
      const opened = await sdk({ op: "decrypt", arns: [sm4], message: maps.envelopes[entry] });
      assert.equal(Buffer.from(opened.plaintext!, "base64").toString("utf8"), text, entry);
    }
  });

  it("refused at preview, naming the input: asymmetric keys and certificates, two contexts, envelope: false", async () => {
    const reasons = async (inputs: Props) => (await d.stack.preview("refused", { plaintext: "x", envelopeFormat: "encryption-sdk", ...inputs }))
      .failures.map((f) => `${f.property}: ${f.reason}`).join("\n");
    assert.match(await reasons({ keyId: "key-rsa2048" }), /keyId is a RSA_2048 key: envelopeFormat "encryption-sdk" carries symmetric keys only/);
    assert.match(await reasons({ recipients: [{ keyId: "key-aes" }, { certificateId: "cert-rsa" }] }),
      /recipients\[1\]\.certificateId is a certificate: envelopeFormat "encryption-sdk" carries symmetric keys only/);
    assert.match(await reasons({ recipients: [{ keyId: "key-aes", encryptionContext: { a: "1" } }, { keyId: "key-sm4", encryptionContext: { a: "2" } }] }),
      /binds one encryption context to the whole message; give every recipient the same encryptionContext/);
    assert.match(await reasons({ keyId: "key-aes", envelope: false }), /envelope: envelopeFormat "encryption-sdk" is envelope encryption; remove envelope: false/);
    assert.match(await reasons({ keyId: "key-aes", envelopeFormat: "sdk" }), /envelopeFormat 'sdk' is not valid; use "native"/);
  });

  it("no plaintext in any form in state or any response", () => {
    const everything = [d.transcript(), JSON.stringify([...d.stack.state.values(), ...d.values.state.values()])].join("\n");
    for (const plaintext of seen) {
      for (const form of secretForms(Buffer.from(plaintext))) assert.equal(everything.includes(form), false, "a plaintext was found");
    }
  });
});
