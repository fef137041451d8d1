import { execFileSync } from "node:child_process";
import { lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { packPackage, removeRoot, tempRoot } from "../test/e2e/pulumi-project";
import { npmProject } from "../test/package/consumer-project";

// `npm run bench:package [-- --runs 15]`
// What the package costs an application, from the packed tarball in fresh projects: installed
// alone (an application that only decrypts; @pulumi/pulumi is an optional peer) and with
// @pulumi/pulumi (a Pulumi program). For each, node_modules' size and package count, and the time
// `require` takes for each entry, the median over fresh Node processes, side by side with ratios.

const { values: args } = parseArgs({ options: { runs: { type: "string", default: "15" } } });
const runs = Number(args.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error("--runs takes a positive integer, e.g. --runs 15");
  process.exit(2);
}

/** A directory that is an installed package: node_modules/<name> or node_modules/@scope/<name>. */
const isPackageDir = (parent: string, entry: string) => !entry.startsWith(".") && !entry.startsWith("@") && /(^|\/)node_modules(\/@[^/]+)?$/.test(parent);

function sizeOf(dir: string): { bytes: number; disk: number; packages: number } {
  let bytes = 0;
  let disk = 0;
  let packages = 0;
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry);
      const stat = lstatSync(path);
      disk += stat.blocks * 512;
      if (!stat.isDirectory()) {
        bytes += stat.size;
        continue;
      }
      if (isPackageDir(d, entry)) packages++;
      walk(path);
    }
  };
  walk(dir);
  return { bytes, disk, packages };
}

/** Milliseconds `require(entry)` takes in a fresh Node process, median of `runs`. */
function requireMs(cwd: string, entry: string): number {
  const script = `const t = process.hrtime.bigint(); require(${JSON.stringify(entry)}); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));`;
  const samples = Array.from({ length: runs }, () => Number(execFileSync(process.execPath, ["-e", script], { cwd, encoding: "utf8" })));
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

async function main() {
  const root = tempRoot();
  try {
    const tarball = packPackage(root);
    const pulumiVersion = execFileSync(process.execPath, ["-p", "require('@pulumi/pulumi/package.json').version"], { encoding: "utf8" }).trim();
    process.stderr.write(`installing the tarball alone and with @pulumi/pulumi ${pulumiVersion} …\n`);
    const alone = await npmProject(join(root, "alone"), { "pulumi-alicloud-kms-encrypted": `file:${tarball}` });
    const withPeer = await npmProject(join(root, "with-peer"), { "pulumi-alicloud-kms-encrypted": `file:${tarball}`, "@pulumi/pulumi": pulumiVersion });
    const a = sizeOf(join(alone, "node_modules"));
    const p = sizeOf(join(withPeer, "node_modules"));
    const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
    console.log(`\nInstall size of node_modules (files' bytes, and disk use as du counts it), Node ${process.version}`);
    console.log("| project | files | on disk | packages |");
    console.log("| --- | --- | --- | --- |");
    console.log(`| the package alone (decrypt, CLI) | ${mb(a.bytes)} | ${mb(a.disk)} | ${a.packages} |`);
    console.log(`| with @pulumi/pulumi ${pulumiVersion} | ${mb(p.bytes)} | ${mb(p.disk)} | ${p.packages} |`);
    console.log(`| ratio | ${(p.bytes / a.bytes).toFixed(2)}× | ${(p.disk / a.disk).toFixed(2)}× | ${(p.packages / a.packages).toFixed(2)}× |`);

    process.stderr.write(`timing require, ${runs} fresh processes each …\n`);
    const decryptAlone = requireMs(alone, "pulumi-alicloud-kms-encrypted/decrypt");
    const decryptWithPeer = requireMs(withPeer, "pulumi-alicloud-kms-encrypted/decrypt");
    const mainWithPeer = requireMs(withPeer, "pulumi-alicloud-kms-encrypted");
    const pulumiAlone = requireMs(withPeer, "@pulumi/pulumi");
    console.log(`\nrequire time (median of ${runs} fresh processes)`);
    console.log("| entry | project | ms | ratio to /decrypt alone |");
    console.log("| --- | --- | --- | --- |");
    const row = (entry: string, project: string, ms: number) => console.log(`| ${entry} | ${project} | ${ms.toFixed(1)} | ${(ms / decryptAlone).toFixed(2)}× |`);
    row("pulumi-alicloud-kms-encrypted/decrypt", "alone", decryptAlone);
    row("pulumi-alicloud-kms-encrypted/decrypt", "with @pulumi/pulumi", decryptWithPeer);
    row("pulumi-alicloud-kms-encrypted (EncryptedValue)", "with @pulumi/pulumi", mainWithPeer);
    row("@pulumi/pulumi itself", "with @pulumi/pulumi", pulumiAlone);
  } finally {
    removeRoot(root);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
