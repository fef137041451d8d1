import { certificateFacts } from "../certificates/x509";
import { required } from "./common";
import type { Operation } from "./operation";

export const describeCertificate: Operation = {
  action: "DescribeCertificate",
  prepare({ store, params }) {
    const certificate = store.certificate(required(params, "CertificateId"));
    return () => {
      const facts = certificateFacts(certificate.certificatePem);
      return {
        Arn: store.certificateArn(certificate.certificateId),
        CertificateId: certificate.certificateId,
        KeySpec: certificate.keySpec,
        Status: certificate.status,
        Serial: facts.serial,
        Subject: facts.subject,
        Issuer: facts.issuer,
        NotBefore: facts.notBefore,
        NotAfter: facts.notAfter,
        SignatureAlgorithm: facts.signatureAlgorithm,
        SubjectPublicKey: store.certificateKey(certificate).publicKeyPem,
        SubjectAlternativeNames: [],
        ProtectionLevel: "SOFTWARE",
        ExportablePrivateKey: false,
        CreatedAt: certificate.createdAt,
        UpdatedAt: certificate.createdAt,
        Tags: {},
      };
    };
  },
};
