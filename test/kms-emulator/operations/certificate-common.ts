import { errors } from "../errors";
import type { Params } from "../protocol/params";
import type { KeyStore } from "../store/key-store";
import { encryptionAlgorithm, required } from "./common";

/** The certificate named by CertificateId, which must be ACTIVE, with the Algorithm checked against its key spec. */
export function activeCertificate(store: KeyStore, params: Params) {
  const certificate = store.certificate(required(params, "CertificateId"));
  if (certificate.status !== "ACTIVE") {
    throw errors.unsupportedOperation(
      `The certificate is ${certificate.status}; only an ACTIVE certificate can be used.`,
    );
  }
  return { certificate, ...encryptionAlgorithm(params, certificate.keySpec) };
}
