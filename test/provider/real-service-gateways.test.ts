import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decrypt } from "../../sdk/decrypt";
import type { Seed } from "../kms-emulator";
import { call, officialClient } from "../support/kms-client";
import type { Step } from "../support/engine-steps";
import { ACCESS_KEY, deploy, seed } from "./fixtures";
import { envFor, failed, opened, stackAt } from "./real-service-steps";

// The provider against KMS as documented, and against each shape the reference leaves open (the
// emulator answers each on request), continued from real-service.test.ts: DryRun refusals with and
// without an inner code, KMS 3.0 instance keys refused through the public gateway, a dedicated
// gateway endpoint, and a region or account without Certificates Manager's API.

describe("DryRun refusals with and without an inner code: the same property, the same hint", () => {
  const dryRunSeed: Seed = {
    ...seed,
    keys: [...seed.keys, { keyId: "key-picky", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT", encryptionAlgorithms: ["RSAES_OAEP_SHA_1"] }],
  };

  /** What a preview reports in each case, for one variant of DryRun messages. */
  async function failuresWith(messages: "with-code" | "bare"): Promise<Record<string, { property: string; reason: string }>> {
    const d = await deploy({ behaviour: { dryRunMessages: messages }, seed: dryRunSeed });
    try {
      const first = (step: Step) => failed(step)[0]!;
      const out: Record<string, { property: string; reason: string }> = {};
      // A key that refuses an algorithm its spec allows: attributed to algorithm, with the one it takes.
      out.algorithm = first(await d.stack.preview("picky", { plaintext: "x", keyId: "key-picky", algorithm: "RSAES_OAEP_SHA_256" }));
      // Disabled between two values of one deployment: DescribeKey's answer is cached, the DryRun is not.
      assert.equal((await d.stack.preview("before", { plaintext: "x", keyId: "key-rotating" })).op, "create");
      await call(officialClient(d.emulator), "DisableKey", { KeyId: "key-rotating" });
      out.disabled = first(await d.stack.preview("after", { plaintext: "x", keyId: "key-rotating", algorithm: "RSAES_OAEP_SHA_1" }));
      // A pinned version gone between two values of one deployment.
      const key = d.emulator.store.resolveKey("key-other");
      await call(officialClient(d.emulator), "CreateKeyVersion", { KeyId: "key-other" });
      const version = key.versions[0]!.keyVersionId;
      assert.equal((await d.stack.preview("pin-1", { plaintext: "x", keyId: "key-other", keyVersionId: version })).op, "create");
      key.versions.splice(0, 1);
      out.version = first(await d.stack.preview("pin-2", { plaintext: "x", keyId: "key-other", keyVersionId: version, algorithm: "RSAES_OAEP_SHA_1" }));
      return Object.fromEntries(Object.entries(out).map(([k, f]) => [k, { ...f, reason: f.reason.replace(version, "<version>") }]));
    } finally {
      await d.close();
    }
  }

  it("an algorithm the key refuses, a key disabled mid-deployment, a pinned version gone: attributed by asking KMS, not by parsing", async () => {
    const bare = await failuresWith("bare");
    assert.deepEqual(bare.algorithm, { property: "algorithm",
      reason: "algorithm RSAES_OAEP_SHA_256: ValidationError — KMS refuses it for key key-picky but would take RSAES_OAEP_SHA_1; use RSAES_OAEP_SHA_1" });
    assert.equal(bare.disabled!.property, "keyId");
    assert.match(bare.disabled!.reason, /^keyId 'key-rotating': ValidationError — the key is Disabled now: the key is disabled; enable it/);
    assert.equal(bare.version!.property, "keyVersionId");
    assert.match(bare.version!.reason, /^keyVersionId '<version>': Forbidden\.KeyVersionNotFound — not a version of key key-other/);
    assert.deepEqual(await failuresWith("with-code"), bare, "an inner code changes nothing");
  });

  it("a refused permission (AccessDeniedError) names keyId and the grant, with or without an inner code", async () => {
    for (const messages of ["with-code", "bare"] as const) {
      const denied = { ...dryRunSeed, accessKeys: [{ ...ACCESS_KEY, deniedActions: ["AsymmetricEncrypt"] }] };
      const d = await deploy({ behaviour: { dryRunMessages: messages }, seed: denied });
      try {
        const [failure] = failed(await d.stack.preview("denied", { plaintext: "x", keyId: "key-rsa2048" }));
        assert.equal(failure!.property, "keyId");
        assert.match(failure!.reason, /^keyId 'key-rsa2048': AccessDeniedError — the credentials from alicloud:accessKey may not call kms:AsymmetricEncrypt; grant it in RAM$/);
      } finally {
        await d.close();
      }
    }
  });
});

describe("KMS 3.0 instance keys", () => {
  const instanceSeed: Seed = {
    ...seed,
    keys: [
      ...seed.keys,
      { keyId: "key-closed", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT", kmsInstanceId: "kst-hzz-closed" },
      { keyId: "key-silent", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT", kmsInstanceId: "kst-hzz-silent" },
      { keyId: "key-open", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT", kmsInstanceId: "kst-hzz-open" },
    ],
    instances: [
      { instanceId: "kst-hzz-closed", internetAccess: false, refusal: { code: "Forbidden.NoPermission", status: 403, message: "Access denied." } },
      { instanceId: "kst-hzz-silent", internetAccess: false, refusal: "drop" },
      { instanceId: "kst-hzz-open", internetAccess: true, refusal: "drop" },
    ],
  };
  const instanceHint = (instance: string) =>
    new RegExp(`The key lives in KMS instance ${instance}: from outside its VPC, its cryptographic calls go through only when Internet access is ` +
      `enabled for ${instance} \\(KMS console\\); from inside the VPC, set alicloud-kms:endpoint to https://kms-vpc\\.cn-hangzhou\\.aliyuncs\\.com`);

  it("refused through the public gateway (an error or no answer): the failure names the instance and both ways out", async () => {
    const d = await deploy({ seed: instanceSeed });
    try {
      const [refused] = failed(await d.stack.preview("closed", { plaintext: "x", keyId: "key-closed" }));
      assert.equal(refused!.property, "keyId");
      assert.match(refused!.reason, /^keyId 'key-closed': AccessDeniedError — /);
      assert.match(refused!.reason, instanceHint("kst-hzz-closed"));
      const [silent] = failed(await d.stack.preview("silent", { plaintext: "x", keyId: "key-silent", encryptLocally: true }));
      assert.match(silent!.reason, /^keyId 'key-silent': NetworkError — no answer from /);
      assert.match(silent!.reason, instanceHint("kst-hzz-silent"));
      const [plain] = failed(await d.stack.preview("not-an-instance", { plaintext: "x", keyId: "key-nope" }));
      assert.doesNotMatch(plain!.reason, /KMS instance/, "no instance hint for a key outside instances");
    } finally {
      await d.close();
    }
  });

  it("through the VPC gateway they encrypt; kmsInstanceId is an output (\"\" outside an instance)", async () => {
    const d = await deploy({ seed: instanceSeed });
    try {
      const vpc = await stackAt(d, { "alicloud-kms:endpoint": d.emulator.vpcEndpoint });
      try {
        for (const [name, keyId] of [["closed", "key-closed"], ["silent", "key-silent"]]) {
          assert.equal((await vpc.up(name!, { plaintext: `via the VPC ${name}`, keyId: keyId! })).op, "create", name);
          assert.equal(await opened(d, vpc.state.get(name!)!.outputs, d.emulator.vpcEndpoint), `via the VPC ${name}`);
        }
        assert.equal(vpc.state.get("closed")!.outputs.kmsInstanceId, "kst-hzz-closed");
      } finally {
        await vpc.host.close();
      }
      assert.equal((await d.stack.up("open", { plaintext: "x", keyId: "key-open" })).op, "create", "Internet access on: the public gateway serves it");
      assert.equal(d.stack.state.get("open")!.outputs.kmsInstanceId, "kst-hzz-open");
      assert.equal((await d.stack.up("classic", { plaintext: "x", keyId: "key-rsa2048" })).op, "create");
      assert.equal(d.stack.state.get("classic")!.outputs.kmsInstanceId, "");
    } finally {
      await d.close();
    }
  });

  it("a dedicated gateway endpoint (<instance>.cryptoservice.kms.aliyuncs.com) is refused at preview, saying why and what to use", async () => {
    const d = await deploy();
    try {
      const dedicated = await stackAt(d, { "alicloud-kms:endpoint": "https://kst-hzz-closed.cryptoservice.kms.aliyuncs.com" });
      try {
        const [failure] = failed(await dedicated.preview("v", { plaintext: "x", keyId: "key-rsa2048" }));
        assert.match(failure!.reason, /^alicloud-kms:endpoint: 'https:\/\/kst-hzz-closed\.cryptoservice\.kms\.aliyuncs\.com' is a KMS instance's dedicated gateway, .*use https:\/\/kms-vpc\.<region>\.aliyuncs\.com/);
      } finally {
        await dedicated.host.close();
      }
      await assert.rejects(decrypt("eyJ2IjoyfQ==", { env: { ...envFor(d), ALIBABA_CLOUD_KMS_ENDPOINT: "https://kst-x.cryptoservice.kms.aliyuncs.com" } }),
        /ALIBABA_CLOUD_KMS_ENDPOINT: .* dedicated gateway/);
    } finally {
      await d.close();
    }
  });
});

describe("a region or account without Certificates Manager's API", () => {
  it("InvalidAction.NotFound on DescribeCertificate: the failure says the certificate path is not offered there and to use a key", async () => {
    const d = await deploy({ behaviour: { certificateApi: "absent" } });
    try {
      const [failure] = failed(await d.stack.preview("cert", { plaintext: "x", certificateId: "cert-rsa" }));
      assert.equal(failure!.property, "certificateId");
      assert.equal(failure!.reason, "certificateId 'cert-rsa': InvalidAction.NotFound — KMS in this region or account does not offer DescribeCertificate " +
      "(Certificates Manager's API); encrypt with a key (keyId) instead");
    } finally {
      await d.close();
    }
  });
});
