import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { StoreObserver } from "./key-store";

/**
 * --keys-dir: every private key as PEM the moment it exists, so tests can decrypt with OpenSSL:
 * `<dir>/<keyId>/<keyVersionId>.pem` and `<dir>/certificates/<certificateId>.pem`; a symmetric
 * key version's material as base64 in `<dir>/<keyId>/<keyVersionId>.key`, for an independent GCM.
 */
export function writeKeysTo(keysDir: string): StoreObserver {
  const write = (path: string, pem: string) => {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, pem, { mode: 0o600 });
  };
  return {
    keyVersionAdded(key, version) {
      const file = privateKeyFile(keysDir, { keyId: key.keyId, keyVersionId: version.keyVersionId });
      if (version.privateKeyPem) write(file, version.privateKeyPem);
      if (version.symmetricMaterial) write(file.replace(/\.pem$/, ".key"), version.symmetricMaterial);
    },
    certificateAdded(certificate) {
      write(privateKeyFile(keysDir, certificate), certificate.privateKeyPem);
    },
  };
}

/** Where --keys-dir keeps the private key of a certificate, or of a key version. */
export function privateKeyFile(
  keysDir: string,
  target: { certificateId?: unknown; keyId?: unknown; keyVersionId?: unknown },
): string {
  if (target.certificateId) return join(keysDir, "certificates", `${String(target.certificateId)}.pem`);
  return join(keysDir, String(target.keyId), `${String(target.keyVersionId)}.pem`);
}
