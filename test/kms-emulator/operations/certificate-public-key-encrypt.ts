import { encryptWith } from "../keys/key-material";
import { activeCertificate } from "./certificate-common";
import { plaintextWithin } from "./common";
import type { Operation } from "./operation";

/** No DryRun: the real API has none for certificates. */
export const certificatePublicKeyEncrypt: Operation = {
  action: "CertificatePublicKeyEncrypt",
  prepare({ store, params }) {
    const { certificate, algorithm, limit } = activeCertificate(store, params);
    const plaintext = plaintextWithin(params, limit);
    return () => ({
      CertificateId: certificate.certificateId,
      CiphertextBlob: encryptWith(store.certificateKey(certificate), algorithm, plaintext).toString("base64"),
    });
  },
};
