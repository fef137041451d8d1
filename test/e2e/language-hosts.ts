import { execFileSync } from "node:child_process";
import { accessSync, chmodSync, constants, copyFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildInto, cacheRoot, GO_ENV, goAvailable, runGo } from "../support/go-build";

// `npm run --silent plugin:language-hosts` prints the absolute path of a directory holding the YAML
// and Python language hosts (pulumi-language-yaml, pulumi-language-python), for programs that use
// the resource plugin; put it on PATH beside the CLI (npm run pulumi-bin):
//   1. $PULUMI_LANGUAGE_HOSTS_DIR, if set;
//   2. else a build cached outside the repository (~/.cache/pulumi-alicloud-kms-encrypted/language-hosts-…);
//   3. else it builds both from the Go module proxy into that cache (a few minutes; progress on stderr).
// The versions are the newest the module proxy here serves that build (test/e2e/pulumi-cli/*/go.mod):
// pulumi-yaml v1.25.0, and the Python host inside sdk/v3 v3.68.0 (its own module is refused, like
// the Node host's). The folder never holds a pulumi-resource-alicloud-kms: the engine prefers a
// plugin on PATH to the installed one.

const wrappers = join(__dirname, "pulumi-cli");
export const LANGUAGE_HOSTS = {
  "pulumi-language-yaml": { module: "language-yaml", pkg: "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml", version: "1.25.0" },
  "pulumi-language-python": { module: "language-nodejs", pkg: "github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python", version: "3.68.0" },
} as const;

/** The Python host runs programs through this script of its module, which it looks for beside itself. */
const PYTHON_EXEC = "pulumi-language-python-exec";

function hasHosts(dir: string): boolean {
  return [...Object.keys(LANGUAGE_HOSTS), PYTHON_EXEC].every((b) => {
    try {
      accessSync(join(dir, b), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function log(line: string) {
  process.stderr.write(`[language-hosts] ${line}\n`);
}

export async function languageHostsDir(): Promise<string> {
  const given = process.env.PULUMI_LANGUAGE_HOSTS_DIR;
  if (given) {
    if (!hasHosts(given)) throw new Error(`PULUMI_LANGUAGE_HOSTS_DIR=${given} lacks an executable ${Object.keys(LANGUAGE_HOSTS).join(" or ")}`);
    return resolve(given);
  }
  const target = join(cacheRoot(), `language-hosts-yaml${LANGUAGE_HOSTS["pulumi-language-yaml"].version}-python${LANGUAGE_HOSTS["pulumi-language-python"].version}`);
  if (hasHosts(target)) return target;
  if (!goAvailable()) throw new Error("no language hosts: install Go (1.25 or later) so they can be built from the module proxy, or set PULUMI_LANGUAGE_HOSTS_DIR");
  const started = Date.now();
  const ticker = setInterval(() => log(`still building… ${Math.round((Date.now() - started) / 1000)} s`), 30_000);
  try {
    await buildInto(target, hasHosts, async (staging) => {
      for (const [binary, host] of Object.entries(LANGUAGE_HOSTS)) {
        log(`building ${binary} v${host.version} from the Go module proxy`);
        await runGo(["build", "-trimpath", "-o", join(staging, binary), host.pkg], join(wrappers, host.module), log);
      }
      const sdkDir = execFileSync("go", ["list", "-m", "-f", "{{.Dir}}", "github.com/pulumi/pulumi/sdk/v3"], {
        cwd: join(wrappers, LANGUAGE_HOSTS["pulumi-language-python"].module), env: { ...process.env, ...GO_ENV }, encoding: "utf8",
      }).trim();
      copyFileSync(join(sdkDir, "python/cmd", PYTHON_EXEC), join(staging, PYTHON_EXEC));
      chmodSync(join(staging, PYTHON_EXEC), 0o755);
    });
  } finally {
    clearInterval(ticker);
  }
  log(`done in ${Math.round((Date.now() - started) / 1000)} s: ${target}`);
  return target;
}

if (require.main === module) {
  languageHostsDir().then(
    (dir) => console.log(dir),
    (e: Error) => {
      console.error(`plugin:language-hosts: ${e.message}`);
      process.exit(1);
    },
  );
}
