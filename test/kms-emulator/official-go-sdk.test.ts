import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { officialGoSdk, runOfficialGoSdk, type SdkOperation } from "../support/official-go-sdk";
import { type KmsEmulator, startKmsEmulator } from "./index";

// A second official client: Alibaba Cloud's Go SDK (kms-20160120/v3 v3.2.3, from the Go module
// proxy) drives every operation the provider and decrypt() use through its typed methods, signing
// with v1 (HMAC-SHA1), ACS3-HMAC-SHA256 and ACS3-HMAC-SM3. Every answer must parse into its models,
// and an error must surface with KMS's code and status.

const ACCESS_KEY = { accessKeyId: "LTAIgosdk", accessKeySecret: "go-sdk-secret-4d3c2b1a" };
const PLAINTEXT = Buffer.from("official go sdk").toString("base64");

describe("Alibaba Cloud's official Go SDK against the emulator", { timeout: 15 * 60_000 }, () => {
  let emulator: KmsEmulator;
  let binary: string;
  before(async () => {
    binary = await officialGoSdk();
    emulator = await startKmsEmulator({
      seed: {
        accessKeys: [ACCESS_KEY],
        keys: [
          { keyId: "key-go-rsa", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT", kmsInstanceId: "kst-hzz-go" },
          { keyId: "key-go-sm2", keySpec: "EC_SM2", keyUsage: "ENCRYPT/DECRYPT" },
        ],
        certificates: [{ certificateId: "cert-go", keySpec: "RSA_2048" }],
      },
    });
  });
  after(() => emulator?.close());

  for (const signature of ["v1", "ACS3-HMAC-SHA256", "ACS3-HMAC-SM3"]) {
    it(`${signature}: every operation answers into the SDK's typed models`, async () => {
      emulator.resetStats();
      const results = await runOfficialGoSdk(binary, {
        endpoint: emulator.host, ...ACCESS_KEY, signature, rsaKeyId: "key-go-rsa", sm2KeyId: "key-go-sm2", certificateId: "cert-go" });
      const byOp = new Map(results.map((r) => [r.op, r]));
      const ok = (op: string): Record<string, string> => {
        const r = byOp.get(op) as SdkOperation;
        assert.ok(r, `${op} ran`);
        assert.equal(r.error ?? r.code, undefined, `${op}: ${JSON.stringify(r)}`);
        return r.fields ?? {};
      };
      const version = emulator.store.primaryVersion(emulator.store.resolveKey("key-go-rsa")).keyVersionId;
      assert.deepEqual(ok("DescribeKey"), { KeyId: "key-go-rsa", KeySpec: "RSA_2048", KeyState: "Enabled", PrimaryKeyVersion: version, DKMSInstanceId: "kst-hzz-go" });
      assert.equal(ok("ListKeyVersions").KeyVersionId, version);
      assert.match(ok("ListKeyVersions").CreationDate!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(ok("DescribeKeyVersion").KeyVersionId, version);
      assert.deepEqual(byOp.get("DescribeKeyVersion unknown"), { op: "DescribeKeyVersion unknown", code: "Forbidden.KeyVersionNotFound", status: 404 });
      assert.match(ok("GetPublicKey").PublicKey!, /^-----BEGIN PUBLIC KEY-----/);
      assert.deepEqual(byOp.get("AsymmetricEncrypt DryRun"), { op: "AsymmetricEncrypt DryRun", code: "DryRunOperationError", status: 400 });
      for (const kind of ["RSA", "SM2"]) {
        assert.ok(ok(`AsymmetricEncrypt ${kind}`).KeyVersionId, kind);
        assert.equal(ok(`AsymmetricDecrypt ${kind}`).Plaintext, PLAINTEXT, kind);
      }
      const certificate = ok("DescribeCertificate");
      assert.equal(certificate.SignatureAlgorithm, "RSA2048-SHA256");
      assert.match(certificate.SubjectKeyIdentifier!, /^[0-9a-f]{40}$/);
      ok("CertificatePublicKeyEncrypt");
      assert.equal(ok("CertificatePrivateKeyDecrypt").Plaintext, PLAINTEXT);
      // The emulator saw exactly this signature on every call.
      const signed = emulator.stats().signatures;
      assert.deepEqual(Object.keys(signed), [signature === "v1" ? "HMAC-SHA1" : signature]);
      assert.equal(Object.values(signed)[0], results.length + 1, "every call, the SM2 key's ListKeyVersions included");
    });
  }
});
