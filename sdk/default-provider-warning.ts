import * as pulumi from "@pulumi/pulumi";

// The engine configures its default `pulumi-nodejs` provider with the whole stack configuration and
// keeps that in state. A program that encrypts config secrets with EncryptedValue and also has a
// dynamic resource of its own without an explicit provider (the usual way to hand a ciphertext on)
// therefore stores those secrets in state after all. Nothing else tells the user, so while a
// program that imports this package runs, every dynamic resource on the default provider gets a
// warning naming it and the one-line fix, whenever the stack's config holds a secret.

const SECRET_KEYS_ENTRY = "PULUMI_CONFIG_SECRET_KEYS";

/** Whether this provider serves dynamic resources. */
function isDynamicProvider(provider: unknown): boolean {
  const p = provider as { getPackage?: () => string } | undefined;
  return typeof p?.getPackage === "function" && p.getPackage() === "pulumi-nodejs";
}

/** As Resource's constructor picks a provider: opts.provider, opts.providers, then the parent's. */
function hasExplicitProvider(args: pulumi.ResourceTransformationArgs): boolean {
  const opts = args.opts as pulumi.CustomResourceOptions & { providers?: unknown };
  if (isDynamicProvider(opts.provider)) return true;
  const providers = opts.providers;
  if (Array.isArray(providers) ? providers.some(isDynamicProvider) : isDynamicProvider((providers as Record<string, unknown> | undefined)?.["pulumi-nodejs"])) {
    return true;
  }
  const parent = (opts.parent ?? pulumi.runtime.getStackResource()) as { getProvider?: (type: string) => unknown } | undefined;
  return isDynamicProvider(parent?.getProvider?.(args.type));
}

/** The stack's secret config keys (names only), or every key when the SDK cannot tell. */
function secretConfigKeys(): string[] {
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
  const keys = Object.keys(pulumi.runtime.allConfig()).filter((k) => k !== SECRET_KEYS_ENTRY);
  return typeof runtime.isConfigSecret === "function" ? keys.filter((k) => runtime.isConfigSecret!(k)) : keys;
}

function warningFor(name: string, secrets: string[]): string {
  const named = secrets.length > 4 ? `${secrets.slice(0, 4).join(", ")} and ${secrets.length - 4} more` : secrets.join(", ");
  return `${name} is a dynamic resource on Pulumi's default pulumi-nodejs provider, which the engine configures with the whole ` +
    `stack configuration and keeps in state: this stack's secret config (${named}) is stored there, readable with ` +
    "pulumi stack export --show-secrets, including what EncryptedValue keeps out of state. Give it a provider without " +
    "configuration: { provider: dynamicProviderWithoutConfig() }, imported from pulumi-alicloud-kms-encrypted";
}

const watched = new WeakSet<object>();

/** Watches the running stack's resources, once per stack; a no-op outside a Pulumi program. */
export function warnOnDefaultDynamicProvider(): void {
  const stack = pulumi.runtime.getStackResource();
  if (!stack || watched.has(stack)) return;
  watched.add(stack);
  pulumi.runtime.registerStackTransformation((args) => {
    if (!args.type.startsWith("pulumi-nodejs:") || hasExplicitProvider(args)) return undefined;
    const secrets = secretConfigKeys();
    if (secrets.length === 0) return undefined;
    // Transformations run inside the resource's constructor; the warning names it once it exists.
    const { resource, name } = args;
    void Promise.resolve().then(() => pulumi.log.warn(warningFor(name, secrets), resource));
    return undefined;
  });
}
