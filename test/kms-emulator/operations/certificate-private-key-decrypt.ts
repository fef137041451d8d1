import { errors } from "../errors";
import { decryptWith } from "../keys/key-material";
import { activeCertificate } from "./certificate-common";
import { base64Bytes } from "./common";
import type { Operation } from "./operation";

export const certificatePrivateKeyDecrypt: Operation = {
  action: "CertificatePrivateKeyDecrypt",
  prepare({ store, params }) {
    const { certificate, algorithm } = activeCertificate(store, params);
    const ciphertext = base64Bytes(params, "CiphertextBlob");
    return () => {
      const plaintext = decryptWith(store.certificateKey(certificate), algorithm, ciphertext);
      if (!plaintext) throw errors.invalidCiphertext();
      return { CertificateId: certificate.certificateId, Plaintext: plaintext.toString("base64") };
    };
  },
};
