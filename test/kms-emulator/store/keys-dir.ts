import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StoreObserver } from "./key-store";

/**
 * --keys-dir: every private key as PEM the moment it exists, so tests can decrypt with OpenSSL:
 * `<dir>/<keyId>/<keyVersionId>.pem` and `<dir>/certificates/<certificateId>.pem`.
 */
export function writeKeysTo(keysDir: string): StoreObserver {
  const write = (folder: string, name: string, pem: string) => {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    writeFileSync(join(folder, `${name}.pem`), pem, { mode: 0o600 });
  };
  return {
    keyVersionAdded(key, version) {
      if (version.privateKeyPem) write(join(keysDir, key.keyId), version.keyVersionId, version.privateKeyPem);
    },
    certificateAdded(certificate) {
      write(join(keysDir, "certificates"), certificate.certificateId, certificate.privateKeyPem);
    },
  };
}
