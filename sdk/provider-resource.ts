import * as pulumi from "@pulumi/pulumi";

// Every EncryptedValue runs on this explicit `pulumi-nodejs` provider rather than the engine's
// default one. The default dynamic provider is configured with the *whole* stack configuration and
// the engine stores that as the provider's inputs in state, so a plaintext kept in stack config
// (cfg.requireSecret("dbPassword")) would sit in state as a Pulumi secret. This provider's inputs
// are only the settings the provider reads. Credentials belong in the environment, a profile or a
// RAM role; alicloud:secretKey / alicloud:securityToken from stack config are passed too, as
// secrets (as every Pulumi provider stores its credentials), with a warning saying so.

const PLAIN_KEYS = [
  "alicloud-kms:region",
  "alicloud-kms:endpoint",
  "alicloud-kms:endpoints",
  "alicloud-kms:protocol",
  "alicloud-kms:encryptLocally",
  "alicloud:region",
  "alicloud:accessKey",
  "alicloud:profile",
];
const SECRET_KEYS = ["alicloud:secretKey", "alicloud:securityToken"];

/** The stack configuration the provider reads, and nothing else. */
export function providerSettings(): Record<string, pulumi.Input<string>> {
  const settings: Record<string, pulumi.Input<string>> = {};
  const configKey = (key: string) => {
    const [namespace, name] = key.split(":") as [string, string];
    return { config: new pulumi.Config(namespace), name };
  };
  for (const key of PLAIN_KEYS) {
    const { config, name } = configKey(key);
    const value = config.get(name);
    if (value !== undefined) settings[key] = value;
  }
  for (const key of SECRET_KEYS) {
    const { config, name } = configKey(key);
    const value = config.getSecret(name);
    if (value !== undefined) {
      settings[key] = value;
      pulumi.log.warn(`${key} from stack config is kept, encrypted, in the state of the EncryptedValue provider; ` +
        "prefer ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET, alicloud:profile or a RAM role");
    }
  }
  return settings;
}

class DynamicProviderResource extends pulumi.ProviderResource {
  constructor(name: string, settings: Record<string, pulumi.Input<string>>) {
    super("pulumi-nodejs", name, settings);
  }
}

/**
 * One `T` per deployment, made on first use: automation API runs several deployments in one
 * process, each with its own resource monitor.
 */
export function perDeployment<T extends object>(make: () => T): () => T {
  const made = new WeakMap<object, T>();
  return () => {
    const monitor = pulumi.runtime.getMonitor() as object | undefined;
    const existing = monitor && made.get(monitor);
    if (existing) return existing;
    const created = make();
    if (monitor) made.set(monitor, created);
    return created;
  };
}

export const encryptedValueProvider = perDeployment(() => new DynamicProviderResource("alicloud-kms-encrypted", providerSettings()));

/**
 * A `pulumi-nodejs` provider with no configuration, for a program's own dynamic resources:
 * `new pulumi.dynamic.Resource(myProvider, "name", props, { provider: dynamicProviderWithoutConfig() })`.
 *
 * Without an explicit provider, a dynamic resource runs on the engine's default `pulumi-nodejs`
 * provider, which the engine configures with the whole stack configuration and keeps in state:
 * every secret in the stack's config, including plaintexts that EncryptedValue keeps out of state,
 * would sit there as a Pulumi secret (`pulumi stack export --show-secrets` shows them). One
 * provider per deployment serves any number of dynamic resources.
 */
export const dynamicProviderWithoutConfig: () => pulumi.ProviderResource =
  perDeployment(() => new DynamicProviderResource("dynamic-provider-without-config", {}));
