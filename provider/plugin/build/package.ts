import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, relative, resolve } from "node:path";
import { build, type Plugin } from "esbuild";

// `npm run plugin:package [-- --standalone]` writes the resource plugin's tarballs to dist/plugin/,
// named as `pulumi plugin install resource alicloud-kms <version> --file …` expects:
//   pulumi-resource-alicloud-kms-v<version>-<os>-<arch>.tar.gz, for linux, darwin and windows, amd64 and arm64
// Each holds, at its top level, the plugin as one bundled JavaScript file (no node_modules: it runs
// from the plugin cache as it is) and its launchers: `pulumi-resource-alicloud-kms` (POSIX sh) and
// `pulumi-resource-alicloud-kms.cmd` (Windows). They need Node 20 or later on PATH.
// Beside them, dist/plugin/pulumi-alicloud-kms-encrypted.js: the CLI (decrypt, encrypt) as one
// file, for applications and shells with Node 20 or later and no npm install; and the Python SDK
// as an sdist and a wheel (pulumi_alicloud_kms-<version>-py3-none-any.whl), when python3 is here.
// --standalone also writes, for this machine's platform only, Node single executables (no Node
// needed) to dist/plugin/standalone/: the plugin's tarball under the same name, and the CLI
// `pulumi-alicloud-kms-encrypted-<os>-<arch>` (decrypt, encrypt) for applications in any language.

const root = resolve(__dirname, "../../..");
const PLUGIN = "pulumi-resource-alicloud-kms";
const CLI = "pulumi-alicloud-kms-encrypted";
const PLATFORMS = ["linux-amd64", "linux-arm64", "darwin-amd64", "darwin-arm64", "windows-amd64", "windows-arm64"];

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
}

export function tarballName(version: string, platform: string): string {
  return `${PLUGIN}-v${version}-${platform}.tar.gz`;
}

/** The platform this machine is, in Pulumi's words (linux-amd64, darwin-arm64, …). */
export function hostPlatform(): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  return `${process.platform === "win32" ? "windows" : process.platform}-${arch}`;
}

const POSIX_LAUNCHER = `#!/bin/sh
# The alicloud-kms resource plugin: ${PLUGIN}.js, on the Node.js (20 or later) found on PATH.
here=$(dirname "$0")
if ! command -v node >/dev/null 2>&1; then
  echo "${PLUGIN}: Node.js 20 or later is needed on PATH (or install the standalone build, which needs none)" >&2
  exit 1
fi
exec node "$here/${PLUGIN}.js" "$@"
`;
const WINDOWS_LAUNCHER = `@echo off\r\nREM The alicloud-kms resource plugin: ${PLUGIN}.js, on the Node.js (20 or later) found on PATH.\r\n` +
  `where node >nul 2>nul || (echo ${PLUGIN}: Node.js 20 or later is needed on PATH 1>&2 & exit /b 1)\r\n` +
  `node "%~dp0${PLUGIN}.js" %*\r\n`;

/** Node's own check first: the bundle's syntax and APIs need 20. */
const nodeCheck = (name: string) => `if (Number(process.versions.node.split(".")[0]) < 20) {
  process.stderr.write("${name}: Node.js 20 or later is needed; this is " + process.version + "\\n");
  process.exit(1);
}`;

/**
 * Optional native add-ons a dependency (ws) tries to load inside try/catch: bundled as absent, so a
 * single executable never reaches for the disk (where Node warns that it cannot).
 */
const absentOptionalModules: Plugin = {
  name: "absent-optional-modules",
  setup(b) {
    b.onResolve({ filter: /^(bufferutil|utf-8-validate)$/ }, (args) => ({ path: args.path, namespace: "absent" }));
    b.onLoad({ filter: /.*/, namespace: "absent" }, () => ({ contents: "throw new Error('optional module not bundled');", loader: "js" }));
  },
};

async function bundle(entry: string, outfile: string, version: string, name: string): Promise<void> {
  await build({
    entryPoints: [join(root, entry)], outfile, bundle: true, platform: "node", target: "node20", format: "cjs", plugins: [absentOptionalModules],
    define: { PLUGIN_VERSION: JSON.stringify(version) }, banner: { js: nodeCheck(name) }, legalComments: "none", logLevel: "warning",
  });
}

function tar(dir: string, files: string[], tarball: string): void {
  execFileSync("tar", ["-czf", tarball, "--owner=0", "--group=0", "--numeric-owner", "-C", dir, ...files]);
}

/** A Node single executable of `script` (node --experimental-sea-config, then postject). */
function standalone(script: string, executable: string, work: string): void {
  const blob = join(work, "sea.blob");
  const config = join(work, "sea-config.json");
  writeFileSync(config, JSON.stringify({ main: script, output: blob, disableExperimentalSEAWarning: true }));
  // Quiet unless it fails (postject warns about ELF note sections it cannot name; the binary works).
  execFileSync(process.execPath, ["--experimental-sea-config", config], { stdio: "pipe" });
  copyFileSync(process.execPath, executable);
  chmodSync(executable, 0o755);
  execFileSync(process.execPath, [require.resolve("postject/dist/cli.js"), executable, "NODE_SEA_BLOB", blob,
    "--sentinel-fuse", "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2"], { stdio: "pipe" });
}

export function wheelName(version: string): string {
  return `pulumi_alicloud_kms-${version}-py3-none-any.whl`;
}

/**
 * The Python SDK (sdk/python) as an sdist and a wheel built from it, beside the tarballs, for
 * `pip install` without a checkout: setuptools' own sdist, then `pip wheel` of it (which fetches
 * setuptools and wheel into an isolated build environment, from PyPI or pip's cache). Nothing
 * without a python3 (the YAML and Go users need none).
 */
function pythonDistributions(out: string, version: string): string[] {
  try {
    execFileSync("python3", ["--version"], { stdio: "pipe" });
  } catch {
    process.stderr.write("plugin:package: no python3 on PATH, so no wheel of the Python SDK\n");
    return [];
  }
  const names = [`pulumi_alicloud_kms-${version}.tar.gz`, wheelName(version)];
  // Built once per content of sdk/python (pip's isolated build asks PyPI each time: ~20 s).
  const cached = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "pulumi-alicloud-kms-encrypted",
    `python-sdk-${contentHash(join(root, "sdk/python"))}`);
  if (!names.every((n) => existsSync(join(cached, n)))) {
    const staging = `${cached}.partial-${process.pid}`;
    const source = join(staging, "source");
    cpSync(join(root, "sdk/python"), source, { recursive: true });
    try {
      execFileSync("python3", ["-c", `from setuptools import build_meta; build_meta.build_sdist(${JSON.stringify(staging)})`],
        { cwd: source, stdio: "pipe" });
      execFileSync("python3", ["-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check", "-w", staging,
        join(staging, names[0]!)], { stdio: "pipe" });
      rmSync(source, { recursive: true, force: true });
      rmSync(cached, { recursive: true, force: true });
      renameSync(staging, cached);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  return names.map((n) => {
    copyFileSync(join(cached, n), join(out, n));
    return join(out, n);
  });
}

/** A digest of every file under `dir`, by relative path and content. */
function contentHash(dir: string): string {
  const hash = createHash("sha256");
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else hash.update(`${relative(dir, path)}\0`).update(readFileSync(path)).update("\0");
    }
  };
  walk(dir);
  return hash.digest("hex").slice(0, 16);
}

/** Writes everything to `out` (dist/plugin by default; tests give their own); returns the files written. */
export async function packagePlugin(options: { standalone?: boolean; out?: string } = {}): Promise<string[]> {
  const out = options.out ?? join(root, "dist/plugin");
  const version = packageVersion();
  rmSync(out, { recursive: true, force: true });
  const stage = join(out, "stage");
  mkdirSync(stage, { recursive: true });
  await bundle("provider/plugin/main.ts", join(stage, `${PLUGIN}.js`), version, PLUGIN);
  writeFileSync(join(stage, PLUGIN), POSIX_LAUNCHER, { mode: 0o755 });
  writeFileSync(join(stage, `${PLUGIN}.cmd`), WINDOWS_LAUNCHER);
  copyFileSync(join(root, "LICENSE"), join(stage, "LICENSE"));
  const written = PLATFORMS.map((platform) => {
    const tarball = join(out, tarballName(version, platform));
    tar(stage, [PLUGIN, `${PLUGIN}.cmd`, `${PLUGIN}.js`, "LICENSE"], tarball);
    return tarball;
  });
  const cliBundle = join(out, `${CLI}.js`);
  await bundle("sdk/cli/main.ts", cliBundle, version, CLI);
  written.push(cliBundle);
  written.push(...pythonDistributions(out, version));
  if (options.standalone) {
    const sea = join(out, "standalone");
    const seaStage = join(sea, "stage");
    mkdirSync(seaStage, { recursive: true });
    const exe = process.platform === "win32" ? ".exe" : "";
    standalone(join(stage, `${PLUGIN}.js`), join(seaStage, `${PLUGIN}${exe}`), sea);
    copyFileSync(join(root, "LICENSE"), join(seaStage, "LICENSE"));
    const tarball = join(sea, tarballName(version, hostPlatform()));
    tar(seaStage, [`${PLUGIN}${exe}`, "LICENSE"], tarball);
    written.push(tarball);
    const cli = join(sea, `${CLI}-${hostPlatform()}${exe}`);
    standalone(cliBundle, cli, sea);
    written.push(cli);
    for (const f of ["stage", "sea.blob", "sea-config.json"]) rmSync(join(sea, f), { recursive: true, force: true });
  }
  rmSync(stage, { recursive: true, force: true });
  return written;
}

if (require.main === module) {
  packagePlugin({ standalone: process.argv.includes("--standalone") }).then(
    (files) => console.log(files.join("\n")),
    (e: Error) => {
      console.error(`plugin:package: ${e.message}`);
      process.exit(1);
    },
  );
}
