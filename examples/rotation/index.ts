import * as pulumi from "@pulumi/pulumi";
import { EncryptedValue } from "pulumi-alicloud-kms-encrypted";

// Two values under the same key:
// - `follows` names no version: every preview and up look up the key's primary version, and when
//   the key has rotated (automatically, or CreateKeyVersion) the next up re-encrypts under it.
// - `pinned` names a version (config `pinnedKeyVersionId`, when set): it stays under that version
//   until the config changes. Unset, it follows the primary version like `follows`.
const config = new pulumi.Config();
const keyId = config.require("keyId");
const secret = config.requireSecret("webhookSecret");

const follows = new EncryptedValue("webhook-secret", { plaintext: secret, keyId });

const pinnedVersion = config.get("pinnedKeyVersionId");
const pinned = new EncryptedValue("webhook-secret-pinned", {
  plaintext: secret,
  keyId,
  ...(pinnedVersion ? { keyVersionId: pinnedVersion } : {}),
});

export const followsKeyVersionId = follows.keyVersionId;
export const followsCiphertext = follows.ciphertextBlob;
export const pinnedKeyVersionId = pinned.keyVersionId;
