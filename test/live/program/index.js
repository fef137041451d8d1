"use strict";
// The live acceptance program: one EncryptedValue per configured target, under keys and
// certificates the account already has (nothing else is created).
const pulumi = require("@pulumi/pulumi");
const { EncryptedValue } = require("pulumi-alicloud-kms-encrypted");

const config = new pulumi.Config();
const plaintexts = config.requireSecretObject("plaintexts"); // { name: plaintext }
const values = config.requireObject("values"); // { name: { keyId | certificateId, envelope?, encryptLocally? } }

const encrypted = Object.fromEntries(Object.entries(values).map(([name, target]) =>
  [name, new EncryptedValue(name, { plaintext: plaintexts.apply((p) => p[name]), ...target })]));

exports.values = Object.fromEntries(Object.entries(encrypted).map(([name, v]) => [name, pulumi.all({
  ciphertextBlob: v.ciphertextBlob,
  envelope: v.envelope,
  keyId: v.keyId,
  keyVersionId: v.keyVersionId,
  certificateId: v.certificateId,
  algorithm: v.algorithm,
  region: v.region,
  staleReason: v.staleReason,
  kmsInstanceId: v.kmsInstanceId,
})]));
