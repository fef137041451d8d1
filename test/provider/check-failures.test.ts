import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DynamicProviderHost } from "../support/dynamic-provider-host";
import { Stack } from "../support/engine-steps";
import { deploy, type Deployment, encryptCalls, stackConfig } from "./fixtures";

// Bad input fails at check time (so at preview), each failure naming the property and the fix.
// Failures about the plaintext carry an empty property on purpose (the engine prints a named
// property's value), so their reason starts with the property's name instead.

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
type Props = Record<string, unknown>;

const cases: { name: string; inputs: Props; property: string; reason: RegExp }[] = [
  { name: "both plaintext and plaintextBase64", inputs: { plaintext: "a", plaintextBase64: "YQ==", keyId: "key-rsa2048" }, property: "", reason: /plaintext and plaintextBase64 are both set; set exactly one/ },
  { name: "neither plaintext nor plaintextBase64", inputs: { keyId: "key-rsa2048" }, property: "", reason: /neither plaintext nor plaintextBase64 is set/ },
  { name: "both keyId and certificateId", inputs: { plaintext: "a", keyId: "key-rsa2048", certificateId: "cert-rsa" }, property: "certificateId", reason: /keyId and certificateId are both set; set exactly one/ },
  { name: "neither keyId nor certificateId", inputs: { plaintext: "a" }, property: "keyId", reason: /neither keyId nor certificateId is set/ },
  { name: "invalid base64", inputs: { plaintextBase64: "not base64!", keyId: "key-rsa2048" }, property: "", reason: /^plaintextBase64 is not valid base64/ },
  { name: "an unsupported algorithm", inputs: { plaintext: "a", keyId: "key-rsa2048", algorithm: "RSAES_PKCS1_V1_5" }, property: "algorithm", reason: /algorithm 'RSAES_PKCS1_V1_5' is not supported/ },
  { name: "SM2PKE on an RSA key", inputs: { plaintext: "a", keyId: "key-rsa2048", algorithm: "SM2PKE" }, property: "algorithm", reason: /SM2PKE does not fit key spec RSA_2048 .*use RSAES_OAEP_SHA_256 or RSAES_OAEP_SHA_1/ },
  { name: "RSA OAEP on an SM2 key", inputs: { plaintext: "a", keyId: "key-sm2", algorithm: "RSAES_OAEP_SHA_1" }, property: "algorithm", reason: /does not fit key spec EC_SM2.*use SM2PKE/ },
  { name: "one byte over RSA_2048/SHA-256's 190", inputs: { plaintext: "x".repeat(191), keyId: "key-rsa2048", algorithm: "RSAES_OAEP_SHA_256" }, property: "", reason: /^plaintext is 191 bytes; RSA_2048 with RSAES_OAEP_SHA_256 encrypts at most 190\. Set envelope: true to encrypt any size .*, or use RSAES_OAEP_SHA_1$/ },
  { name: "one byte over SM2PKE's 6047", inputs: { plaintextBase64: Buffer.alloc(6048, 1).toString("base64"), keyId: "key-sm2" }, property: "", reason: /^plaintextBase64 is 6048 bytes; EC_SM2 with SM2PKE encrypts at most 6047\. Set envelope: true/ },
  { name: "an empty plaintext", inputs: { plaintext: "", keyId: "key-rsa2048" }, property: "", reason: /^plaintext is empty/ },
  // What a YAML program makes of stack config that looks like a number or a boolean (security round 4, also).
  { name: "a number as plaintext", inputs: { plaintext: 20261207, keyId: "key-rsa2048" }, property: "", reason: /^plaintext is a number, not text: .*1\.50 becomes 1\.5.*: pulumi config set --secret <key> '"123456"'$/ },
  { name: "a boolean as plaintext", inputs: { plaintext: true, keyId: "key-rsa2048" }, property: "", reason: /^plaintext is a boolean, not text: / },
  { name: "an unknown key", inputs: { plaintext: "a", keyId: "key-nope" }, property: "keyId", reason: /^keyId 'key-nope': Forbidden\.KeyNotFound — no such key in region cn-hangzhou/ },
  { name: "an unknown alias", inputs: { plaintext: "a", keyId: "alias/nope" }, property: "keyId", reason: /^keyId 'alias\/nope': Forbidden\.AliasNotFound — no such alias in region cn-hangzhou/ },
  { name: "an ARN of another region", inputs: { plaintext: "a", keyId: "acs:kms:cn-shanghai:1234567890123456:key/key-rsa2048" }, property: "keyId", reason: /Forbidden\.KeyNotFound — no such key in region cn-shanghai \(the ARN's\); check the key ID and the region in the ARN$/ },
  { name: "a certificate's ID given as keyId", inputs: { plaintext: "a", keyId: "5e0d3b4a-8c1f-4d2e-9a7b-3c6f1e2d4b5a" }, property: "keyId", reason: /Forbidden\.KeyNotFound — no such key in region cn-hangzhou; .*; if it is a certificate's ID, pass it as certificateId$/ },
  { name: "an unknown certificate", inputs: { plaintext: "a", certificateId: "cert-nope" }, property: "certificateId", reason: /^certificateId 'cert-nope': Certificate\.NotFound/ },
  { name: "a revoked certificate", inputs: { plaintext: "a", certificateId: "cert-revoked" }, property: "certificateId", reason: /certificate is REVOKED; only ACTIVE certificates encrypt/ },
  { name: "a disabled key", inputs: { plaintext: "a", keyId: "key-disabled" }, property: "keyId", reason: /Rejected\.Disabled — the key is disabled; enable it/ },
  { name: "a key pending deletion", inputs: { plaintext: "a", keyId: "key-pending" }, property: "keyId", reason: /Rejected\.PendingDeletion — .*CancelKeyDeletion/ },
  { name: "a SIGN/VERIFY key", inputs: { plaintext: "a", keyId: "key-sign" }, property: "keyId", reason: /key usage is SIGN\/VERIFY; EncryptedValue needs an ENCRYPT\/DECRYPT key/ },
  { name: "a symmetric key with encryptLocally", inputs: { plaintext: "a", keyId: "key-aes", encryptLocally: true }, property: "encryptLocally", reason: /^keyId 'key-aes' is symmetric \(Aliyun_AES_256\): KMS never reveals a symmetric key.*set encryptLocally: false$/ },
  { name: "a symmetric key with a pinned version", inputs: { plaintext: "a", keyId: "key-sm4", keyVersionId: "PRIMARY" }, property: "keyVersionId", reason: /is symmetric \(Aliyun_SM4\): Encrypt takes no key version .*remove keyVersionId$/ },
  { name: "an RSA algorithm on a symmetric key", inputs: { plaintext: "a", keyId: "key-aes", algorithm: "RSAES_OAEP_SHA_1" }, property: "algorithm", reason: /does not fit key spec Aliyun_AES_256 .*use SYMMETRIC_DEFAULT/ },
  { name: "one byte over a symmetric key's 4096", inputs: { plaintextBase64: Buffer.alloc(4097, 1).toString("base64"), keyId: "key-aes" }, property: "", reason: /^plaintextBase64 is 4097 bytes; Aliyun_AES_256 with SYMMETRIC_DEFAULT encrypts at most 4096\. Set envelope: true/ },
  { name: "an encryption context with an asymmetric key", inputs: { plaintext: "a", keyId: "key-rsa2048", encryptionContext: { app: "x" } }, property: "encryptionContext", reason: /is RSA_2048: encryptionContext applies to symmetric keys \(Aliyun_AES_256, Aliyun_SM4\) only/ },
  { name: "an encryption context with a certificate", inputs: { plaintext: "a", certificateId: "cert-rsa", encryptionContext: { app: "x" } }, property: "encryptionContext", reason: /applies to symmetric keys only; remove it when encrypting with certificateId/ },
  { name: "an encryption context that is not a map of strings", inputs: { plaintext: "a", keyId: "key-aes", encryptionContext: { app: 1 } }, property: "encryptionContext", reason: /^encryptionContext has a number for app; every value must be a string$/ },
  { name: "an encryption context holding a secret", inputs: { plaintext: "a", keyId: "key-aes", encryptionContext: { app: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "hush-hush" } } }, property: "", reason: /^encryptionContext holds a secret; .*stored in state and in every envelope as plain text/ },
  { name: "a keyVersionId of another key", inputs: { plaintext: "a", keyId: "key-rsa2048", keyVersionId: "OTHER" }, property: "keyVersionId", reason: /not a version of key key-rsa2048; omit keyVersionId/ },
  { name: "keyVersionId with a certificate", inputs: { plaintext: "a", certificateId: "cert-rsa", keyVersionId: "v" }, property: "keyVersionId", reason: /keyVersionId applies to keys only/ },
  { name: "a misspelt property", inputs: { plaintext: "a", keyID: "key-rsa2048" }, property: "keyID", reason: /unknown property keyID; did you mean keyId\?/ },
  { name: "trigger mode without a trigger", inputs: { plaintext: "a", keyId: "key-rsa2048", changeDetection: "trigger" }, property: "trigger", reason: /needs a trigger input/ },
  { name: "encryptLocally as a string", inputs: { plaintext: "a", keyId: "key-rsa2048", encryptLocally: "yes" }, property: "encryptLocally", reason: /encryptLocally must be true or false, not "yes"/ },
  { name: "encryptLocally with a disabled key", inputs: { plaintext: "a", keyId: "key-disabled", encryptLocally: true }, property: "keyId", reason: /Rejected\.Disabled — the key is disabled/ },
  { name: "a malformed key ARN", inputs: { plaintext: "a", keyId: "acs:kms:cn-hangzhou:1234:key/" }, property: "", reason: /^keyId 'acs:kms:cn-hangzhou:1234:key\/' names neither key\/<key ID> nor alias\/<name> in its ARN \(use a key ID, alias\/<name> or acs:kms:/ },
  { name: "a key ARN whose region is a host", inputs: { plaintext: "a", keyId: "acs:kms:evil.example@x:1234:key/key-rsa2048" }, property: "", reason: /^keyId '.*' has no valid region in its ARN/ },
  { name: "control characters in keyId", inputs: { plaintext: "a", keyId: "key-\u001b[31mred\u0007" }, property: "", reason: /^keyId 'key-\\u\{1b\}\[31mred\\u\{7\}' is not a key ID, alias\/<name> or key ARN/ },
  { name: "a certificateId that is a path", inputs: { plaintext: "a", certificateId: "../cert" }, property: "", reason: /^certificateId '..\/cert' is not a certificate ID/ },
  { name: "a keyVersionId with a colon", inputs: { plaintext: "a", keyId: "key-rsa2048", keyVersionId: "v:1" }, property: "", reason: /^keyVersionId 'v:1' is not a key version ID/ },
  { name: "an unknown change detection", inputs: { plaintext: "a", keyId: "key-rsa2048", changeDetection: "hash" }, property: "changeDetection", reason: /use "digest" \(default\) or "trigger"/ },
];

describe("check failures name the property and the fix", () => {
  let d: Deployment;
  before(async () => {
    d = await deploy();
    const other = await d.emulator.store.resolveKey("key-other");
    cases.find((c) => c.name === "a keyVersionId of another key")!.inputs.keyVersionId = d.emulator.store.primaryVersion(other).keyVersionId;
    const sm4 = d.emulator.store.resolveKey("key-sm4");
    cases.find((c) => c.name === "a symmetric key with a pinned version")!.inputs.keyVersionId = d.emulator.store.primaryVersion(sm4).keyVersionId;
  });
  after(() => d.close());

  for (const c of cases) {
    it(c.name, async () => {
      const step = await d.stack.preview(c.name.replace(/\W+/g, "-"), c.inputs);
      assert.equal(step.op, "failed");
      assert.ok(step.op === "failed");
      const match = step.failures.find((f) => c.reason.test(f.reason));
      assert.ok(match, `no failure matches ${c.reason}: ${JSON.stringify(step.failures)}`);
      assert.equal(match.property, c.property);
      assert.doesNotMatch(match.reason, /\n\s+at /);
    });
  }

  it("none of them encrypted anything", () => {
    assert.equal(encryptCalls(d.emulator), 0);
  });

  it("a malformed identifier is refused before any KMS call, and no failure carries a raw control character", async () => {
    d.emulator.resetStats();
    for (const c of cases.filter((c) => c.property === "" && /ARN|keyId|certificateId|keyVersionId/.test(c.name))) {
      const step = await d.stack.preview(`again-${c.name.replace(/\W+/g, "-")}`, c.inputs);
      assert.ok(step.op === "failed");
      for (const f of step.failures) assert.doesNotMatch(f.reason, /[\u0000-\u001f\u007f]/, c.name);
    }
    assert.deepEqual(d.emulator.stats().calls, {});
  });

  it("exactly at the limit passes", async () => {
    const step = await d.stack.preview("at-limit", { plaintext: "x".repeat(190), keyId: "key-rsa2048", algorithm: "RSAES_OAEP_SHA_256" });
    assert.deepEqual(step, { op: "create", failures: [] });
  });

  it("unknown inputs in a preview: no crash, no KMS call, and the diff says update", async () => {
    d.emulator.resetStats();
    assert.equal((await d.stack.preview("later-key", { plaintext: "a", keyId: UNKNOWN })).op, "create");
    assert.equal((await d.stack.preview("later-plaintext", { plaintext: UNKNOWN, certificateId: UNKNOWN })).op, "create");
    assert.deepEqual(d.emulator.stats().calls, {});
    await d.stack.up("known", { plaintext: "a", keyId: "key-rsa2048" });
    assert.equal((await d.stack.preview("known", { plaintext: UNKNOWN, keyId: "key-rsa2048" })).op, "update");
    assert.equal((await d.stack.preview("known", { plaintext: "a", keyId: UNKNOWN })).op, "update");
    assert.equal((await d.stack.preview("known", { plaintext: "a", keyId: "key-rsa2048", algorithm: UNKNOWN })).op, "update");
  });
});

describe("configuration problems are check failures naming the setting", () => {
  let d: Deployment;
  before(async () => {
    d = await deploy();
  });
  after(() => d.close());

  const withConfig = async (config: Record<string, unknown>, inputs: Props) => {
    const host = await DynamicProviderHost.start();
    try {
      await host.configure(config);
      return await new Stack(host, d.providerBlob).preview("v", inputs);
    } finally {
      await host.close();
    }
  };

  it("a malformed endpoint, a bad protocol, a non-boolean encryptLocally, and a half access key", async () => {
    const base = stackConfig(d.emulator);
    const inputs = { plaintext: "a", keyId: "key-rsa2048" };
    const bad = async (override: Record<string, unknown>, reason: RegExp) => {
      const step = await withConfig({ ...base, ...override }, inputs);
      assert.ok(step.op === "failed" && step.failures.some((f) => reason.test(f.reason)), JSON.stringify(step));
    };
    await bad({ "alicloud-kms:endpoint": "ftp://example.com" }, /^alicloud-kms:endpoint: 'ftp:\/\/example.com' must use http or https/);
    await bad({ "alicloud-kms:protocol": "gopher" }, /^alicloud-kms:protocol: 'gopher' is not a protocol/);
    await bad({ "alicloud-kms:region": "Hangzhou" }, /^alicloud-kms:region: 'Hangzhou' is not a region ID/);
    await bad({ "alicloud-kms:encryptLocally": "yes" }, /^alicloud-kms:encryptLocally: 'yes' is not a boolean; use true or false/);
    const { "alicloud:secretKey": _, ...noSecret } = base;
    const step = await withConfig(noSecret, inputs);
    assert.ok(step.op === "failed" && /^alicloud:accessKey: an access key needs both/.test(step.failures[0]!.reason), JSON.stringify(step));
  });

  it("no region anywhere: the keyId failure says where to set one; an ARN supplies it", async () => {
    const { "alicloud-kms:region": _, ...noRegion } = stackConfig(d.emulator);
    const step = await withConfig(noRegion, { plaintext: "a", keyId: "key-rsa2048" });
    assert.ok(step.op === "failed" && /no region configured; set alicloud-kms:region/.test(step.failures[0]!.reason), JSON.stringify(step));
    const arn = await withConfig(noRegion, { plaintext: "a", keyId: "acs:kms:cn-hangzhou:1234567890123456:key/key-rsa2048" });
    assert.deepEqual(arn, { op: "create", failures: [] });
  });

  it("a wrong access key secret: KMS's SignatureDoesNotMatch, naming where the credentials came from", async () => {
    const step = await withConfig({ ...stackConfig(d.emulator), "alicloud:secretKey": "wrong-secret-value" }, { plaintext: "a", keyId: "key-rsa2048" });
    assert.ok(step.op === "failed");
    assert.match(step.failures[0]!.reason, /SignatureDoesNotMatch — KMS refused the request signature; check the access key secret in alicloud:secretKey \(it must be the secret of the access key ID in alicloud:accessKey\)/);
    assert.doesNotMatch(JSON.stringify(step), /wrong-secret-value/);
  });
});
