import type * as dynamic from "@pulumi/pulumi/dynamic";

// What Pulumi serializes into every EncryptedValue's `__provider`: a few lines that load the real
// provider by package name inside the provider process. No credentials, clients or plaintext can
// be captured this way, and the provider's code is whatever version the project has installed.

const providerModule = "pulumi-alicloud-kms-encrypted/provider";

function load(): Required<dynamic.ResourceProvider> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(providerModule).encryptedValueProvider;
}

export const providerShim: dynamic.ResourceProvider = {
  configure: (req) => load().configure(req),
  check: (olds, news) => load().check(olds, news),
  diff: (id, olds, news) => load().diff(id, olds, news),
  create: (inputs) => load().create(inputs),
  update: (id, olds, news) => load().update(id, olds, news),
  read: (id, props) => load().read(id, props),
  delete: (id, props) => load().delete(id, props),
};
