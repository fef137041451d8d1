import { KmsCallError } from "./kms-call-error";
import type { Algorithm } from "./key-spec-limits";
import type { KmsTransport } from "./kms-transport";

// The KMS operations the provider uses, typed. One instance talks to one region.

export interface KeyMetadata {
  keyId: string;
  arn: string;
  keySpec: string;
  keyUsage: string;
  keyState: string;
  primaryKeyVersion: string;
}

export interface CertificateMetadata {
  certificateId: string;
  keySpec: string;
  status: string;
  /** The certificate's public key, PEM SubjectPublicKeyInfo ("" when KMS sent none). */
  subjectPublicKey: string;
}

export interface Ciphertext {
  ciphertextBlob: string;
  keyId?: string;
  keyVersionId?: string;
}

export interface KmsService {
  readonly region: string;
  describeKey(keyReference: string): Promise<KeyMetadata>;
  /** Resolves when the version belongs to the key; rejects with Forbidden.ResourceNotFound otherwise. */
  describeKeyVersion(keyId: string, keyVersionId: string): Promise<void>;
  describeCertificate(certificateId: string): Promise<CertificateMetadata>;
  /**
   * AsymmetricEncrypt with DryRun=true: checks permission, key state, version and algorithm without
   * encrypting. The plaintext sent is zeros of the real length: the secret never leaves for a preview.
   */
  dryRunEncrypt(keyId: string, keyVersionId: string, algorithm: Algorithm, plaintextBytes: number): Promise<void>;
  /** GetPublicKey: the key version's public key, PEM SubjectPublicKeyInfo. */
  getPublicKey(keyId: string, keyVersionId: string): Promise<string>;
  /** GetPublicKey with DryRun=true: checks permission, key state and version. */
  dryRunGetPublicKey(keyId: string, keyVersionId: string): Promise<void>;
  encrypt(keyId: string, keyVersionId: string, algorithm: Algorithm, plaintext: Buffer): Promise<Ciphertext>;
  encryptWithCertificate(certificateId: string, algorithm: Algorithm, plaintext: Buffer): Promise<Ciphertext>;
}

/** The decrypt half, used by applications (decrypt.ts) and never by the provider. */
export interface KmsDecryptor {
  readonly region: string;
  asymmetricDecrypt(keyId: string, keyVersionId: string, algorithm: Algorithm, ciphertextBlob: string): Promise<Buffer>;
  certificatePrivateKeyDecrypt(certificateId: string, algorithm: Algorithm, ciphertextBlob: string): Promise<Buffer>;
}

function field(o: Record<string, unknown>, name: string): string {
  const v = o[name];
  return typeof v === "string" ? v : "";
}

export class RemoteKmsService implements KmsService, KmsDecryptor {
  constructor(readonly region: string, private readonly send: KmsTransport) {}

  async describeKey(keyReference: string): Promise<KeyMetadata> {
    const answer = await this.send("DescribeKey", { KeyId: keyReference });
    const m = (answer.KeyMetadata ?? {}) as Record<string, unknown>;
    return {
      keyId: field(m, "KeyId"),
      arn: field(m, "Arn"),
      keySpec: field(m, "KeySpec"),
      keyUsage: field(m, "KeyUsage"),
      keyState: field(m, "KeyState"),
      primaryKeyVersion: field(m, "PrimaryKeyVersion"),
    };
  }

  async describeKeyVersion(keyId: string, keyVersionId: string): Promise<void> {
    await this.send("DescribeKeyVersion", { KeyId: keyId, KeyVersionId: keyVersionId });
  }

  async describeCertificate(certificateId: string): Promise<CertificateMetadata> {
    const answer = await this.send("DescribeCertificate", { CertificateId: certificateId });
    return {
      certificateId: field(answer, "CertificateId"),
      keySpec: field(answer, "KeySpec"),
      status: field(answer, "Status"),
      subjectPublicKey: field(answer, "SubjectPublicKey"),
    };
  }

  async dryRunEncrypt(keyId: string, keyVersionId: string, algorithm: Algorithm, plaintextBytes: number): Promise<void> {
    await this.dryRun("AsymmetricEncrypt", {
      KeyId: keyId,
      KeyVersionId: keyVersionId,
      Algorithm: algorithm,
      Plaintext: Buffer.alloc(Math.max(1, plaintextBytes)).toString("base64"),
    });
  }

  async getPublicKey(keyId: string, keyVersionId: string): Promise<string> {
    const answer = await this.send("GetPublicKey", { KeyId: keyId, KeyVersionId: keyVersionId });
    return field(answer, "PublicKey");
  }

  async dryRunGetPublicKey(keyId: string, keyVersionId: string): Promise<void> {
    await this.dryRun("GetPublicKey", { KeyId: keyId, KeyVersionId: keyVersionId });
  }

  /** A DryRun call fails by design; DryRunOperationError is KMS's "it would have succeeded". */
  private async dryRun(action: string, params: Record<string, string>): Promise<void> {
    try {
      await this.send(action, { ...params, DryRun: "true" });
    } catch (e) {
      if (!(e instanceof KmsCallError)) throw e;
      if (e.code === "DryRunOperationError" || e.code === "DryRunOperation") return;
      if (e.code === "ValidationError") {
        // KMS names the underlying problem at the start of the message ("Rejected.Disabled: …").
        const inner = /^([A-Za-z][\w.]*):\s*(.*)$/s.exec(e.kmsMessage);
        if (inner) throw new KmsCallError(e.action, inner[1] as string, inner[2] as string, e.httpStatus, e.requestId);
      }
      throw e;
    }
  }

  async encrypt(keyId: string, keyVersionId: string, algorithm: Algorithm, plaintext: Buffer): Promise<Ciphertext> {
    const answer = await this.send("AsymmetricEncrypt", {
      KeyId: keyId,
      KeyVersionId: keyVersionId,
      Algorithm: algorithm,
      Plaintext: plaintext.toString("base64"),
    });
    return { ciphertextBlob: field(answer, "CiphertextBlob"), keyId: field(answer, "KeyId"), keyVersionId: field(answer, "KeyVersionId") };
  }

  async encryptWithCertificate(certificateId: string, algorithm: Algorithm, plaintext: Buffer): Promise<Ciphertext> {
    const answer = await this.send("CertificatePublicKeyEncrypt", {
      CertificateId: certificateId,
      Algorithm: algorithm,
      Plaintext: plaintext.toString("base64"),
    });
    return { ciphertextBlob: field(answer, "CiphertextBlob") };
  }

  async asymmetricDecrypt(keyId: string, keyVersionId: string, algorithm: Algorithm, ciphertextBlob: string): Promise<Buffer> {
    const answer = await this.send("AsymmetricDecrypt", { KeyId: keyId, KeyVersionId: keyVersionId, Algorithm: algorithm, CiphertextBlob: ciphertextBlob });
    return Buffer.from(field(answer, "Plaintext"), "base64");
  }

  async certificatePrivateKeyDecrypt(certificateId: string, algorithm: Algorithm, ciphertextBlob: string): Promise<Buffer> {
    const answer = await this.send("CertificatePrivateKeyDecrypt", { CertificateId: certificateId, Algorithm: algorithm, CiphertextBlob: ciphertextBlob });
    return Buffer.from(field(answer, "Plaintext"), "base64");
  }
}
