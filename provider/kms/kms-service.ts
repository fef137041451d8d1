import { KmsCallError } from "./kms-call-error";
import { type Algorithm, isSymmetric } from "./key-spec-limits";
import { canonicalContext, type EncryptionContext } from "./encryption-context";
import type { KmsTransport } from "./kms-transport";
import { isUtf8Text } from "./symmetric-plaintext";

// The KMS operations the provider uses, typed. One instance talks to one region.

export interface KeyMetadata {
  keyId: string;
  arn: string;
  keySpec: string;
  keyUsage: string;
  keyState: string;
  /** "" when DescribeKey leaves it out: documented for symmetric keys only (see currentKeyVersion). */
  primaryKeyVersion: string;
  /** The KMS instance (kst-…) the key lives in, "" for a key outside one. */
  kmsInstanceId: string;
}

export interface KeyVersion {
  keyVersionId: string;
  creationDate: string;
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
  /** Every version of the key (all pages), in KMS's order. */
  listKeyVersions(keyId: string): Promise<KeyVersion[]>;
  /** Resolves when the version belongs to the key; rejects with Forbidden.KeyVersionNotFound otherwise. */
  describeKeyVersion(keyId: string, keyVersionId: string): Promise<void>;
  describeCertificate(certificateId: string): Promise<CertificateMetadata>;
  /**
   * AsymmetricEncrypt with DryRun=true: checks permission, key state, version and algorithm without
   * encrypting. The plaintext sent is zeros of the real length: the secret never leaves for a preview.
   */
  dryRunEncrypt(
    keyId: string, keyVersionId: string, algorithm: Algorithm, plaintextBytes: number, context?: EncryptionContext,
  ): Promise<void>;
  /** GetPublicKey: the key version's public key, PEM SubjectPublicKeyInfo. */
  getPublicKey(keyId: string, keyVersionId: string): Promise<string>;
  /** GetPublicKey with DryRun=true: checks permission, key state and version. */
  dryRunGetPublicKey(keyId: string, keyVersionId: string): Promise<void>;
  /**
   * AsymmetricEncrypt under the version, or for SYMMETRIC_DEFAULT Encrypt, which takes no version
   * (KMS picks it and says which) and binds the encryption context. For Encrypt, `plaintext` is the
   * UTF-8 bytes of the string KMS is given and Decrypt returns (symmetric-plaintext.ts).
   */
  encrypt(
    keyId: string, keyVersionId: string, algorithm: Algorithm, plaintext: Buffer, context?: EncryptionContext,
  ): Promise<Ciphertext>;
  encryptWithCertificate(certificateId: string, algorithm: Algorithm, plaintext: Buffer): Promise<Ciphertext>;
}

/** The decrypt half, used by applications (decrypt.ts) and never by the provider. */
export interface KmsDecryptor {
  readonly region: string;
  asymmetricDecrypt(keyId: string, keyVersionId: string, algorithm: Algorithm, ciphertextBlob: string): Promise<Buffer>;
  certificatePrivateKeyDecrypt(certificateId: string, algorithm: Algorithm, ciphertextBlob: string): Promise<Buffer>;
  /**
   * Decrypt (symmetric keys): the ciphertext names its key; KMS says which, for the caller to
   * compare. `plaintext` is the UTF-8 bytes of the string Encrypt was given.
   */
  decrypt(ciphertextBlob: string, context?: EncryptionContext): Promise<{ plaintext: Buffer; keyId: string }>;
}

/**
 * The calls a key rotation of a value no one sees makes, with DryRun=true: whether the deploying
 * identity may make them, asked at preview, opening nothing.
 */
export interface KmsCarryOverCheck {
  dryRunReEncrypt(
    ciphertextBlob: string, sourceContext: EncryptionContext | undefined,
    destinationKeyId: string, destinationContext?: EncryptionContext,
  ): Promise<void>;
  dryRunAsymmetricDecrypt(keyId: string, keyVersionId: string, algorithm: Algorithm, ciphertextBlob: string): Promise<void>;
  dryRunDecrypt(ciphertextBlob: string, context?: EncryptionContext): Promise<void>;
}

/**
 * ReEncrypt (symmetric source and destination): KMS opens a ciphertext under its source context and
 * seals what it held under the destination key and context, the plaintext never leaving KMS. What a
 * key rotation needs for a value no one is to see (EncryptedRandomPassword).
 */
export interface KmsReEncryptor {
  readonly region: string;
  reEncrypt(
    ciphertextBlob: string, sourceContext: EncryptionContext | undefined,
    destinationKeyId: string, destinationContext?: EncryptionContext,
  ): Promise<Ciphertext & { sourceKeyId: string }>;
}

/**
 * The EncryptionContext parameter, left out when there is none: JSON in one spelling (keys sorted),
 * so Encrypt and every later Decrypt send the same string, whether KMS compares contexts as maps
 * ("an equivalent value", as the reference says) or as the text it was given.
 */
function contextParam(context?: EncryptionContext): Record<string, string> {
  return context && Object.keys(context).length > 0 ? { EncryptionContext: canonicalContext(context) } : {};
}

/** ReEncrypt's parameters, each context in the one spelling Encrypt and Decrypt send (contextParam). */
function reEncryptParams(
  ciphertextBlob: string, sourceContext: EncryptionContext | undefined,
  destinationKeyId: string, destinationContext?: EncryptionContext,
): Record<string, string> {
  const source = contextParam(sourceContext).EncryptionContext;
  const destination = contextParam(destinationContext).EncryptionContext;
  return {
    CiphertextBlob: ciphertextBlob,
    DestinationKeyId: destinationKeyId,
    ...(source !== undefined ? { SourceEncryptionContext: source } : {}),
    ...(destination !== undefined ? { DestinationEncryptionContext: destination } : {}),
  };
}

function field(o: Record<string, unknown>, name: string): string {
  const v = o[name];
  return typeof v === "string" ? v : "";
}

/** The codes KMS answers for a version the key does not have: the documented one, and the older one. */
export function isUnknownKeyVersion(code: string): boolean {
  return code === "Forbidden.KeyVersionNotFound" || code === "Forbidden.ResourceNotFound";
}

/**
 * The version a value that follows its key is encrypted under: DescribeKey's PrimaryKeyVersion when
 * KMS gives one, else the newest CreationDate in ListKeyVersions (the reference documents
 * PrimaryKeyVersion for symmetric keys only, and sends asymmetric callers to ListKeyVersions). Equal
 * dates: the one listed last. Undefined when the key lists no version.
 */
export async function currentKeyVersion(kms: KmsService, key: KeyMetadata): Promise<string | undefined> {
  if (key.primaryKeyVersion) return key.primaryKeyVersion;
  let newest: { id: string; at: number } | undefined;
  for (const v of await kms.listKeyVersions(key.keyId)) {
    const parsed = Date.parse(v.creationDate);
    const at = Number.isNaN(parsed) ? -Infinity : parsed;
    if (v.keyVersionId && (!newest || at >= newest.at)) newest = { id: v.keyVersionId, at };
  }
  return newest?.id;
}

/**
 * Encrypt's Plaintext: the string whose UTF-8 bytes these are (symmetric-plaintext.ts). Anything
 * else would not come back from Decrypt as it went in, so it never leaves.
 */
function symmetricText(plaintext: Buffer): string {
  if (!isUtf8Text(plaintext)) throw new KmsCallError("Encrypt", "NotText", "");
  return plaintext.toString("utf8");
}

/** Never a request with an empty KeyVersionId: KMS would answer MissingParameter about a key that is fine. */
function version(action: string, keyVersionId: string): string {
  if (!keyVersionId) throw new KmsCallError(action, "NoKeyVersion", "");
  return keyVersionId;
}

/** ListKeyVersions pages: KMS's largest page, and a bound so an endless answer cannot loop forever. */
const VERSIONS_PAGE_SIZE = 100;
const MAX_VERSION_PAGES = 100;
export class RemoteKmsService implements KmsService, KmsDecryptor, KmsReEncryptor, KmsCarryOverCheck {
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
      kmsInstanceId: field(m, "DKMSInstanceId"),
    };
  }

  async listKeyVersions(keyId: string): Promise<KeyVersion[]> {
    const versions: KeyVersion[] = [];
    for (let page = 1; page <= MAX_VERSION_PAGES; page++) {
      const answer = await this.send("ListKeyVersions", { KeyId: keyId, PageNumber: String(page), PageSize: String(VERSIONS_PAGE_SIZE) });
      const listed = ((answer.KeyVersions ?? {}) as { KeyVersion?: unknown }).KeyVersion;
      const items = Array.isArray(listed) ? (listed as Record<string, unknown>[]) : [];
      versions.push(...items.map((v) => ({ keyVersionId: field(v, "KeyVersionId"), creationDate: field(v, "CreationDate") })));
      const total = Number(answer.TotalCount);
      if (items.length < VERSIONS_PAGE_SIZE || (Number.isFinite(total) && versions.length >= total)) break;
    }
    return versions;
  }

  async describeKeyVersion(keyId: string, keyVersionId: string): Promise<void> {
    await this.send("DescribeKeyVersion", { KeyId: keyId, KeyVersionId: version("DescribeKeyVersion", keyVersionId) });
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

  async dryRunEncrypt(
    keyId: string, keyVersionId: string, algorithm: Algorithm, plaintextBytes: number, context?: EncryptionContext,
  ): Promise<void> {
    if (isSymmetric(algorithm)) {
      // Encrypt's Plaintext is a string, counted in UTF-8 bytes: as many zeros as the real one has.
      await this.dryRun("Encrypt", { KeyId: keyId, Plaintext: "0".repeat(Math.max(1, plaintextBytes)), ...contextParam(context) });
      return;
    }
    await this.dryRun("AsymmetricEncrypt", {
      KeyId: keyId,
      KeyVersionId: version("AsymmetricEncrypt", keyVersionId),
      Algorithm: algorithm,
      Plaintext: Buffer.alloc(Math.max(1, plaintextBytes)).toString("base64"),
    });
  }

  async getPublicKey(keyId: string, keyVersionId: string): Promise<string> {
    const answer = await this.send("GetPublicKey", { KeyId: keyId, KeyVersionId: version("GetPublicKey", keyVersionId) });
    return field(answer, "PublicKey");
  }

  async dryRunGetPublicKey(keyId: string, keyVersionId: string): Promise<void> {
    await this.dryRun("GetPublicKey", { KeyId: keyId, KeyVersionId: version("GetPublicKey", keyVersionId) });
  }

  /**
   * A DryRun call fails by design; DryRunOperationError is KMS's "it would have succeeded". Its other
   * answers (ValidationError, AccessDeniedError) pass on as they are: their message format is
   * undocumented and may be a bare sentence, so nothing is read out of it (resolve-target.ts finds
   * out what is wrong by asking).
   */
  private async dryRun(action: string, params: Record<string, string>): Promise<void> {
    try {
      await this.send(action, { ...params, DryRun: "true" });
    } catch (e) {
      if (e instanceof KmsCallError && (e.code === "DryRunOperationError" || e.code === "DryRunOperation")) return;
      throw e;
    }
  }

  async encrypt(
    keyId: string, keyVersionId: string, algorithm: Algorithm, plaintext: Buffer, context?: EncryptionContext,
  ): Promise<Ciphertext> {
    if (isSymmetric(algorithm)) {
      const answer = await this.send("Encrypt", { KeyId: keyId, Plaintext: symmetricText(plaintext), ...contextParam(context) });
      return { ciphertextBlob: field(answer, "CiphertextBlob"), keyId: field(answer, "KeyId"), keyVersionId: field(answer, "KeyVersionId") };
    }
    const answer = await this.send("AsymmetricEncrypt", {
      KeyId: keyId,
      KeyVersionId: version("AsymmetricEncrypt", keyVersionId),
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
    const answer = await this.send("AsymmetricDecrypt", {
      KeyId: keyId, KeyVersionId: version("AsymmetricDecrypt", keyVersionId), Algorithm: algorithm, CiphertextBlob: ciphertextBlob });
    return Buffer.from(field(answer, "Plaintext"), "base64");
  }

  async decrypt(ciphertextBlob: string, context?: EncryptionContext): Promise<{ plaintext: Buffer; keyId: string }> {
    const answer = await this.send("Decrypt", { CiphertextBlob: ciphertextBlob, ...contextParam(context) });
    // The string Encrypt was given, verbatim: its UTF-8 bytes (symmetric-plaintext.ts).
    return { plaintext: Buffer.from(field(answer, "Plaintext"), "utf8"), keyId: field(answer, "KeyId") };
  }

  async reEncrypt(
    ciphertextBlob: string, sourceContext: EncryptionContext | undefined,
    destinationKeyId: string, destinationContext?: EncryptionContext,
  ): Promise<Ciphertext & { sourceKeyId: string }> {
    const answer = await this.send("ReEncrypt", reEncryptParams(ciphertextBlob, sourceContext, destinationKeyId, destinationContext));
    return {
      ciphertextBlob: field(answer, "CiphertextBlob"), keyId: field(answer, "KeyId"), keyVersionId: field(answer, "KeyVersionId"),
      sourceKeyId: field(answer, "SourceKeyId"),
    };
  }

  async dryRunReEncrypt(
    ciphertextBlob: string, sourceContext: EncryptionContext | undefined,
    destinationKeyId: string, destinationContext?: EncryptionContext,
  ): Promise<void> {
    await this.dryRun("ReEncrypt", reEncryptParams(ciphertextBlob, sourceContext, destinationKeyId, destinationContext));
  }

  async dryRunAsymmetricDecrypt(
    keyId: string, keyVersionId: string, algorithm: Algorithm, ciphertextBlob: string,
  ): Promise<void> {
    const keyVersion = version("AsymmetricDecrypt", keyVersionId);
    await this.dryRun("AsymmetricDecrypt", { KeyId: keyId, KeyVersionId: keyVersion, Algorithm: algorithm, CiphertextBlob: ciphertextBlob });
  }

  async dryRunDecrypt(ciphertextBlob: string, context?: EncryptionContext): Promise<void> {
    await this.dryRun("Decrypt", { CiphertextBlob: ciphertextBlob, ...contextParam(context) });
  }

  async certificatePrivateKeyDecrypt(certificateId: string, algorithm: Algorithm, ciphertextBlob: string): Promise<Buffer> {
    const answer = await this.send("CertificatePrivateKeyDecrypt", { CertificateId: certificateId, Algorithm: algorithm, CiphertextBlob: ciphertextBlob });
    return Buffer.from(field(answer, "Plaintext"), "base64");
  }
}
