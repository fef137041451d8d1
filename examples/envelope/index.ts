import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { EncryptedValue } from "pulumi-alicloud-kms-encrypted";

// A TLS private key is 1.7–3.3 KB of PEM: far over what RSA encrypts directly (190–342 bytes).
// envelope: true encrypts it with a fresh AES-256-GCM data key in the provider and sends only that
// 32-byte key to KMS. The `envelope` output carries everything needed to decrypt.
const config = new pulumi.Config();

// Read here, wrapped as a secret at once: the file's contents never appear in state or logs.
const tlsKey = pulumi.secret(readFileSync(config.require("tlsKeyFile"), "utf8"));

const sealed = new EncryptedValue("tls-key", {
  plaintext: tlsKey,
  keyId: config.require("keyId"),
  envelope: true,
});

export const envelope = sealed.envelope;
export const keyVersionId = sealed.keyVersionId;
