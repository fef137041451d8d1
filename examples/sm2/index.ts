import * as pulumi from "@pulumi/pulumi";
import { EncryptedValue } from "pulumi-alicloud-kms-encrypted";

// SM2 public-key encryption (GM/T 0003.4 with SM3), for workloads that must use China's national
// algorithms. KMS offers EC_SM2 keys in mainland-China regions only. SM2PKE takes up to 6,047
// bytes directly; encryptLocally encrypts in the provider with the key's public key (one
// GetPublicKey per key version) and produces the same GM/T 0009 DER ciphertext KMS does.
const config = new pulumi.Config();

const licenseKey = new EncryptedValue("license-key", {
  plaintext: config.requireSecret("licenseKey"),
  keyId: config.require("sm2KeyId"),
  algorithm: "SM2PKE",
  encryptLocally: true,
});

// What decrypt() and the CLI open, with nothing else to pass.
export const envelope = licenseKey.envelope;
export const ciphertextBlob = licenseKey.ciphertextBlob;
export const keyId = licenseKey.keyId;
export const keyVersionId = licenseKey.keyVersionId;
