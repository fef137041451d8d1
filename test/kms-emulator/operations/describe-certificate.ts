import { certificateFacts, subjectKeyIdentifier } from "../certificates/x509";
import type { CertificateKeySpec } from "../keys/key-spec";
import { required } from "./common";
import type { Operation } from "./operation";

/** DescribeCertificate's documented SignatureAlgorithm vocabulary, by key spec. */
const SIGNATURE_ALGORITHM: Record<CertificateKeySpec, string> = {
  RSA_2048: "RSA2048-SHA256",
  EC_P256: "ECDSA-SHA256",
  EC_SM2: "SM2-SM3",
};

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
        SignatureAlgorithm: SIGNATURE_ALGORITHM[certificate.keySpec],
        SubjectKeyIdentifier: subjectKeyIdentifier(certificate.certificatePem),
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
