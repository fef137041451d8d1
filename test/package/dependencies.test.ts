import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";

// xml2js before 0.5.0 has a prototype-pollution flaw, and @alicloud/kms20160120 1.2.0 brings 0.4.23
// through @alicloud/rpc-client → @alicloud/rpc-util. The path is removed here by an `overrides`
// entry (package.json), and shown unreachable for what the package runs: rpc-util parses XML only
// in RPCUtil.parseXml and getErrMessage, and neither the RPC client nor the KMS SDK calls them
// (they ask for and read JSON).

const repo = resolve(__dirname, "../..");
const lock = JSON.parse(readFileSync(join(repo, "package-lock.json"), "utf8")) as { packages: Record<string, { version?: string }> };
const newer = (version: string, than: [number, number]) => {
  const [major, minor] = version.split(".").map(Number) as [number, number];
  return major > than[0] || (major === than[0] && minor >= than[1]);
};

describe("dependencies", () => {
  it("every xml2js the lock file installs is 0.5.0 or later", () => {
    const copies = Object.entries(lock.packages).filter(([path]) => path.endsWith("node_modules/xml2js"));
    assert.ok(copies.length > 0, "the tree has xml2js (else this test is moot: drop the override)");
    for (const [path, entry] of copies) assert.ok(newer(entry.version ?? "0.0.0", [0, 5]), `${path} is ${entry.version}`);
    const pkg = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { overrides?: Record<string, Record<string, string>> };
    assert.equal(pkg.overrides?.["@alicloud/rpc-util"]?.xml2js, "0.6.2");
  });

  it("rpc-util's XML parsing is not reachable from the clients the package runs", () => {
    const source = (p: string) => readFileSync(require.resolve(p), "utf8");
    const rpcUtil = source("@alicloud/rpc-util");
    // Where rpc-util parses XML: its module-level parseXML, used by these two methods only.
    const users = [...rpcUtil.matchAll(/static (\w+)\([^)]*\) \{[^}]*parseXML\(/g)].map((m) => m[1]).sort();
    assert.deepEqual(users, ["getErrMessage", "parseXml"]);
    for (const client of ["@alicloud/rpc-client", "@alicloud/kms20160120"]) {
      assert.doesNotMatch(source(client), /\.(parseXml|getErrMessage)\(/, `${client} calls rpc-util's XML parsing`);
    }
  });
});
