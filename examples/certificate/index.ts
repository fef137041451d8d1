import * as pulumi from "@pulumi/pulumi";
import { EncryptedValue } from "pulumi-alicloud-kms-encrypted";

// A KMS-managed certificate instead of a key: the value is encrypted with the certificate's public
// key (CertificatePublicKeyEncrypt) and only CertificatePrivateKeyDecrypt opens it. Certificates
// have no versions; the certificate must be ACTIVE.
const config = new pulumi.Config();

const apiToken = new EncryptedValue("api-token", {
  plaintext: config.requireSecret("apiToken"),
  certificateId: config.require("certificateId"),
  algorithm: "RSAES_OAEP_SHA_1", // an RSA certificate takes RSAES_OAEP_SHA_256 (default) or _SHA_1
});

// What decrypt() and the CLI open, with nothing else to pass.
export const envelope = apiToken.envelope;
export const ciphertextBlob = apiToken.ciphertextBlob;
export const certificateId = apiToken.certificateId;
export const keySpec = apiToken.keySpec;
