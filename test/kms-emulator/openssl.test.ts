import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { call, officialClient, rejection } from "../support/kms-client";
import { openssl, opensslOptions } from "../support/openssl";
import { readChildren, readOnly } from "./der";
import { type KmsEmulator, startKmsEmulator } from "./index";

// The emulator's cryptography checked by an independent implementation: OpenSSL decrypts what the
// API encrypts (with the --keys-dir PEM), and the API decrypts what OpenSSL encrypts (with the
// GetPublicKey PEM or the certificate's public key). Limits are exact to the byte.

const combinations = [
  { keyId: "key-rsa2048", keySpec: "RSA_2048", algorithm: "RSAES_OAEP_SHA_256", limit: 190 },
  { keyId: "key-rsa2048", keySpec: "RSA_2048", algorithm: "RSAES_OAEP_SHA_1", limit: 214 },
  { keyId: "key-rsa3072", keySpec: "RSA_3072", algorithm: "RSAES_OAEP_SHA_256", limit: 318 },
  { keyId: "key-rsa3072", keySpec: "RSA_3072", algorithm: "RSAES_OAEP_SHA_1", limit: 342 },
  { keyId: "key-sm2", keySpec: "EC_SM2", algorithm: "SM2PKE", limit: 6047 },
] as const;

const certificates = [
  { certificateId: "cert-rsa", keySpec: "RSA_2048", algorithm: "RSAES_OAEP_SHA_256", limit: 190 },
  { certificateId: "cert-rsa", keySpec: "RSA_2048", algorithm: "RSAES_OAEP_SHA_1", limit: 214 },
  { certificateId: "cert-sm2", keySpec: "EC_SM2", algorithm: "SM2PKE", limit: 6047 },
] as const;

describe("cryptography against OpenSSL", () => {
  let emulator: KmsEmulator;
  let dir: string;
  const keysDir = () => join(dir, "keys");

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "kms-openssl-"));
    emulator = await startKmsEmulator({
      keysDir: join(dir, "keys"),
      seed: {
        accessKeys: [{ accessKeyId: "LTAIossl", accessKeySecret: "ossl-secret" }],
        keys: [
          { keyId: "key-rsa2048", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT" },
          { keyId: "key-rsa3072", keySpec: "RSA_3072", keyUsage: "ENCRYPT/DECRYPT" },
          { keyId: "key-sm2", keySpec: "EC_SM2", keyUsage: "ENCRYPT/DECRYPT" },
        ],
        certificates: [
          { certificateId: "cert-rsa", keySpec: "RSA_2048" },
          { certificateId: "cert-sm2", keySpec: "EC_SM2", subject: "CN=sm2-cert, C=CN" },
        ],
      },
    });
  });
  after(async () => {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const kms = () => officialClient(emulator);
  const primary = async (keyId: string) =>
    String(
      ((await call(kms(), "DescribeKey", { KeyId: keyId })).KeyMetadata as Record<string, unknown>)
        .PrimaryKeyVersion,
    );
  const file = (name: string, content: Buffer | string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  for (const c of combinations) {
    describe(`${c.keySpec} ${c.algorithm}`, () => {
      it("API encrypt → OpenSSL decrypts with the --keys-dir PEM (at the limit, and a few random sizes)", async () => {
        const keyVersionId = await primary(c.keyId);
        for (const size of [1, 17, c.limit]) {
          const plaintext = Buffer.from(Array.from({ length: size }, (_, i) => (i * 31 + size) & 0xff));
          const { CiphertextBlob } = await call(kms(), "AsymmetricEncrypt", {
            KeyId: c.keyId,
            KeyVersionId: keyVersionId,
            Algorithm: c.algorithm,
            Plaintext: plaintext.toString("base64"),
          });
          const ciphertext = file(
            `ct-${c.keyId}-${c.algorithm}`,
            Buffer.from(String(CiphertextBlob), "base64"),
          );
          const decrypted = openssl([
            "pkeyutl",
            "-decrypt",
            "-inkey",
            join(keysDir(), c.keyId, `${keyVersionId}.pem`),
            ...opensslOptions[c.algorithm]!,
            "-in",
            ciphertext,
          ]);
          assert.deepEqual(decrypted, plaintext, `size ${size}`);
        }
      });

      it("OpenSSL encrypt with the GetPublicKey PEM → API decrypts", async () => {
        const keyVersionId = await primary(c.keyId);
        const { PublicKey } = await call(kms(), "GetPublicKey", {
          KeyId: c.keyId,
          KeyVersionId: keyVersionId,
        });
        const plaintext = Buffer.from(`openssl → kms ${c.algorithm}`);
        const ciphertext = openssl([
          "pkeyutl",
          "-encrypt",
          "-pubin",
          "-inkey",
          file("pub.pem", String(PublicKey)),
          ...opensslOptions[c.algorithm]!,
          "-in",
          file("pt", plaintext),
        ]);
        const { Plaintext } = await call(kms(), "AsymmetricDecrypt", {
          KeyId: c.keyId,
          KeyVersionId: keyVersionId,
          Algorithm: c.algorithm,
          CiphertextBlob: ciphertext.toString("base64"),
        });
        assert.deepEqual(Buffer.from(String(Plaintext), "base64"), plaintext);
      });

      it(`exactly ${c.limit} bytes succeed, ${c.limit + 1} are refused with InvalidParameter`, async () => {
        const params = { KeyId: c.keyId, KeyVersionId: await primary(c.keyId), Algorithm: c.algorithm };
        await call(kms(), "AsymmetricEncrypt", {
          ...params,
          Plaintext: Buffer.alloc(c.limit, 7).toString("base64"),
        });
        const e = await rejection(
          call(kms(), "AsymmetricEncrypt", {
            ...params,
            Plaintext: Buffer.alloc(c.limit + 1, 7).toString("base64"),
          }),
        );
        assert.equal(e.code, "InvalidParameterError");
        assert.match(
          e.message,
          new RegExp(`${c.limit + 1} bytes; the limit for this key and algorithm is ${c.limit}`),
        );
      });
    });
  }

  it("SM2 decrypt also accepts the raw 04‖X‖Y‖C3‖C2 form", async () => {
    const keyVersionId = await primary("key-sm2");
    const pub = file(
      "sm2pub.pem",
      String((await call(kms(), "GetPublicKey", { KeyId: "key-sm2", KeyVersionId: keyVersionId })).PublicKey),
    );
    const der = openssl(["pkeyutl", "-encrypt", "-pubin", "-inkey", pub, "-in", file("pt", "raw form")]);
    const [x, y, hash, body] = readChildren(readOnly(der)).map((e) => e.content);
    const coordinate = (v: Buffer) =>
      Buffer.concat([Buffer.alloc(32), v.subarray(v[0] === 0 ? 1 : 0)]).subarray(-32);
    const raw = Buffer.concat([Buffer.from([4]), coordinate(x!), coordinate(y!), hash!, body!]);
    const { Plaintext } = await call(kms(), "AsymmetricDecrypt", {
      KeyId: "key-sm2",
      KeyVersionId: keyVersionId,
      Algorithm: "SM2PKE",
      CiphertextBlob: raw.toString("base64"),
    });
    assert.equal(Buffer.from(String(Plaintext), "base64").toString(), "raw form");
  });

  for (const c of certificates) {
    it(`certificate ${c.keySpec} ${c.algorithm}: API ↔ OpenSSL both ways, limit exact`, async () => {
      const { Certificate } = await call(kms(), "GetCertificate", { CertificateId: c.certificateId });
      const certificatePath = file(`${c.certificateId}.crt`, String(Certificate));
      const text = openssl(["x509", "-in", certificatePath, "-noout", "-text"]).toString();
      assert.match(text, /Version: 3/);
      // The certificate's public key is the one the emulator encrypts with.
      const certifiedKey = file(
        `${c.certificateId}.pub`,
        openssl(["x509", "-in", certificatePath, "-noout", "-pubkey"]),
      );

      const plaintext = Buffer.alloc(c.limit, 0x5a);
      const { CiphertextBlob } = await call(kms(), "CertificatePublicKeyEncrypt", {
        CertificateId: c.certificateId,
        Algorithm: c.algorithm,
        Plaintext: plaintext.toString("base64"),
      });
      const decrypted = openssl([
        "pkeyutl",
        "-decrypt",
        "-inkey",
        join(keysDir(), "certificates", `${c.certificateId}.pem`),
        ...opensslOptions[c.algorithm]!,
        "-in",
        file("cert-ct", Buffer.from(String(CiphertextBlob), "base64")),
      ]);
      assert.deepEqual(decrypted, plaintext);

      const ciphertext = openssl([
        "pkeyutl",
        "-encrypt",
        "-pubin",
        "-inkey",
        certifiedKey,
        ...opensslOptions[c.algorithm]!,
        "-in",
        file("pt", "from openssl"),
      ]);
      const { Plaintext } = await call(kms(), "CertificatePrivateKeyDecrypt", {
        CertificateId: c.certificateId,
        Algorithm: c.algorithm,
        CiphertextBlob: ciphertext.toString("base64"),
      });
      assert.equal(Buffer.from(String(Plaintext), "base64").toString(), "from openssl");

      const over = await rejection(
        call(kms(), "CertificatePublicKeyEncrypt", {
          CertificateId: c.certificateId,
          Algorithm: c.algorithm,
          Plaintext: Buffer.alloc(c.limit + 1, 1).toString("base64"),
        }),
      );
      assert.equal(over.code, "InvalidParameterError");
    });
  }

  it("the SM2 certificate's SM3WithSM2 self-signature verifies with OpenSSL", async () => {
    // OpenSSL 3.0's `verify` does not pass -vfyopt distid to the self-signature check, so the
    // signature over the TBSCertificate is checked with pkeyutl, which does.
    const { Certificate } = await call(kms(), "GetCertificate", { CertificateId: "cert-sm2" });
    const path = file("sm2.crt", String(Certificate));
    const [tbs, , signature] = readChildren(
      readOnly(Buffer.from(String(Certificate).replace(/-----[^-]+-----/g, ""), "base64")),
    );
    const publicKey = file("sm2-cert.pub", openssl(["x509", "-in", path, "-noout", "-pubkey"]));
    const out = openssl([
      "pkeyutl",
      "-verify",
      "-pubin",
      "-inkey",
      publicKey,
      "-rawin",
      "-digest",
      "sm3",
      "-pkeyopt",
      "distid:1234567812345678",
      "-in",
      file("tbs.der", tbs!.encoded),
      "-sigfile",
      file("sig.der", signature!.content.subarray(1)),
    ]).toString();
    assert.match(out, /Signature Verified Successfully/);
    assert.match(
      openssl(["x509", "-in", path, "-noout", "-text"]).toString(),
      /Signature Algorithm: SM2-with-SM3/,
    );
  });

  it("a key created later is written to --keys-dir at once", async () => {
    const { KeyMetadata } = await call(kms(), "CreateKey", {
      KeySpec: "EC_SM2",
      KeyUsage: "ENCRYPT/DECRYPT",
    });
    const { KeyId, PrimaryKeyVersion } = KeyMetadata as Record<string, string>;
    const { KeyVersion } = await call(kms(), "CreateKeyVersion", { KeyId: KeyId! });
    for (const version of [PrimaryKeyVersion, (KeyVersion as Record<string, string>).KeyVersionId]) {
      const path = join(keysDir(), KeyId!, `${version}.pem`);
      assert.match(readFileSync(path, "utf8"), /^-----BEGIN PRIVATE KEY-----/);
      assert.match(openssl(["pkey", "-in", path, "-noout", "-text"]).toString(), /ASN1 OID: SM2/);
    }
  });
});
