import * as pulumi from "@pulumi/pulumi";
import { DIGEST_SALT_MODULE_SOURCE, DIGEST_SALT_TYPE } from "./provider-module-source";
import { encryptedValueProvider, perDeployment } from "./provider-resource";
import { withoutDependencies } from "./without-dependencies";

// The stack's digest salt, one resource per stack (provider/engine/digest-salt-provider.ts): its
// provider draws 32 random bytes when it is first created and keeps them as its `salt` output. Every
// value's plaintext digest is salted with it and the value's URN, in the program.

class DigestSalt extends pulumi.CustomResource {
  declare readonly salt: pulumi.Output<string | undefined>;

  constructor() {
    super(DIGEST_SALT_TYPE, "alicloud-kms-encrypted-digest-salt", { salt: undefined, __provider: DIGEST_SALT_MODULE_SOURCE }, {
      provider: encryptedValueProvider(),
    });
  }
}

// Without the salt resource as a dependency of every value (without-dependencies.ts says why).
const salts = perDeployment(() => withoutDependencies(new DigestSalt().salt));

/** The stack's digest salt; unknown in a preview of the stack's first deployment. */
export function stackDigestSalt(): pulumi.Output<string | undefined> {
  return salts();
}
