import { required } from "./common";
import type { Operation } from "./operation";

export const getCertificate: Operation = {
  action: "GetCertificate",
  prepare({ store, params }) {
    const certificate = store.certificate(required(params, "CertificateId"));
    return () => ({
      CertificateId: certificate.certificateId,
      Certificate: certificate.certificatePem,
      // Self-signed: the chain is the certificate itself.
      CertificateChain: certificate.certificatePem,
      Csr: certificate.csrPem,
    });
  },
};
