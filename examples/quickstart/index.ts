import * as pulumi from "@pulumi/pulumi";
import { EncryptedValue } from "pulumi-alicloud-kms-encrypted";

// The quickstart `npm run demo` deploys. The secret comes from stack config
// (`pulumi config set --secret dbPassword …`); state keeps only the ciphertexts.
const config = new pulumi.Config();
const dbPassword = config.requireSecret("dbPassword");

// Under an asymmetric key, by alias, following the key's primary version (re-encrypted on rotation).
const underKey = new EncryptedValue("db-password", {
  plaintext: dbPassword,
  keyId: config.require("keyId"),
  algorithm: "RSAES_OAEP_SHA_256",
});

// Under a KMS-managed certificate (CertificatePublicKeyEncrypt).
const underCertificate = new EncryptedValue("db-password-for-certificate", {
  plaintext: dbPassword,
  certificateId: config.require("certificateId"),
});

export const keyCiphertext = underKey.ciphertextBlob;
export const keyId = underKey.keyId;
export const keyVersionId = underKey.keyVersionId;
export const certificateCiphertext = underCertificate.ciphertextBlob;
