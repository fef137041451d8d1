import { execFileSync } from "node:child_process";
import { accessSync, chmodSync, constants, copyFileSync, linkSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { buildInto, cacheRoot, GO_ENV, goAvailable, runGo } from "../support/go-build";

// The YAML and Python language hosts, for programs that use the resource plugin with the Pulumi
// CLI built here (a released CLI ships its own). Each is built on demand, once, from the Go module
// proxy into a cache of its own (~/.cache/pulumi-alicloud-kms-encrypted/language-host-<lang>-v<version>),
// and placed beside the CLI's binary, where the engine looks first, so no "using pulumi-language-…
// from $PATH" warning is printed (checked on CLI 3.248: a host on PATH warns on every command).
// `npm run --silent plugin:language-hosts [-- yaml|python …]` builds the ones named (both by
// default), places them beside the CLI `npm run pulumi-bin` gives, and prints that folder.
// The versions are the newest the module proxy here serves that build (test/e2e/pulumi-cli/*/go.mod):
// pulumi-yaml v1.25.0, and the Python host inside sdk/v3 v3.68.0 (its own module is refused, like
// the Node host's). $PULUMI_LANGUAGE_HOSTS_DIR, if set, holds them already.

const wrappers = join(__dirname, "pulumi-cli");
export const LANGUAGE_HOSTS = {
  yaml: { module: "language-yaml", pkg: "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml", version: "1.25.0" },
  python: { module: "language-nodejs", pkg: "github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python", version: "3.68.0" },
} as const;
export type HostLanguage = keyof typeof LANGUAGE_HOSTS;

/** The host's files: its binary, and for Python the script it runs programs through, which it looks for beside itself. */
function hostFiles(language: HostLanguage): string[] {
  return language === "python" ? ["pulumi-language-python", "pulumi-language-python-exec"] : [`pulumi-language-${language}`];
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function log(line: string) {
  process.stderr.write(`[language-hosts] ${line}\n`);
}

/** The folder holding `language`'s host, building it the first time. */
export async function languageHostDir(language: HostLanguage): Promise<string> {
  const given = process.env.PULUMI_LANGUAGE_HOSTS_DIR;
  const complete = (dir: string) => hostFiles(language).every((f) => executable(join(dir, f)));
  if (given) {
    if (!complete(given)) throw new Error(`PULUMI_LANGUAGE_HOSTS_DIR=${given} lacks an executable ${hostFiles(language).join(" or ")}`);
    return given;
  }
  const host = LANGUAGE_HOSTS[language];
  const target = join(cacheRoot(), `language-host-${language}-v${host.version}`);
  if (complete(target)) return target;
  if (!goAvailable()) {
    throw new Error(`no ${language} language host: install Go (1.25 or later) so it can be built from the module proxy, or a released Pulumi CLI (which ships it)`);
  }
  const started = Date.now();
  const ticker = setInterval(() => log(`still building… ${Math.round((Date.now() - started) / 1000)} s`), 30_000);
  try {
    await buildInto(target, complete, async (staging) => {
      log(`building pulumi-language-${language} v${host.version} from the Go module proxy (once)`);
      await runGo(["build", "-trimpath", "-o", join(staging, `pulumi-language-${language}`), host.pkg], join(wrappers, host.module), log);
      if (language === "python") {
        const sdkDir = execFileSync("go", ["list", "-m", "-f", "{{.Dir}}", "github.com/pulumi/pulumi/sdk/v3"], {
          cwd: join(wrappers, host.module), env: { ...process.env, ...GO_ENV }, encoding: "utf8",
        }).trim();
        copyFileSync(join(sdkDir, "python/cmd/pulumi-language-python-exec"), join(staging, "pulumi-language-python-exec"));
        chmodSync(join(staging, "pulumi-language-python-exec"), 0o755);
      }
    });
  } finally {
    clearInterval(ticker);
  }
  log(`done in ${Math.round((Date.now() - started) / 1000)} s: ${target}`);
  return target;
}

/**
 * Puts `languages`' hosts beside the CLI in `cliDir` (a link, or a copy across file systems; each
 * file replaced at once, so a CLI running beside sees the old one or the new one).
 */
export async function placeLanguageHosts(cliDir: string, languages: readonly HostLanguage[]): Promise<void> {
  for (const language of languages) {
    const from = await languageHostDir(language);
    for (const file of hostFiles(language)) {
      const target = join(cliDir, file);
      const staged = `${target}.${process.pid}.partial`;
      rmSync(staged, { force: true });
      try {
        linkSync(join(from, file), staged);
      } catch {
        copyFileSync(join(from, file), staged);
        chmodSync(staged, 0o755);
      }
      renameSync(staged, target);
    }
  }
}

if (require.main === module) {
  const named = process.argv.slice(2);
  const languages = (named.length > 0 ? named : Object.keys(LANGUAGE_HOSTS)) as HostLanguage[];
  const wrong = languages.filter((l) => !(l in LANGUAGE_HOSTS));
  const run = async () => {
    if (wrong.length > 0) throw new Error(`no language host ${wrong.join(", ")} is built here; name yaml or python`);
    // Imported here: pulumi-bin imports nothing of this module, so the two stay one-way.
    const { pulumiBinDir } = await import("./pulumi-bin");
    const cliDir = await pulumiBinDir();
    await placeLanguageHosts(cliDir, languages);
    return cliDir;
  };
  run().then(
    (dir) => console.log(dir),
    (e: Error) => {
      console.error(`plugin:language-hosts: ${e.message}`);
      process.exit(1);
    },
  );
}
