import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startKmsEmulator } from "../test/kms-emulator";
import { call, officialClient } from "../test/support/kms-client";

// `npm run demo`, until the provider lands: starts the local KMS emulator with its state under
// .demo/, encrypts a secret under every key spec and algorithm and under a certificate through the
// official SDK, decrypts each through the API, and cross-checks with OpenSSL where it is installed.

const root = join(__dirname, "..");
const demoDir = join(root, ".demo");
const secret = "correct horse battery staple";

function opensslDecrypt(keyFile: string, algorithm: string, ciphertext: Buffer): string {
  const options =
    algorithm === "SM2PKE"
      ? []
      : [
          "-pkeyopt",
          "rsa_padding_mode:oaep",
          ...["rsa_oaep_md", "rsa_mgf1_md"].flatMap((o) => [
            "-pkeyopt",
            `${o}:${algorithm.endsWith("256") ? "sha256" : "sha1"}`,
          ]),
        ];
  const input = join(demoDir, "ciphertext.bin");
  writeFileSync(input, ciphertext);
  try {
    return execFileSync("openssl", ["pkeyutl", "-decrypt", "-inkey", keyFile, ...options, "-in", input], {
      stdio: ["ignore", "pipe", "ignore"],
    }).toString();
  } catch {
    return "(openssl unavailable)";
  }
}

async function main(): Promise<void> {
  mkdirSync(demoDir, { recursive: true });
  const keysDir = join(demoDir, "keys");
  const emulator = await startKmsEmulator({ dataDir: join(demoDir, "kms"), keysDir });
  try {
    const kms = officialClient(emulator);
    console.log(
      `KMS emulator listening on ${emulator.endpoint} (state in .demo/kms, private keys in .demo/keys)\n`,
    );
    const rows: string[][] = [
      ["target", "algorithm", "ciphertext (base64, head)", "API decrypt", "OpenSSL decrypt"],
    ];
    const plaintext = Buffer.from(secret).toString("base64");

    for (const [alias, algorithm] of [
      ["alias/rsa-2048", "RSAES_OAEP_SHA_256"],
      ["alias/rsa-2048", "RSAES_OAEP_SHA_1"],
      ["alias/rsa-3072", "RSAES_OAEP_SHA_256"],
      ["alias/sm2", "SM2PKE"],
    ] as const) {
      const meta = (await call(kms, "DescribeKey", { KeyId: alias })).KeyMetadata as Record<string, string>;
      const keyId = String(meta.KeyId);
      const keyVersionId = String(meta.PrimaryKeyVersion);
      const { CiphertextBlob } = await call(kms, "AsymmetricEncrypt", {
        KeyId: alias,
        KeyVersionId: keyVersionId,
        Algorithm: algorithm,
        Plaintext: plaintext,
      });
      const { Plaintext } = await call(kms, "AsymmetricDecrypt", {
        KeyId: keyId,
        KeyVersionId: keyVersionId,
        Algorithm: algorithm,
        CiphertextBlob: String(CiphertextBlob),
      });
      const viaOpenssl = opensslDecrypt(
        join(keysDir, keyId, `${keyVersionId}.pem`),
        algorithm,
        Buffer.from(String(CiphertextBlob), "base64"),
      );
      rows.push([
        alias,
        algorithm,
        `${String(CiphertextBlob).slice(0, 24)}…`,
        Buffer.from(String(Plaintext), "base64").toString(),
        viaOpenssl,
      ]);
    }

    const certificateId = String(emulator.seed.certificates[0]?.certificateId);
    const encrypted = await call(kms, "CertificatePublicKeyEncrypt", {
      CertificateId: certificateId,
      Algorithm: "RSAES_OAEP_SHA_256",
      Plaintext: plaintext,
    });
    const decrypted = await call(kms, "CertificatePrivateKeyDecrypt", {
      CertificateId: certificateId,
      Algorithm: "RSAES_OAEP_SHA_256",
      CiphertextBlob: String(encrypted.CiphertextBlob),
    });
    rows.push([
      `certificate ${certificateId.slice(0, 8)}…`,
      "RSAES_OAEP_SHA_256",
      `${String(encrypted.CiphertextBlob).slice(0, 24)}…`,
      Buffer.from(String(decrypted.Plaintext), "base64").toString(),
      opensslDecrypt(
        join(keysDir, "certificates", `${certificateId}.pem`),
        "RSAES_OAEP_SHA_256",
        Buffer.from(String(encrypted.CiphertextBlob), "base64"),
      ),
    ]);

    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join("  "));
    const ok = rows
      .slice(1)
      .every((r) => r[3] === secret && (r[4] === secret || r[4] === "(openssl unavailable)"));
    console.log(`\nKMS calls served: ${JSON.stringify(emulator.stats().calls)}`);
    console.log(ok ? "Every ciphertext decrypted back to the secret." : "MISMATCH: a round trip failed.");
    if (!ok) process.exitCode = 1;
  } finally {
    await emulator.close();
  }
}

main().catch((e: Error) => {
  console.error(`demo failed: ${e.message}`);
  process.exit(1);
});
