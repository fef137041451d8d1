import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type Kms from "@alicloud/kms20160120";
import * as $Kms from "@alicloud/kms20160120";
import { call, officialClient, rejection } from "../support/kms-client";
import { type KmsEmulator, startKmsEmulator } from "./index";

// The official @alicloud/kms20160120 client against the emulator: every operation succeeds through
// the SDK's own models, and each documented error arrives as the SDK surfaces the real service's.

const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("official SDK against the emulator", () => {
  let emulator: KmsEmulator;
  let kms: Kms;
  const ids = {
    rsa: "key-rsa",
    sm2: "key-sm2",
    sign: "key-sign",
    disabled: "key-off",
    pending: "key-gone",
    cert: "cert-1",
  };

  before(async () => {
    emulator = await startKmsEmulator({
      seed: {
        accessKeys: [{ accessKeyId: "LTAIsdktest", accessKeySecret: "sdk-secret" }],
        keys: [
          { keyId: ids.rsa, keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT", aliases: ["alias/app"] },
          { keyId: ids.sm2, keySpec: "EC_SM2", keyUsage: "ENCRYPT/DECRYPT" },
          { keyId: ids.sign, keySpec: "RSA_2048", keyUsage: "SIGN/VERIFY" },
          { keyId: ids.disabled, keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT", keyState: "Disabled" },
          {
            keyId: ids.pending,
            keySpec: "RSA_2048",
            keyUsage: "ENCRYPT/DECRYPT",
            keyState: "PendingDeletion",
          },
        ],
        certificates: [
          { certificateId: ids.cert, keySpec: "RSA_2048", subject: "CN=sdk-test, O=Example, C=CN" },
        ],
      },
    });
    kms = officialClient(emulator);
  });
  after(() => emulator.close());

  const primary = async (keyId: string) =>
    (await kms.describeKey(new $Kms.DescribeKeyRequest({ keyId }))).keyMetadata.primaryKeyVersion;

  /** AsymmetricEncrypt/Decrypt parameters for the RSA key's primary version, plus `extra`. */
  const rsaParams = async (extra: Record<string, string>) => ({
    KeyId: ids.rsa,
    KeyVersionId: await primary(ids.rsa),
    Algorithm: "RSAES_OAEP_SHA_256",
    ...extra,
  });

  it("DescribeKey by ID, alias and ARN resolves to the same key", async () => {
    const byId = await kms.describeKey(new $Kms.DescribeKeyRequest({ keyId: ids.rsa }));
    const byAlias = await kms.describeKey(new $Kms.DescribeKeyRequest({ keyId: "alias/app" }));
    const byArn = await kms.describeKey(new $Kms.DescribeKeyRequest({ keyId: byId.keyMetadata.arn }));
    assert.equal(byId.keyMetadata.arn, `acs:kms:cn-hangzhou:${emulator.accountId}:key/${ids.rsa}`);
    for (const r of [byId, byAlias, byArn]) {
      assert.equal(r.keyMetadata.keyId, ids.rsa);
      assert.equal(r.keyMetadata.keySpec, "RSA_2048");
      assert.equal(r.keyMetadata.keyUsage, "ENCRYPT/DECRYPT");
      assert.equal(r.keyMetadata.keyState, "Enabled");
      assert.match(r.keyMetadata.primaryKeyVersion, /^[0-9a-f-]{36}$/);
      assert.match(r.requestId, /^[0-9A-F-]{36}$/);
    }
  });

  it("AsymmetricEncrypt then AsymmetricDecrypt round-trips, for RSA and SM2", async () => {
    for (const [keyId, algorithm] of [
      [ids.rsa, "RSAES_OAEP_SHA_256"],
      [ids.rsa, "RSAES_OAEP_SHA_1"],
      [ids.sm2, "SM2PKE"],
    ] as const) {
      const keyVersionId = await primary(keyId);
      const encrypted = await kms.asymmetricEncrypt(
        new $Kms.AsymmetricEncryptRequest({ keyId, keyVersionId, algorithm, plaintext: b64("round trip") }),
      );
      assert.equal(encrypted.keyId, keyId);
      assert.equal(encrypted.keyVersionId, keyVersionId);
      const decrypted = await kms.asymmetricDecrypt(
        new $Kms.AsymmetricDecryptRequest({
          keyId,
          keyVersionId,
          algorithm,
          ciphertextBlob: encrypted.ciphertextBlob,
        }),
      );
      assert.equal(Buffer.from(decrypted.plaintext, "base64").toString(), "round trip");
    }
  });

  it("GetPublicKey answers an SPKI PEM of the version", async () => {
    const keyVersionId = await primary(ids.rsa);
    const r = await kms.getPublicKey(new $Kms.GetPublicKeyRequest({ keyId: "alias/app", keyVersionId }));
    assert.equal(r.keyId, ids.rsa);
    assert.match(r.publicKey, /^-----BEGIN PUBLIC KEY-----\n/);
  });

  it("CreateKey, CreateKeyVersion, ListKeyVersions (paged) and DescribeKeyVersion", async () => {
    const created = await kms.createKey(
      new $Kms.CreateKeyRequest({ keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT", description: "sdk" }),
    );
    const keyId = created.keyMetadata.keyId;
    assert.match(keyId, /^key-hzz[a-z0-9]{17}$/);
    const versions = [created.keyMetadata.primaryKeyVersion];
    for (let i = 0; i < 11; i++) {
      const v = await kms.createKeyVersion(new $Kms.CreateKeyVersionRequest({ keyId }));
      assert.equal(v.keyVersion.keyId, keyId);
      versions.push(v.keyVersion.keyVersionId);
    }
    assert.equal(await primary(keyId), versions.at(-1));
    const page1 = await kms.listKeyVersions(
      new $Kms.ListKeyVersionsRequest({ keyId, pageNumber: 1, pageSize: 10 }),
    );
    const page2 = await kms.listKeyVersions(
      new $Kms.ListKeyVersionsRequest({ keyId, pageNumber: 2, pageSize: 10 }),
    );
    assert.equal(page1.totalCount, 12);
    assert.equal(page1.keyVersions.keyVersion.length, 10);
    assert.deepEqual(
      [...page1.keyVersions.keyVersion, ...page2.keyVersions.keyVersion].map((v) => v.keyVersionId),
      versions,
    );
    const described = await kms.describeKeyVersion(
      new $Kms.DescribeKeyVersionRequest({ keyId, keyVersionId: versions[3] }),
    );
    assert.equal(described.keyVersion.keyVersionId, versions[3]);
  });

  it("CreateAlias and ListAliases; a duplicate alias is AliasAlreadyExists", async () => {
    await kms.createAlias(new $Kms.CreateAliasRequest({ keyId: ids.sm2, aliasName: "alias/sm2-app" }));
    const listed = await kms.listAliases(new $Kms.ListAliasesRequest({ pageSize: 100 }));
    const alias = listed.aliases.alias.find((a) => a.aliasName === "alias/sm2-app");
    assert.equal(alias?.keyId, ids.sm2);
    assert.equal(alias?.aliasArn, `acs:kms:cn-hangzhou:${emulator.accountId}:alias/sm2-app`);
    const e = await rejection(
      kms.createAlias(new $Kms.CreateAliasRequest({ keyId: ids.rsa, aliasName: "alias/sm2-app" })),
    );
    assert.equal(e.code, "AliasAlreadyExistsError");
  });

  it("UpdateAlias points an alias at another key; an unknown alias is Forbidden.AliasNotFound", async () => {
    await kms.createAlias(new $Kms.CreateAliasRequest({ keyId: ids.sm2, aliasName: "alias/moving" }));
    await kms.updateAlias(new $Kms.UpdateAliasRequest({ keyId: ids.rsa, aliasName: "alias/moving" }));
    const { keyMetadata } = await kms.describeKey(new $Kms.DescribeKeyRequest({ keyId: "alias/moving" }));
    assert.equal(keyMetadata.keyId, ids.rsa);
    const e = await rejection(
      kms.updateAlias(new $Kms.UpdateAliasRequest({ keyId: ids.rsa, aliasName: "alias/never-made" })),
    );
    assert.equal(e.code, "Forbidden.AliasNotFoundError");
  });

  it("DisableKey, EnableKey and ScheduleKeyDeletion move the key state, and encryption follows it", async () => {
    const { keyMetadata } = await kms.createKey(
      new $Kms.CreateKeyRequest({ keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT" }),
    );
    const request = new $Kms.AsymmetricEncryptRequest({
      keyId: keyMetadata.keyId,
      keyVersionId: keyMetadata.primaryKeyVersion,
      algorithm: "RSAES_OAEP_SHA_256",
      plaintext: b64("x"),
    });
    await kms.disableKey(new $Kms.DisableKeyRequest({ keyId: keyMetadata.keyId }));
    assert.equal((await rejection(kms.asymmetricEncrypt(request))).code, "Rejected.DisabledError");
    await kms.enableKey(new $Kms.EnableKeyRequest({ keyId: keyMetadata.keyId }));
    await kms.asymmetricEncrypt(request);
    await kms.scheduleKeyDeletion(
      new $Kms.ScheduleKeyDeletionRequest({ keyId: keyMetadata.keyId, pendingWindowInDays: 7 }),
    );
    const after = await kms.describeKey(new $Kms.DescribeKeyRequest({ keyId: keyMetadata.keyId }));
    assert.equal(after.keyMetadata.keyState, "PendingDeletion");
    assert.ok(Date.parse(after.keyMetadata.deleteDate) > Date.now() + 6 * 24 * 3600 * 1000);
    assert.equal((await rejection(kms.asymmetricEncrypt(request))).code, "Rejected.PendingDeletionError");
    await kms.cancelKeyDeletion(new $Kms.CancelKeyDeletionRequest({ keyId: keyMetadata.keyId }));
    const restored = await kms.describeKey(new $Kms.DescribeKeyRequest({ keyId: keyMetadata.keyId }));
    assert.equal(restored.keyMetadata.keyState, "Enabled");
    await kms.asymmetricEncrypt(request);
  });

  it("ListKeys pages through every key", async () => {
    const listed = await kms.listKeys(new $Kms.ListKeysRequest({ pageNumber: 1, pageSize: 100 }));
    const keyIds = listed.keys.key.map((k) => k.keyId);
    for (const keyId of Object.values(ids).filter((id) => id.startsWith("key-"))) assert.ok(keyIds.includes(keyId), keyId);
    assert.equal(listed.totalCount, keyIds.length);
  });

  it("Certificate operations through doRequest: encrypt, decrypt, describe, get", async () => {
    const encrypted = await call(kms, "CertificatePublicKeyEncrypt", {
      CertificateId: ids.cert,
      Algorithm: "RSAES_OAEP_SHA_256",
      Plaintext: b64("certificate secret"),
    });
    assert.equal(encrypted.CertificateId, ids.cert);
    const decrypted = await call(kms, "CertificatePrivateKeyDecrypt", {
      CertificateId: ids.cert,
      Algorithm: "RSAES_OAEP_SHA_256",
      CiphertextBlob: String(encrypted.CiphertextBlob),
    });
    assert.equal(Buffer.from(String(decrypted.Plaintext), "base64").toString(), "certificate secret");

    const described = await call(kms, "DescribeCertificate", { CertificateId: ids.cert });
    const got = await call(kms, "GetCertificate", { CertificateId: ids.cert });
    const x509 = new X509Certificate(String(got.Certificate));
    assert.equal(described.Arn, `acs:kms:cn-hangzhou:${emulator.accountId}:certificate/${ids.cert}`);
    assert.equal(described.Status, "ACTIVE");
    assert.equal(described.KeySpec, "RSA_2048");
    assert.equal(described.Subject, "CN=sdk-test, O=Example, C=CN");
    assert.equal(described.Serial, x509.serialNumber.toLowerCase());
    assert.equal(described.SignatureAlgorithm, "RSA2048-SHA256", "the documented vocabulary, not the OID's name");
    // SubjectKeyIdentifier by RFC 5280 method 1: SHA-1 of the subjectPublicKey bits, which for RSA are
    // the PKCS#1 RSAPublicKey that node exports on its own.
    const { createHash } = await import("node:crypto");
    const rsaPublicKey = x509.publicKey.export({ type: "pkcs1", format: "der" });
    assert.equal(described.SubjectKeyIdentifier, createHash("sha1").update(rsaPublicKey).digest("hex"));
    assert.ok(x509.verify(x509.publicKey), "self-signed certificate verifies under its own key");
    assert.equal(
      x509.publicKey.export({ type: "spki", format: "pem" }),
      described.SubjectPublicKey,
      "the certificate certifies the key CertificatePublicKeyEncrypt uses",
    );
    assert.match(String(got.Csr), /^-----BEGIN CERTIFICATE REQUEST-----/);
  });

  describe("documented errors, as the SDK surfaces them", () => {
    const encrypt = (params: Record<string, string>) => call(kms, "AsymmetricEncrypt", params);
    const cases: [string, () => Promise<Record<string, string>>, number, string][] = [
      [
        "unknown key",
        async () => ({
          KeyId: "key-nope",
          KeyVersionId: "v",
          Algorithm: "RSAES_OAEP_SHA_256",
          Plaintext: b64("x"),
        }),
        404,
        "Forbidden.KeyNotFound",
      ],
      [
        "unknown alias",
        async () => ({
          KeyId: "alias/nope",
          KeyVersionId: "v",
          Algorithm: "RSAES_OAEP_SHA_256",
          Plaintext: b64("x"),
        }),
        404,
        "Forbidden.AliasNotFound",
      ],
      [
        "ARN of another region",
        async () => ({
          KeyId: `acs:kms:cn-beijing:${emulator.accountId}:key/${ids.rsa}`,
          KeyVersionId: await primary(ids.rsa),
          Algorithm: "RSAES_OAEP_SHA_256",
          Plaintext: b64("x"),
        }),
        404,
        "Forbidden.KeyNotFound",
      ],
      [
        "unknown key version",
        async () => ({
          KeyId: ids.rsa,
          KeyVersionId: "00000000-0000-0000-0000-000000000000",
          Algorithm: "RSAES_OAEP_SHA_256",
          Plaintext: b64("x"),
        }),
        404,
        "Forbidden.KeyVersionNotFound",
      ],
      [
        "SIGN/VERIFY key",
        async () => ({
          KeyId: ids.sign,
          KeyVersionId: await primary(ids.sign),
          Algorithm: "RSAES_OAEP_SHA_256",
          Plaintext: b64("x"),
        }),
        400,
        "Rejected.UnsupportedOperation",
      ],
      [
        "algorithm not valid for the key spec",
        async () => ({
          KeyId: ids.rsa,
          KeyVersionId: await primary(ids.rsa),
          Algorithm: "SM2PKE",
          Plaintext: b64("x"),
        }),
        400,
        "InvalidParameter",
      ],
      [
        "disabled key",
        async () => ({
          KeyId: ids.disabled,
          KeyVersionId: await primary(ids.disabled),
          Algorithm: "RSAES_OAEP_SHA_256",
          Plaintext: b64("x"),
        }),
        409,
        "Rejected.Disabled",
      ],
      [
        "key pending deletion",
        async () => ({
          KeyId: ids.pending,
          KeyVersionId: await primary(ids.pending),
          Algorithm: "RSAES_OAEP_SHA_256",
          Plaintext: b64("x"),
        }),
        409,
        "Rejected.PendingDeletion",
      ],
      [
        "missing parameter",
        async () => ({ KeyId: ids.rsa, Algorithm: "RSAES_OAEP_SHA_256", Plaintext: b64("x") }),
        400,
        "MissingParameter",
      ],
      [
        "plaintext not base64",
        async () => ({
          KeyId: ids.rsa,
          KeyVersionId: await primary(ids.rsa),
          Algorithm: "RSAES_OAEP_SHA_256",
          Plaintext: "not base64!",
        }),
        400,
        "InvalidParameter",
      ],
    ];
    for (const [name, params, status, code] of cases) {
      it(`${name} → ${status} ${code}`, async () => {
        const e = await rejection(encrypt(await params()));
        assert.equal(e.code, `${code}Error`);
        assert.match(
          e.message,
          new RegExp(`^${code.replace(".", "\\.")}Error: code: ${status}, .+ requestid: [0-9A-F-]{36}$`),
        );
        assert.deepEqual(Object.keys(e.data).sort(), ["Code", "HostId", "HttpStatus", "Message", "Recommend", "RequestId"]);
        assert.equal(e.data.Code, code);
      });
    }

    it("unknown certificate → 404 Certificate.NotFound", async () => {
      const e = await rejection(call(kms, "DescribeCertificate", { CertificateId: "nope" }));
      assert.equal(e.code, "Certificate.NotFoundError");
      assert.match(e.message, /code: 404/);
    });

    it("an unsupported action → InvalidAction.NotFound", async () => {
      const e = await rejection(call(kms, "MakeCoffee", {}));
      assert.equal(e.code, "InvalidAction.NotFoundError");
    });

    it("a ciphertext that is not from this key → InvalidCiphertext", async () => {
      const e = await rejection(call(kms, "AsymmetricDecrypt", await rsaParams({ CiphertextBlob: b64("garbage".repeat(40)) })));
      assert.equal(e.code, "InvalidCiphertextError");
    });
  });

  describe("DryRun", () => {
    it("a valid request → DryRunOperationError, with no result in the answer", async () => {
      for (const action of ["AsymmetricEncrypt", "AsymmetricDecrypt", "GetPublicKey"]) {
        const e = await rejection(
          call(kms, action, await rsaParams({ Plaintext: b64("x"), CiphertextBlob: b64("y"), DryRun: "true" })),
        );
        assert.equal(e.code, "DryRunOperationErrorError", action);
        assert.deepEqual(Object.keys(e.data).sort(), ["Code", "HostId", "HttpStatus", "Message", "Recommend", "RequestId"], action);
      }
    });

    it("an invalid request → ValidationError naming the cause", async () => {
      const e = await rejection(call(kms, "AsymmetricEncrypt", await rsaParams({ Plaintext: b64("x".repeat(191)), DryRun: "true" })));
      assert.equal(e.code, "ValidationErrorError");
      assert.match(e.message, /InvalidParameter: .*191 bytes; the limit for this key and algorithm is 190/);
      const missing = await rejection(
        call(kms, "AsymmetricEncrypt", { ...(await rsaParams({ Plaintext: b64("x"), DryRun: "true" })), KeyId: "alias/none" }),
      );
      assert.equal(missing.code, "ValidationErrorError");
      assert.match(missing.message, /Forbidden\.AliasNotFound/);
    });

    it("a caller without permission → AccessDeniedError (403)", async () => {
      const restricted = await startKmsEmulator({
        seed: {
          accessKeys: [
            { accessKeyId: "LTAIro", accessKeySecret: "ro", deniedActions: ["AsymmetricEncrypt"] },
          ],
          keys: [
            {
              keyId: "k",
              keySpec: "RSA_2048",
              keyUsage: "ENCRYPT/DECRYPT",
              versions: [{ keyVersionId: "v1" }],
            },
          ],
          certificates: [],
        },
      });
      try {
        const client = officialClient(restricted);
        const params = {
          KeyId: "k",
          KeyVersionId: "v1",
          Algorithm: "RSAES_OAEP_SHA_256",
          Plaintext: b64("x"),
        };
        const dry = await rejection(call(client, "AsymmetricEncrypt", { ...params, DryRun: "true" }));
        assert.equal(dry.code, "AccessDeniedErrorError");
        assert.match(dry.message, /code: 403/);
        const real = await rejection(call(client, "AsymmetricEncrypt", params));
        assert.equal(real.code, "Forbidden.NoPermissionError");
      } finally {
        await restricted.close();
      }
    });

    it("the stats count dry runs among all calls", async () => {
      emulator.resetStats();
      const params = await rsaParams({ Plaintext: b64("x") }); // one DescribeKey
      await rejection(call(kms, "AsymmetricEncrypt", { ...params, DryRun: "true" }));
      await call(kms, "AsymmetricEncrypt", params);
      await rejection(call(kms, "AsymmetricEncrypt", { ...params, KeyId: "key-nope" }));
      const stats = await (await fetch(`${emulator.endpoint}/__emulator/stats`)).json();
      assert.deepEqual(stats, {
        calls: { DescribeKey: 1, AsymmetricEncrypt: 3 },
        dryRunCalls: { AsymmetricEncrypt: 1 },
        throttled: 0,
        signatures: { "HMAC-SHA1": 4 },
      });
      await fetch(`${emulator.endpoint}/__emulator/reset-stats`, { method: "POST" });
      assert.deepEqual(emulator.stats(), { calls: {}, dryRunCalls: {}, throttled: 0, signatures: {} });
    });
  });
});
