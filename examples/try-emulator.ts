import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startKmsEmulator } from "../test/kms-emulator";
import { emulatorPort } from "./emulator-port";
import { pulumiBinDir, pulumiVersion } from "../test/e2e/pulumi-bin";
import { type HostLanguage, LANGUAGE_HOSTS, placeLanguageHosts } from "../test/e2e/language-hosts";
import { OFFLINE_SWITCHES } from "../test/e2e/offline-pulumi";
import { hostPlatform, packageVersion, tarballName } from "../provider/plugin/build/package";

// `npm run try-emulator [-- yaml|python|go …]`: your own Pulumi program against the KMS emulator,
// in one step. Starts the emulator on KMS_DEMO_PORT (default 18080) with its keys and state in
// .emulator/ (the same keys and access key every time) and writes .emulator/env with every setting
// a program and the CLI need (endpoint, region, the emulator's access key, a local file backend
// and its passphrase, a PULUMI_HOME of its own, Pulumi's offline switches); says how to use it, and
// serves until Ctrl-C.
// The Pulumi CLI: the `pulumi` on PATH when it is the version the tests run (see README) or later,
// as it is; else one built from the Go module proxy here (cached, the first time only), put first
// on PATH by the env file, with the language hosts named on the command line built beside it.
// The resource plugin (for YAML, Python and Go), when `npm run plugin:package` has built it, is
// installed into that PULUMI_HOME, so `pulumi up` finds it with no install step.

// The checkout npm runs it in (its dist/plugin and .emulator), else this file's.
const root = resolve(process.env.npm_config_local_prefix ?? join(__dirname, ".."));
// KMS_TRY_DIR moves it (the tests keep theirs apart).
const dir = resolve(process.env.KMS_TRY_DIR ?? join(root, ".emulator"));
const LANGUAGES = ["nodejs", "typescript", "javascript", "yaml", "python", "go"];

/** [major, minor, patch] of "v3.248.0" (a pre-release counts as its release), or undefined. */
function semver(text: string): number[] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text.trim());
  return m ? m.slice(1, 4).map(Number) : undefined;
}
const atLeast = (a: number[], b: number[]) => a[0]! !== b[0]! ? a[0]! > b[0]! : a[1]! !== b[1]! ? a[1]! > b[1]! : a[2]! >= b[2]!;

/** The `pulumi` on PATH, if there is one: its folder (links resolved) and version. */
function cliOnPath(): { dir: string; version: string } | undefined {
  try {
    const path = execFileSync("bash", ["-c", "command -v pulumi"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    if (!path) return undefined;
    const real = realpathSync(path);
    const version = execFileSync(real, ["version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 30_000 }).trim();
    return { dir: resolve(real, ".."), version };
  } catch {
    return undefined;
  }
}

/**
 * The CLI to use: PULUMI_BIN_DIR; else the one on PATH at the tested version or later; else one
 * built here. `onPath`: whether the env file leaves PATH's as it is.
 */
async function chooseCli(languages: HostLanguage[]): Promise<{ dir: string; onPath: boolean; note: string }> {
  const tested = pulumiVersion();
  const found = process.env.PULUMI_BIN_DIR ? undefined : cliOnPath();
  if (found && atLeast(semver(found.version) ?? [0, 0, 0], semver(tested)!)) {
    const missing = languages.flatMap((l) => (existsSync(join(found.dir, `pulumi-language-${l}`)) ? [] : [`pulumi-language-${l}`]));
    const note = missing.length > 0 ? ` (it has no ${missing.join(" or ")} beside it: install a released CLI, which ships them)` : "";
    return { dir: found.dir, onPath: true, note: `the Pulumi CLI on PATH, ${found.version}${note}` };
  }
  const why = found ? `the pulumi on PATH is ${found.version}, older than v${tested}` : "no pulumi on PATH";
  const built = await pulumiBinDir();
  await placeLanguageHosts(built, languages);
  return { dir: built, onPath: false, note: `the Pulumi CLI v${tested} built here (${why})` };
}

/** Installs the resource plugin's tarball for this machine into `pulumiHome`, if it has been built. */
function installPlugin(cliDir: string, pulumiHome: string): string {
  const version = packageVersion();
  const tarball = join(root, "dist", "plugin", tarballName(version, hostPlatform()));
  if (!existsSync(tarball)) return "the resource plugin is not built (npm run plugin:package, then start this again) ";
  execFileSync(join(cliDir, "pulumi"), ["plugin", "install", "resource", "alicloud-kms", version, "--file", tarball, "--reinstall"], {
    env: { ...process.env, PULUMI_HOME: pulumiHome, ...OFFLINE_SWITCHES }, stdio: "pipe",
  });
  return `the resource plugin alicloud-kms ${version} installed`;
}

async function main(): Promise<void> {
  const named = process.argv.slice(2);
  const unknown = named.filter((l) => !LANGUAGES.includes(l));
  if (unknown.length > 0) throw new Error(`${unknown.join(", ")}: name the languages you use, of ${LANGUAGES.join(", ")}`);
  if (named.includes("go")) console.log("(Go: its language host cannot be built here; a released Pulumi CLI ships it.)");
  const hosts = named.filter((l): l is HostLanguage => l in LANGUAGE_HOSTS);
  const port = await emulatorPort("try-emulator");
  const cli = await chooseCli(hosts);
  mkdirSync(join(dir, "backend"), { recursive: true });
  const pulumiHome = join(dir, "pulumi-home");
  const plugin = installPlugin(cli.dir, pulumiHome);
  const emulator = await startKmsEmulator({ port, dataDir: join(dir, "kms"), keysDir: join(dir, "keys") });
  const env = join(dir, "env");
  const exports = {
    ALIBABA_CLOUD_KMS_ENDPOINT: emulator.endpoint,
    ALIBABA_CLOUD_REGION_ID: emulator.region,
    ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: emulator.accessKeySecret,
    PULUMI_BACKEND_URL: `file://${join(dir, "backend")}`,
    PULUMI_CONFIG_PASSPHRASE: "emulator",
    PULUMI_HOME: pulumiHome,
    ...OFFLINE_SWITCHES,
  };
  const lines = [
    `# Written by npm run try-emulator: the KMS emulator at ${emulator.endpoint}, ${cli.note}.`,
    "# Source it in your project's directory (the dynamic provider plugin comes from its node_modules).",
    ...Object.entries(exports).map(([k, v]) => `export ${k}=${JSON.stringify(v)}`),
    `export PATH="${cli.onPath ? "" : `${cli.dir}:`}$PWD/node_modules/@pulumi/pulumi:$PATH"`,
  ];
  // The emulator's own access key, but a credential all the same: for its owner only.
  writeFileSync(env, `${lines.join("\n")}\n`, { mode: 0o600 });
  const keys = emulator.store.allKeys().map((k) => `${emulator.store.aliasesOf(k.keyId).map((a) => a.aliasName).join(", ") || k.keyId} (${k.keySpec})`);
  const certificates = emulator.store.allCertificates().map((c) => `certificate ${c.certificateId} ${c.keySpec}`);
  console.log([
    `KMS emulator on ${emulator.endpoint}, keys: ${keys.join(", ")}; ${certificates.join(", ")}.`,
    `Using ${cli.note}; ${plugin}.`,
    "In another terminal, in your Pulumi project:",
    `  source ${env}`,
    "  pulumi stack init dev && pulumi up",
    "List keys and certificates: npm run --silent kms-emulator -- list. Rotate a key: npm run --silent kms-emulator -- rotate alias/rsa-2048. Ctrl-C stops the emulator (its keys stay in .emulator/).",
  ].join("\n"));
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((e: Error) => {
  console.error(`try-emulator failed: ${e.message}`);
  process.exit(1);
});
