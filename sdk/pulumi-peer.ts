// @pulumi/pulumi is an optional peer: a Pulumi program has it, an application that only decrypts
// does not need it (the `/decrypt` entry and the CLI never load it). This entry is the one that
// does, so it says so in one sentence before Node says "Cannot find module" with a require stack.

/** The program lacks @pulumi/pulumi. Its stack is its message: Node prints a thrown error's stack. */
class PulumiPeerMissing extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PulumiPeerMissing";
    this.stack = `${this.name}: ${message}`;
  }
}

try {
  require.resolve("@pulumi/pulumi");
} catch {
  throw new PulumiPeerMissing("pulumi-alicloud-kms-encrypted: EncryptedValue runs inside a Pulumi program, which installs @pulumi/pulumi " +
    "(npm install @pulumi/pulumi); an application that only decrypts imports \"pulumi-alicloud-kms-encrypted/decrypt\", which does not need it");
}
