import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type Behaviour } from "./operations/operation";
import { canonicalRequestV3, hashHex, signV3, type V3Algorithm } from "./protocol/signature-v3";
import { call, officialClient, rejection } from "../support/kms-client";
import { type KmsEmulator, type Seed, startKmsEmulator } from "./index";
import { parseSeed } from "./store/seed";

// Where the reference is silent or the service has two faces, the emulator can answer each way:
// DescribeKey with or without PrimaryKeyVersion for asymmetric keys, DryRun messages with or
// without an inner code, the key-version code, KMS instance keys refused through the public gateway
// (as an error or a dropped connection) and served through the VPC one; plus the documented
// DescribeCertificate vocabulary, the certificate key specs, DryRun on Certificate*, and the
// signature schemes it accepts or refuses by name.

const ACCESS_KEY = { accessKeyId: "LTAIvariants", accessKeySecret: "variants-secret" };
const seed: Seed = {
  accessKeys: [ACCESS_KEY, { accessKeyId: "LTAIdenied", accessKeySecret: "denied-secret", deniedActions: ["AsymmetricEncrypt"] }],
  keys: [
    { keyId: "key-rsa", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT" },
    { keyId: "key-disabled", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT", keyState: "Disabled" },
    { keyId: "key-aes", keySpec: "Aliyun_AES_256", keyUsage: "ENCRYPT/DECRYPT" },
    { keyId: "key-private", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT", kmsInstanceId: "kst-private" },
    { keyId: "key-dropped", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT", kmsInstanceId: "kst-dropping" },
    { keyId: "key-open", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT", kmsInstanceId: "kst-open" },
  ],
  certificates: [{ certificateId: "cert-sm2", keySpec: "EC_SM2" }],
  instances: [
    { instanceId: "kst-private", internetAccess: false, refusal: { code: "Forbidden.NoPermission", status: 403, message: "Access denied." } },
    { instanceId: "kst-dropping", internetAccess: false, refusal: "drop" },
    { instanceId: "kst-open", internetAccess: true, refusal: "drop" },
  ],
};

type Json = Record<string, unknown>;
const b64 = (s: string) => Buffer.from(s).toString("base64");

async function withEmulator<T>(behaviour: Partial<Behaviour>, use: (e: KmsEmulator) => Promise<T>): Promise<T> {
  const emulator = await startKmsEmulator({ seed, behaviour });
  try {
    return await use(emulator);
  } finally {
    await emulator.close();
  }
}

const metadata = async (e: KmsEmulator, keyId: string) => (await call(officialClient(e), "DescribeKey", { KeyId: keyId })).KeyMetadata as Json;
const primaryOf = async (e: KmsEmulator, keyId: string) =>
  String(((await call(officialClient(e), "ListKeyVersions", { KeyId: keyId })).KeyVersions as { KeyVersion: Json[] }).KeyVersion.at(-1)!.KeyVersionId);

describe("answer variants the reference leaves open", () => {
  it("DescribeKey's PrimaryKeyVersion for an asymmetric key: present (default), absent or empty; a symmetric key always has it", async () => {
    for (const [shape, expected] of [["present", "string"], ["absent", "missing"], ["empty", ""]] as const) {
      await withEmulator({ asymmetricPrimaryKeyVersion: shape }, async (e) => {
        const rsa = await metadata(e, "key-rsa");
        if (expected === "missing") assert.equal("PrimaryKeyVersion" in rsa, false);
        else if (expected === "") assert.equal(rsa.PrimaryKeyVersion, "");
        else assert.equal(rsa.PrimaryKeyVersion, await primaryOf(e, "key-rsa"));
        assert.equal(typeof (await metadata(e, "key-aes")).PrimaryKeyVersion, "string");
        assert.notEqual((await metadata(e, "key-aes")).PrimaryKeyVersion, "");
      });
    }
  });

  it("DryRun answers with an inner code (default) or as a bare sentence", async () => {
    for (const [messages, validation, success, denied] of [
      ["with-code", /^ValidationErrorError: code: 400, Rejected\.Disabled: The key is disabled\./, /DryRun flag is set/, /^AccessDeniedErrorError: code: 403, Forbidden\.NoPermission: /],
      ["bare", /^ValidationErrorError: code: 400, The request is not valid\. request/, /would have succeeded if DryRun flag was not set/, /^AccessDeniedErrorError: code: 403, You are not authorized/],
    ] as const) {
      await withEmulator({ dryRunMessages: messages }, async (e) => {
        const version = await primaryOf(e, "key-disabled");
        const refused = await rejection(call(officialClient(e), "AsymmetricEncrypt", {
          KeyId: "key-disabled", KeyVersionId: version, Algorithm: "RSAES_OAEP_SHA_256", Plaintext: b64("x"), DryRun: "true" }));
        assert.equal(refused.code, "ValidationErrorError");
        assert.match(refused.message, validation);
        const ok = await rejection(call(officialClient(e), "AsymmetricEncrypt", {
          KeyId: "key-rsa", KeyVersionId: await primaryOf(e, "key-rsa"), Algorithm: "RSAES_OAEP_SHA_256", Plaintext: b64("x"), DryRun: "true" }));
        assert.equal(ok.code, "DryRunOperationErrorError");
        assert.match(ok.message, success);
        const deniedAnswer = await rejection(call(officialClient(e, { accessKeyId: "LTAIdenied", accessKeySecret: "denied-secret" }), "AsymmetricEncrypt", {
          KeyId: "key-rsa", KeyVersionId: await primaryOf(e, "key-rsa"), Algorithm: "RSAES_OAEP_SHA_256", Plaintext: b64("x"), DryRun: "true" }));
        assert.match(deniedAnswer.message, denied);
      });
    }
  });

  it("an unknown key version: Forbidden.KeyVersionNotFound (documented, default) or Forbidden.ResourceNotFound, 404 in the body too", async () => {
    for (const code of ["Forbidden.KeyVersionNotFound", "Forbidden.ResourceNotFound"] as const) {
      await withEmulator({ keyVersionNotFoundCode: code }, async (e) => {
        const refused = await rejection(call(officialClient(e), "DescribeKeyVersion", { KeyId: "key-rsa", KeyVersionId: randomUUID() }));
        assert.equal(refused.data.Code, code);
        assert.equal(refused.data.HttpStatus, 404);
      });
    }
  });
});

describe("test knobs for refusals the reference allows", () => {
  it("certificateApi \"absent\": every Certificate* action is InvalidAction.NotFound (404), as where Certificates Manager is not offered", async () => {
    await withEmulator({ certificateApi: "absent" }, async (e) => {
      for (const action of ["DescribeCertificate", "CertificatePublicKeyEncrypt", "CertificatePrivateKeyDecrypt", "GetCertificate"]) {
        const refused = await rejection(call(officialClient(e), action, { CertificateId: "cert-sm2" }));
        assert.deepEqual([refused.data.Code, refused.data.HttpStatus], ["InvalidAction.NotFound", 404], action);
      }
      assert.equal(((await call(officialClient(e), "DescribeKey", { KeyId: "key-rsa" })).KeyMetadata as Json).KeyId, "key-rsa");
    });
  });

  it("a seeded key's encryptionAlgorithms: a key that refuses an algorithm its spec allows", async () => {
    const picky: Seed = { ...seed, keys: [{ keyId: "key-picky", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT", encryptionAlgorithms: ["RSAES_OAEP_SHA_1"] }] };
    const e = await startKmsEmulator({ seed: picky });
    try {
      const params = async (algorithm: string) => ({ KeyId: "key-picky", KeyVersionId: await primaryOf(e, "key-picky"), Algorithm: algorithm, Plaintext: b64("x") });
      const refused = await rejection(call(officialClient(e), "AsymmetricEncrypt", await params("RSAES_OAEP_SHA_256")));
      assert.equal(refused.data.Code, "InvalidParameter");
      assert.equal(typeof (await call(officialClient(e), "AsymmetricEncrypt", await params("RSAES_OAEP_SHA_1"))).CiphertextBlob, "string");
      assert.throws(() => parseSeed({ ...picky, keys: [{ ...picky.keys[0], encryptionAlgorithms: ["SM2PKE"] }] }), /encryptionAlgorithms\[0\] must be one of/);
    } finally {
      await e.close();
    }
  });
});

describe("KMS 3.0 instance keys: the public gateway and the VPC gateway", () => {
  let e: KmsEmulator;
  before(async () => {
    e = await startKmsEmulator({ seed });
  });
  after(() => e.close());

  const vpc = () => officialClient({ ...e, host: e.vpcEndpoint.replace("http://", "") });
  const encrypt = async (client: ReturnType<typeof officialClient>, keyId: string) =>
    call(client, "AsymmetricEncrypt", { KeyId: keyId, KeyVersionId: await primaryOf(e, keyId), Algorithm: "RSAES_OAEP_SHA_256", Plaintext: b64("x") });

  it("DescribeKey names the instance (DKMSInstanceId) through either gateway; keys outside instances have none", async () => {
    assert.equal((await metadata(e, "key-private")).DKMSInstanceId, "kst-private");
    assert.equal(((await call(vpc(), "DescribeKey", { KeyId: "key-private" })).KeyMetadata as Json).DKMSInstanceId, "kst-private");
    assert.equal("DKMSInstanceId" in (await metadata(e, "key-rsa")), false);
  });

  it("without Internet access, cryptographic calls through the public gateway are refused as the seed says, and served through the VPC one", async () => {
    const refused = await rejection(encrypt(officialClient(e), "key-private"));
    assert.deepEqual([refused.data.Code, refused.data.HttpStatus], ["Forbidden.NoPermission", 403]);
    for (const action of ["GetPublicKey"]) {
      const answer = await rejection(call(officialClient(e), action, { KeyId: "key-private", KeyVersionId: await primaryOf(e, "key-private") }));
      assert.equal(answer.data.Code, "Forbidden.NoPermission", action);
    }
    const viaVpc = await encrypt(vpc(), "key-private");
    assert.equal(viaVpc.KeyId, "key-private");
    assert.equal((await encrypt(officialClient(e), "key-open")).KeyId, "key-open", "an instance with Internet access serves the public gateway");
  });

  it("a refusal seeded as \"drop\" closes the connection unanswered", async () => {
    const dropped = await rejection(encrypt(officialClient(e), "key-dropped"));
    assert.match(`${dropped.code} ${dropped.message}`, /socket hang up|ECONNRESET/);
    assert.equal((await encrypt(vpc(), "key-dropped")).KeyId, "key-dropped");
  });
});

describe("certificates as documented", () => {
  it("Certificates Manager has no RSA_3072: the seed refuses it", () => {
    assert.throws(() => parseSeed({ ...seed, certificates: [{ keySpec: "RSA_3072" }] }), /certificates\[0\]\.keySpec "RSA_3072" is not a certificate key spec/);
  });

  it("DescribeCertificate uses the documented SignatureAlgorithm words; DryRun, no part of Certificate* APIs, is ignored", async () => {
    await withEmulator({}, async (e) => {
      const described = await call(officialClient(e), "DescribeCertificate", { CertificateId: "cert-sm2" });
      assert.equal(described.SignatureAlgorithm, "SM2-SM3");
      assert.match(String(described.SubjectKeyIdentifier), /^[0-9a-f]{40}$/);
      // Our choice where the reference says nothing: like any parameter an API does not define, it is ignored.
      const encrypted = await call(officialClient(e), "CertificatePublicKeyEncrypt", { CertificateId: "cert-sm2", Algorithm: "SM2PKE", Plaintext: b64("x"), DryRun: "true" });
      assert.equal(typeof encrypted.CiphertextBlob, "string");
      assert.equal(e.stats().dryRunCalls.CertificatePublicKeyEncrypt ?? 0, 0);
    });
  });
});

describe("header signatures: ACS3-HMAC-SM3 accepted, other schemes refused by name", () => {
  let e: KmsEmulator;
  before(async () => {
    e = await startKmsEmulator({ seed });
  });
  after(() => e.close());

  async function signed(algorithm: V3Algorithm | "ACS4-HMAC-SHA256" | "Bearer") {
    const headers: Record<string, string> = {
      host: e.host, "x-acs-action": "DescribeKey", "x-acs-version": "2016-01-20", "x-acs-date": new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      "x-acs-signature-nonce": randomUUID(), "x-acs-content-sha256": hashHex(algorithm === "ACS3-HMAC-SM3" ? algorithm : "ACS3-HMAC-SHA256", ""),
    };
    const query = { KeyId: "key-rsa" };
    const signedHeaders = Object.keys(headers).sort();
    const canonical = canonicalRequestV3("POST", "/", query, headers, signedHeaders, headers["x-acs-content-sha256"]!);
    const signature = algorithm === "ACS3-HMAC-SM3" || algorithm === "ACS3-HMAC-SHA256" ? signV3(canonical, ACCESS_KEY.accessKeySecret, algorithm) : "00";
    headers.authorization = `${algorithm} Credential=${ACCESS_KEY.accessKeyId},SignedHeaders=${signedHeaders.join(";")},Signature=${signature}`;
    const response = await fetch(`${e.endpoint}/?${new URLSearchParams(query)}`, { method: "POST", headers });
    return { status: response.status, body: (await response.json()) as Json };
  }

  it("ACS3-HMAC-SM3: the same canonical request, SM3 for hash and HMAC", async () => {
    const answer = await signed("ACS3-HMAC-SM3");
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal((answer.body.KeyMetadata as Json).KeyId, "key-rsa");
  });

  it("ACS4-HMAC-SHA256 and any other scheme: InvalidParameter naming it, never a fall-back to v1", async () => {
    for (const scheme of ["ACS4-HMAC-SHA256", "Bearer"] as const) {
      const answer = await signed(scheme);
      assert.equal(answer.status, 400);
      assert.equal(answer.body.Code, "InvalidParameter");
      assert.match(String(answer.body.Message), new RegExp(`The signature method "${scheme}" is not supported`));
    }
  });
});
