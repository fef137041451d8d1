import type { Algorithm } from "./key-spec-limits";
import { canonicalContext, type EncryptionContext } from "./encryption-context";
import type { CertificateMetadata, Ciphertext, KeyMetadata, KeyVersion, KmsService } from "./kms-service";

// Per-process memo of the read-only answers (key and certificate metadata, version lists and
// membership, public keys, DryRun verdicts), so a stack of many values costs one DescribeKey per key, not per value.
// Failures are not remembered; encryption always goes through.

export class CachedKmsService implements KmsService {
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(private readonly inner: KmsService) {}

  get region(): string {
    return this.inner.region;
  }

  private once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let hit = this.memo.get(key) as Promise<T> | undefined;
    if (!hit) {
      hit = load();
      this.memo.set(key, hit);
      hit.catch(() => this.memo.delete(key));
    }
    return hit;
  }

  describeKey(keyReference: string): Promise<KeyMetadata> {
    return this.once(`key ${keyReference}`, () => this.inner.describeKey(keyReference));
  }

  listKeyVersions(keyId: string): Promise<KeyVersion[]> {
    return this.once(`versions ${keyId}`, () => this.inner.listKeyVersions(keyId));
  }

  describeKeyVersion(keyId: string, keyVersionId: string): Promise<void> {
    return this.once(`version ${keyId} ${keyVersionId}`, () => this.inner.describeKeyVersion(keyId, keyVersionId));
  }

  describeCertificate(certificateId: string): Promise<CertificateMetadata> {
    return this.once(`certificate ${certificateId}`, () => this.inner.describeCertificate(certificateId));
  }

  // Plaintext size is checked against keySpecLimits before this, so the verdict depends only on
  // the key, version and algorithm.
  dryRunEncrypt(
    keyId: string, keyVersionId: string, algorithm: Algorithm, plaintextBytes: number, context?: EncryptionContext,
  ): Promise<void> {
    const bound = context ? ` ${canonicalContext(context)}` : "";
    return this.once(`dry-run ${keyId} ${keyVersionId} ${algorithm}${bound}`, () =>
      this.inner.dryRunEncrypt(keyId, keyVersionId, algorithm, plaintextBytes, context));
  }

  getPublicKey(keyId: string, keyVersionId: string): Promise<string> {
    return this.once(`public-key ${keyId} ${keyVersionId}`, () => this.inner.getPublicKey(keyId, keyVersionId));
  }

  dryRunGetPublicKey(keyId: string, keyVersionId: string): Promise<void> {
    return this.once(`dry-run public-key ${keyId} ${keyVersionId}`, () => this.inner.dryRunGetPublicKey(keyId, keyVersionId));
  }

  encrypt(
    keyId: string, keyVersionId: string, algorithm: Algorithm, plaintext: Buffer, context?: EncryptionContext,
  ): Promise<Ciphertext> {
    return this.inner.encrypt(keyId, keyVersionId, algorithm, plaintext, context);
  }

  encryptWithCertificate(certificateId: string, algorithm: Algorithm, plaintext: Buffer): Promise<Ciphertext> {
    return this.inner.encryptWithCertificate(certificateId, algorithm, plaintext);
  }
}
