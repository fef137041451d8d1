import { readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";

// The environment the real Pulumi CLI runs in here: no network, so a file backend, a passphrase,
// a private PULUMI_HOME, no update check and no plugin downloads. The dynamic provider plugin
// (pulumi-resource-pulumi-nodejs) ships inside the project's own @pulumi/pulumi.

export interface OfflineEnvOptions {
  binDir: string;
  projectDir: string;
  /** Holds the backend and PULUMI_HOME. */
  stateDir: string;
  passphrase: string;
  extra?: Record<string, string>;
}

/** Every file under a directory (the file backend keeps history and backups in subfolders). */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * The switches that keep Pulumi and the credentials chain off the network: no update check, no
 * plugin downloads, no ECS metadata service (the chain would wait for it). npm run try-emulator
 * writes the same ones for a user's shell.
 */
export const OFFLINE_SWITCHES = {
  PULUMI_SKIP_UPDATE_CHECK: "true",
  PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true",
} as const;

export function offlinePulumiEnv(o: OfflineEnvOptions): NodeJS.ProcessEnv {
  // Nothing from the machine's own cloud or Pulumi settings may leak in.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(ALIBABA_CLOUD_|ALICLOUD_|PULUMI_)/.test(k)));
  return {
    ...inherited,
    PATH: [o.binDir, join(o.projectDir, "node_modules/@pulumi/pulumi"), dirname(process.execPath), process.env.PATH].join(":"),
    PULUMI_HOME: join(o.stateDir, "pulumi-home"),
    PULUMI_BACKEND_URL: `file://${join(o.stateDir, "backend")}`,
    PULUMI_CONFIG_PASSPHRASE: o.passphrase,
    ...OFFLINE_SWITCHES,
    NO_COLOR: "1",
    ...o.extra,
  };
}
