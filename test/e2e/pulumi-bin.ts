import { accessSync, chmodSync, constants, copyFileSync, existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildInto, cacheRoot, goAvailable, runGo } from "../support/go-build";

// `npm run --silent pulumi-bin` prints the absolute path of a directory holding `pulumi` and
// `pulumi-language-nodejs` at the version of @pulumi/pulumi in package-lock.json:
//   1. $PULUMI_BIN_DIR, if set;
//   2. else a build cached outside the repository, keyed by version
//      ($PULUMI_BIN_CACHE, default ~/.cache/pulumi-alicloud-kms-encrypted/pulumi-v<version>);
//   3. else it builds both from the Go module proxy into that cache (minutes; progress on stderr).

const repoRoot = resolve(__dirname, "../..");
const wrappers = join(__dirname, "pulumi-cli");
const BINARIES = ["pulumi", "pulumi-language-nodejs"];

export function pulumiVersion(): string {
  const lock = JSON.parse(readFileSync(join(repoRoot, "package-lock.json"), "utf8"));
  return lock.packages["node_modules/@pulumi/pulumi"].version as string;
}

function hasBinaries(dir: string): boolean {
  return BINARIES.every((b) => {
    try {
      accessSync(join(dir, b), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export function cacheDir(version: string): string {
  return join(process.env.PULUMI_BIN_CACHE || cacheRoot(), `pulumi-v${version}`);
}

function log(line: string) {
  process.stderr.write(`[pulumi-bin] ${line}\n`);
}

async function build(version: string, target: string): Promise<void> {
  const pinned = readFileSync(join(wrappers, "cli", "go.mod"), "utf8");
  if (!pinned.includes(`github.com/pulumi/pulumi/pkg/v3 v${version}`)) {
    throw new Error(`test/e2e/pulumi-cli/cli/go.mod does not pin pkg/v3 v${version} (the @pulumi/pulumi in package-lock.json); update it`);
  }
  const ldflags = (v: string) => `-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v${v}`;
  const started = Date.now();
  const ticker = setInterval(() => log(`still building… ${Math.round((Date.now() - started) / 1000)} s`), 30_000);
  try {
    await buildInto(target, hasBinaries, async (staging) => {
      log(`building pulumi v${version} (CLI) from the Go module proxy; a few minutes on a fresh machine`);
      await runGo(["build", "-trimpath", "-o", join(staging, "pulumi"), "-ldflags", ldflags(version), "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"], join(wrappers, "cli"), log);
      log(`built pulumi in ${Math.round((Date.now() - started) / 1000)} s; building pulumi-language-nodejs`);
      await runGo(["build", "-trimpath", "-o", join(staging, "pulumi-language-nodejs"), "-ldflags", ldflags("3.68.0"), "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"], join(wrappers, "language-nodejs"), log);
    });
    log(`done in ${Math.round((Date.now() - started) / 1000)} s: ${target}`);
  } finally {
    clearInterval(ticker);
  }
}

/**
 * The engine looks for plugins beside the `pulumi` binary before $PATH (and warns about the
 * latter). The dynamic provider plugin ships in @pulumi/pulumi as a small script that starts the
 * project's own @pulumi/pulumi/cmd/dynamic-provider, so a copy next to the CLI serves any project.
 */
function placeDynamicProviderPlugin(dir: string): void {
  const target = join(dir, "pulumi-resource-pulumi-nodejs");
  if (existsSync(target)) return;
  copyFileSync(join(repoRoot, "node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"), target);
  chmodSync(target, 0o755);
}

/** The directory with both binaries, building it if need be. */
export async function pulumiBinDir(): Promise<string> {
  const given = process.env.PULUMI_BIN_DIR;
  if (given) {
    if (!hasBinaries(given)) throw new Error(`PULUMI_BIN_DIR=${given} lacks an executable ${BINARIES.join(" or ")}`);
    return resolve(given);
  }
  const version = pulumiVersion();
  const cached = cacheDir(version);
  if (hasBinaries(cached)) {
    placeDynamicProviderPlugin(cached);
    return cached;
  }
  if (!goAvailable()) {
    throw new Error(`no Pulumi CLI v${version}: install Go (1.25 or later) so it can be built from the module proxy, or set PULUMI_BIN_DIR to a directory holding pulumi and pulumi-language-nodejs`);
  }
  await build(version, cached);
  placeDynamicProviderPlugin(cached);
  return cached;
}

if (require.main === module) {
  pulumiBinDir().then(
    (dir) => console.log(dir),
    (e: Error) => {
      console.error(`pulumi-bin: ${e.message}`);
      process.exit(1);
    },
  );
}
