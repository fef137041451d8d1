import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { decrypt, type OpenedBy } from "../../sdk/decrypt";
import { type KmsEmulator, startKmsEmulator } from "../kms-emulator";
import { call, officialClient } from "../support/kms-client";
import { secretForms } from "../support/secret-forms";
import { applicationEnv } from "../support/application-env";
import { ACCESS_KEY, deploy, type Deployment, encryptCalls } from "./fixtures";
import { reencryptionReasons } from "../../provider/engine/target-state";
import { entryMaps } from "../../sdk/encrypted-values";
import type { StoredMap, TargetOutputs } from "../../provider/toolkit";

// EncryptedValue with recipients through the dynamic provider host, against two regions of the
// emulator (cn-hangzhou, the fixtures'; cn-shanghai, a second emulator reached through
// alicloud-kms:endpoints): preview validates every recipient in its own region; up wraps one data
// key for each; decrypt() opens with whichever works, its own region's first; a rotation, a
// staleness or a change of recipients re-encrypts, and nothing else does.

type Props = Record<string, unknown>;
const decode = (envelope: unknown) => JSON.parse(Buffer.from(String(envelope), "base64").toString()) as Props;

describe("recipients in two regions through the provider", () => {
  let d: Deployment;
  let shanghai: KmsEmulator;
  const seen: string[] = [];
  const outputs = (name: string) => d.stack.state.get(name)!.outputs;
  const env = (region?: string) => ({
    ...applicationEnv(d.emulator, ACCESS_KEY),
    ...(region ? { ALIBABA_CLOUD_REGION_ID: region } : {}),
    ALIBABA_CLOUD_KMS_ENDPOINTS: JSON.stringify({ "cn-shanghai": shanghai.endpoint }),
  });
  const shanghaiKey = "acs:kms:cn-shanghai:1234567890123456:key/key-sh";
  let inputs: Props;

  before(async () => {
    shanghai = await startKmsEmulator({ region: "cn-shanghai", seed: {
      accessKeys: [ACCESS_KEY], keys: [{ keyId: "key-sh", keySpec: "Aliyun_SM4", keyUsage: "ENCRYPT/DECRYPT" }], certificates: [],
    } });
    d = await deploy({ config: { "alicloud-kms:endpoints": JSON.stringify({ "cn-shanghai": shanghai.endpoint }) } });
    const plaintext = `two-region-secret-${Math.random().toString(36).slice(2)}`;
    seen.push(plaintext);
    inputs = { plaintext, recipients: [{ keyId: "alias/app" }, { keyId: shanghaiKey, encryptionContext: { app: "dr" } }] };
  });
  after(async () => {
    await d.close();
    await shanghai.close();
  });

  it("preview validates each recipient in its region with its DryRun, and encrypts nothing", async () => {
    d.emulator.resetStats();
    shanghai.resetStats();
    assert.deepEqual(await d.stack.preview("dr", inputs), { op: "create", failures: [] });
    assert.equal(d.emulator.stats().dryRunCalls.AsymmetricEncrypt, 1);
    assert.equal(shanghai.stats().dryRunCalls.Encrypt, 1);
    assert.equal(encryptCalls(d.emulator) + (shanghai.stats().calls.Encrypt ?? 0) - 1, 0);
  });

  it("up wraps one data key for each recipient; decrypt() opens with either, its own region's first", async () => {
    await d.nextCommand();
    assert.equal((await d.stack.up("dr", inputs)).op, "create");
    const o = outputs("dr");
    assert.equal(o.keyId, "key-rsa2048", "the target outputs describe the first recipient");
    const recipients = o.recipients as Props[];
    assert.deepEqual(recipients.map((r) => [r.keyId, r.region, r.algorithm]),
      [["key-rsa2048", "cn-hangzhou", "RSAES_OAEP_SHA_256"], ["key-sh", "cn-shanghai", "SYMMETRIC_DEFAULT"]]);
    const envelope = decode(o.envelope);
    assert.equal(envelope.v, 3);
    assert.equal((envelope.recipients as Props[])[0]!.encryptedDataKey, o.ciphertextBlob);

    const opened: OpenedBy[] = [];
    const open = (region: string) => decrypt(String(o.envelope), { env: env(region), onOpened: (x) => opened.push(x) });
    assert.equal((await open("cn-hangzhou")).toString(), inputs.plaintext);
    assert.equal((await open("cn-shanghai")).toString(), inputs.plaintext);
    assert.deepEqual(opened.map((x) => [x.keyId, x.region, x.failed.length]), [["key-rsa2048", "cn-hangzhou", 0], ["key-sh", "cn-shanghai", 0]]);

    await call(officialClient(d.emulator), "DisableKey", { KeyId: "key-rsa2048" });
    try {
      opened.length = 0;
      assert.equal((await open("cn-hangzhou")).toString(), inputs.plaintext, "the first region's key disabled, the second opens it");
      assert.equal(opened[0]!.keyId, "key-sh");
      assert.deepEqual(opened[0]!.failed.map((f) => [f.keyId, f.region]), [["key-rsa2048", "cn-hangzhou"]]);
      assert.match(opened[0]!.failed[0]!.reason, /Rejected\.Disabled/);
      await assert.rejects(decrypt(String(o.envelope), { env: env(), allowedRegions: ["cn-hangzhou"] }), /no recipient could open the envelope: key key-rsa2048 in cn-hangzhou: .*Rejected\.Disabled/);
    } finally {
      await call(officialClient(d.emulator), "EnableKey", { KeyId: "key-rsa2048" });
    }
  });

  it("unchanged stays; the second recipient's new key version re-encrypts; adding and removing one re-encrypts", async () => {
    await d.nextCommand();
    assert.equal((await d.stack.up("dr", inputs)).op, "same");
    const { KeyVersion } = await call(officialClient(shanghai), "CreateKeyVersion", { KeyId: "key-sh" });
    await d.nextCommand();
    d.emulator.resetStats();
    const step = await d.stack.up("dr", inputs);
    assert.equal(step.op, "update");
    assert.equal((outputs("dr").recipients as Props[])[1]!.keyVersionId, (KeyVersion as Props).KeyVersionId);
    assert.equal(encryptCalls(d.emulator), 1, "one wrap in cn-hangzhou");

    const three = { ...inputs, recipients: [...(inputs.recipients as Props[]), { certificateId: "cert-rsa" }] };
    assert.equal((await d.stack.up("dr", three)).op, "update");
    assert.equal((decode(outputs("dr").envelope).recipients as Props[]).length, 3);
    assert.equal((await d.stack.up("dr", inputs)).op, "update");
    assert.equal((decode(outputs("dr").envelope).recipients as Props[]).length, 2);
    assert.equal((await decrypt(String(outputs("dr").envelope), { env: env("cn-shanghai") })).toString(), inputs.plaintext);
  });

  it("the reasons the engine's log gives, recipient by recipient", () => {
    const r = (keyId: string, keyVersionId: string, region: string) => ({ keyId, keyVersionId, certificateId: "", algorithm: "RSAES_OAEP_SHA_256", region, encryptionContext: {} });
    const base = { keyId: "k1", keyVersionId: "v1", algorithm: "RSAES_OAEP_SHA_256", changeDetection: "digest", envelopeEncryption: true };
    const olds = { ...base, envelope: outputs("dr").envelope, recipients: [r("k1", "v1", "cn-hangzhou"), r("k2", "v2", "cn-shanghai")] };
    const reasons = (recipients: Props[]) => reencryptionReasons(olds, { ...base, recipients }, olds.envelope, () => []);
    assert.deepEqual(reasons(olds.recipients), []);
    assert.deepEqual(reasons([r("k1", "v1", "cn-hangzhou"), r("k2", "v3", "cn-shanghai")]), ["recipients[1] (key k2 in cn-shanghai): the key version changed (v2 → v3)"]);
    assert.deepEqual(reasons([r("k1", "v1", "cn-hangzhou")]), ["the recipients changed (key k1 in cn-hangzhou, key k2 in cn-shanghai → key k1 in cn-hangzhou)"]);
    assert.deepEqual(reasons([{ ...r("k1", "v1", "cn-hangzhou") }, { ...r("k2", "v2", "cn-shanghai"), encryptionContext: { app: "x" } }]),
      ["recipients[1] (key k2 in cn-shanghai): the encryption context changed"]);
  });

  it("refresh reports a recipient that can no longer decrypt", async () => {
    await call(officialClient(shanghai), "DisableKey", { KeyId: "key-sh" });
    try {
      assert.match(String((await d.stack.refresh("dr")).staleReason), /^recipients\[1\]: key key-sh is Disabled/);
    } finally {
      await call(officialClient(shanghai), "EnableKey", { KeyId: "key-sh" });
    }
    assert.equal((await d.stack.up("dr", inputs)).op, "update", "the next up re-encrypts");
  });

  it("EncryptedValues with recipients: every entry opens with either key; one changed entry is rewrapped alone", async () => {
    const plaintexts = { db: `db-${Math.random().toString(36).slice(2)}`, token: `token-${Math.random().toString(36).slice(2)}` };
    seen.push(...Object.values(plaintexts));
    const program = { plaintexts, recipients: inputs.recipients };
    assert.equal((await d.values.up("dr-map", program)).op, "create");
    const stored = () => d.values.state.get("dr-map")!.outputs;
    const maps = () => {
      const o = stored();
      return entryMaps(o.ciphertexts as StoredMap, o.envelopes as StoredMap, o as unknown as TargetOutputs);
    };
    const first = maps();
    assert.equal(stored().ciphertexts, "", "state keeps the envelopes alone");
    assert.deepEqual((stored().recipients as Props[]).map((r) => r.keyId), ["key-rsa2048", "key-sh"]);
    for (const [entry, envelope] of Object.entries(first.envelopes)) {
      assert.equal(decode(envelope).v, 3);
      assert.equal(first.ciphertexts[entry], (decode(envelope).recipients as Props[])[0]!.encryptedDataKey);
    }
    await call(officialClient(d.emulator), "DisableKey", { KeyId: "key-rsa2048" });
    try {
      for (const [entry, plaintext] of Object.entries(plaintexts)) {
        assert.equal((await decrypt(first.envelopes[entry]!, { env: env("cn-hangzhou") })).toString(), plaintext, entry);
      }
    } finally {
      await call(officialClient(d.emulator), "EnableKey", { KeyId: "key-rsa2048" });
    }
    const changed = { ...plaintexts, token: `token-${Math.random().toString(36).slice(2)}` };
    seen.push(changed.token);
    d.emulator.resetStats();
    shanghai.resetStats();
    assert.equal((await d.values.up("dr-map", { ...program, plaintexts: changed })).op, "update");
    assert.equal(encryptCalls(d.emulator), 1);
    assert.equal((shanghai.stats().calls.Encrypt ?? 0) - (shanghai.stats().dryRunCalls.Encrypt ?? 0), 1);
    const second = maps();
    assert.equal(second.envelopes.db, first.envelopes.db, "the unchanged entry keeps its envelope byte for byte");
    assert.equal((await decrypt(second.envelopes.token!, { env: env("cn-shanghai") })).toString(), changed.token);
  });

  it("bad recipients are named by position, at preview", async () => {
    const cases: [Props, RegExp, string][] = [
      [{ plaintext: "a", keyId: "key-rsa2048", recipients: [{ keyId: "key-rsa2048" }] }, /recipients replaces keyId; give each recipient its own/, "keyId"],
      [{ plaintext: "a", recipients: [{ keyId: "key-rsa2048" }, { keyId: "alias/app" }] }, /recipients\[1\] is the same key or certificate as recipients\[0\]/, "recipients[1]"],
      [{ plaintext: "a", recipients: [{ keyId: "key-rsa2048" }, { keyId: "acs:kms:cn-shanghai:1234567890123456:key/key-nope" }] }, /Forbidden\.KeyNotFound/, "recipients[1].keyId"],
      [{ plaintext: "a", recipients: [{ keyId: "key-rsa2048" }], envelope: false }, /recipients share one data key, so they are envelope encryption; remove envelope: false/, "envelope"],
      [{ plaintext: "a", recipients: [{ keyId: "key-rsa2048", colour: "blue" }] }, /recipients\[0\] does not take colour/, "recipients[0].colour"],
      [{ plaintext: "a", recipients: [] }, /recipients must be a list of 1 to 8 recipients/, "recipients"],
    ];
    for (const [program, reason, property] of cases) {
      const step = await d.stack.preview("bad", program);
      assert.ok(step.op === "failed", JSON.stringify(program));
      const match = step.failures.find((f) => reason.test(f.reason));
      assert.ok(match, `${reason}: ${JSON.stringify(step.failures)}`);
      assert.equal(match.property, property);
    }
  });

  it("no plaintext in any form in any response, state or output", () => {
    const everything = [d.transcript(), JSON.stringify([...d.stack.state.values(), ...d.values.state.values()])].join("\n");
    for (const plaintext of seen) {
      for (const form of secretForms(Buffer.from(plaintext))) assert.equal(everything.includes(form), false, "a plaintext was found");
    }
  });
});
