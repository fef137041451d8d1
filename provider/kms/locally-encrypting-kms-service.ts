import { type Algorithm, isSymmetric } from "./key-spec-limits";
import { KmsCallError } from "./kms-call-error";
import { ownMessage } from "../message-only-error";
import type { CertificateMetadata, Ciphertext, KeyMetadata, KeyVersion, KmsService } from "./kms-service";
import { encryptWithPublicKey } from "./public-key-encryption";
import { readSubjectPublicKey, type SubjectPublicKey } from "./subject-public-key";

// encryptLocally: the same KMS service, except that encryption happens in this process with the
// key version's public key (GetPublicKey) or the certificate's (DescribeCertificate's
// SubjectPublicKey). With a cached inner service that is one GetPublicKey per key version per
// process and no encrypt call at all. Check's DryRun asks for the public key instead of an
// encryption, since GetPublicKey is the permission this mode needs.

export class LocallyEncryptingKmsService implements KmsService {
  private readonly parsed = new Map<string, SubjectPublicKey>();

  constructor(private readonly inner: KmsService) {}

  get region(): string {
    return this.inner.region;
  }

  describeKey(keyReference: string): Promise<KeyMetadata> {
    return this.inner.describeKey(keyReference);
  }

  listKeyVersions(keyId: string): Promise<KeyVersion[]> {
    return this.inner.listKeyVersions(keyId);
  }

  describeKeyVersion(keyId: string, keyVersionId: string): Promise<void> {
    return this.inner.describeKeyVersion(keyId, keyVersionId);
  }

  describeCertificate(certificateId: string): Promise<CertificateMetadata> {
    return this.inner.describeCertificate(certificateId);
  }

  dryRunEncrypt(keyId: string, keyVersionId: string): Promise<void> {
    return this.inner.dryRunGetPublicKey(keyId, keyVersionId);
  }

  getPublicKey(keyId: string, keyVersionId: string): Promise<string> {
    return this.inner.getPublicKey(keyId, keyVersionId);
  }

  dryRunGetPublicKey(keyId: string, keyVersionId: string): Promise<void> {
    return this.inner.dryRunGetPublicKey(keyId, keyVersionId);
  }

  async encrypt(keyId: string, keyVersionId: string, algorithm: Algorithm, plaintext: Buffer): Promise<Ciphertext> {
    // Check refuses encryptLocally for a symmetric key (KMS never reveals it); this only guards.
    if (isSymmetric(algorithm)) throw new KmsCallError("Encrypt", "SymmetricKeyNotLocal", `key ${keyId} is symmetric`);
    const pem = await this.inner.getPublicKey(keyId, keyVersionId);
    const key = this.read("GetPublicKey", pem, `key ${keyId} version ${keyVersionId}`);
    return { ciphertextBlob: encryptWithPublicKey(key, algorithm, plaintext).toString("base64"), keyId, keyVersionId };
  }

  async encryptWithCertificate(certificateId: string, algorithm: Algorithm, plaintext: Buffer): Promise<Ciphertext> {
    const { subjectPublicKey } = await this.inner.describeCertificate(certificateId);
    const key = this.read("DescribeCertificate", subjectPublicKey, `certificate ${certificateId}`);
    return { ciphertextBlob: encryptWithPublicKey(key, algorithm, plaintext).toString("base64") };
  }

  private read(action: string, pem: string, owner: string): SubjectPublicKey {
    let key = this.parsed.get(pem);
    if (!key) {
      try {
        key = readSubjectPublicKey(pem);
      } catch (e) {
        throw new KmsCallError(action, "UnusablePublicKey", `${owner}: ${pem ? ownMessage(e) : "KMS returned no public key"}`);
      }
      this.parsed.set(pem, key);
    }
    return key;
  }
}
