import * as pulumi from "@pulumi/pulumi";
import { INTEGRITY_KEY_MODULE_SOURCE, INTEGRITY_KEY_TYPE } from "./provider-module-source";
import { encryptedValueProvider, perDeployment } from "./provider-resource";
import { withoutDependencies } from "./without-dependencies";

// The stack's integrity key, one resource per stack (provider/engine/integrity-key-provider.ts): its
// provider draws 32 random bytes when it is first created and keeps them as its `key` output, a
// Pulumi secret. Every value's provider derives the value's own key from it and tags what state
// keeps for the value (provider/crypto/integrity-tag.ts).

const RESOURCE_NAME = "alicloud-kms-encrypted-integrity-key";
/** A --target pattern for the stack's two resources of ours (this and the digest salt), after `**::`. */
const STACK_RESOURCES = "alicloud-kms-encrypted-*";

class IntegrityKey extends pulumi.CustomResource {
  declare readonly key: pulumi.Output<string | undefined>;

  constructor() {
    super(INTEGRITY_KEY_TYPE, RESOURCE_NAME, { key: undefined, __provider: INTEGRITY_KEY_MODULE_SOURCE }, {
      provider: encryptedValueProvider(),
    });
  }
}

const keys = perDeployment(() => {
  const resource = new IntegrityKey();
  // Only the stack's secrets provider can write a secret into state. A key stored in clear, or none,
  // was put there by someone else, who could then tag ciphertexts of their choosing: refused.
  const secret = pulumi.isSecret(resource.key);
  // Without the key resource as a dependency of every value (without-dependencies.ts says why).
  return withoutDependencies(resource.key.apply(async (key) => {
    if (typeof key !== "string" || !(await secret)) {
      const missing = typeof key !== "string";
      // A --target that leaves out the key's first create is the innocent way to get here.
      const onlyBy = missing ? "If this is pulumi up --target on a stack that has no values yet, target the stack's digest salt " +
        `and integrity key too (add --target '**::${STACK_RESOURCES}'), or run pulumi up once without --target. Otherwise, only` : "Only";
      throw new pulumi.RunError(`the stack's integrity key (resource ${RESOURCE_NAME}) is ${missing ? "missing" : "stored in clear"} in ` +
        `state. ${onlyBy} an edit of the state outside Pulumi can do that: restore the state from a ` +
        "backup, or remove that resource (pulumi state delete, with its URN from pulumi stack --show-urns) and run pulumi up: a new " +
        "key is drawn and every value is re-encrypted once from the program's plaintexts");
    }
    return key;
  }));
});

/** The stack's integrity key, a secret; unknown in a preview of the stack's first deployment. */
export function stackIntegrityKey(): pulumi.Output<string> {
  return keys();
}
