import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

// What the test driver (test/run.ts) builds once per run and hands every test file through the
// environment: the checkout's `npm pack` tarball, one Pulumi program with that tarball and
// @pulumi/pulumi installed (copied by hard links, ~1 s, where `npm install` takes ~12 s), and the
// word that dist/ is this checkout's build. A file run on its own, without the driver, finds none
// of them and packs, installs and transpiles for itself as before.

const repoRoot = resolve(__dirname, "../..");

export const SHARED_BUILD_ENV = { tarball: "KMS_TEST_TARBALL", program: "KMS_TEST_PROGRAM", dist: "KMS_TEST_DIST" } as const;

/** The tarball the driver packed, if any. */
export function sharedTarball(): string | undefined {
  return process.env[SHARED_BUILD_ENV.tarball] || undefined;
}

/** Whether dist/ holds this checkout's build (the driver built it before any file started). */
export function distIsBuilt(): boolean {
  return process.env[SHARED_BUILD_ENV.dist] === "1";
}

/** The @pulumi/pulumi the tests run on: the repository's own (a toolchain leg installs another). */
export function repoPulumiVersion(): string {
  return JSON.parse(readFileSync(join(repoRoot, "node_modules/@pulumi/pulumi/package.json"), "utf8")).version as string;
}

/** A Pulumi program's package.json, as the e2e projects have it: @pulumi/pulumi and the tarball. */
export function programManifest(name: string, tarball: string): string {
  return JSON.stringify({
    name,
    private: true,
    main: "index.js",
    dependencies: { "@pulumi/pulumi": repoPulumiVersion(), "pulumi-alicloud-kms-encrypted": `file:${tarball}` },
  }, null, 2);
}

const NPM_INSTALL = ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"];

/** `npm install` in a project folder, from npm's cache (which `npm ci` of this repository has filled). */
export function npmInstall(dir: string): void {
  execFileSync("npm", NPM_INSTALL, { cwd: dir, stdio: "pipe" });
}

/** The driver's one installed program: `npm install` of @pulumi/pulumi and `tarball` into `dir`. */
export function installProgramTemplate(dir: string, tarball: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), programManifest("kms-program-template", tarball));
  npmInstall(dir);
}

/**
 * Installs @pulumi/pulumi and `tarball` into the project `dir` (its package.json written): a
 * hard-link copy of the driver's installed program when `tarball` is the one it installed, else
 * `npm install`.
 */
export function installProgram(dir: string, tarball: string): void {
  const template = process.env[SHARED_BUILD_ENV.program];
  if (template && tarball === sharedTarball()) {
    execFileSync("cp", ["-al", join(template, "node_modules"), join(dir, "node_modules")], { stdio: "pipe" });
    copyFileSync(join(template, "package-lock.json"), join(dir, "package-lock.json"));
  } else npmInstall(dir);
}
