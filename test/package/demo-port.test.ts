import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:net";
import { resolve } from "node:path";
import { after, before, describe, it } from "node:test";

// `npm run demo` checks its emulator port first: when it is taken, it says so and what to set
// (KMS_DEMO_PORT) before building anything, instead of building for 20 s and printing only
// `listen EADDRINUSE`.

const root = resolve(__dirname, "../..");

function demo(env: NodeJS.ProcessEnv): Promise<{ code: number; output: string; ms: number }> {
  const started = Date.now();
  return new Promise((done) => {
    execFile(process.execPath, ["--import", "tsx", "examples/demo.ts"], { cwd: root, env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}`, ms: Date.now() - started }));
  });
}

describe("npm run demo with its port taken", () => {
  let busy: Server;
  let port: number;
  before(async () => {
    busy = createServer();
    await new Promise<void>((ready) => busy.listen(0, "127.0.0.1", ready));
    port = (busy.address() as { port: number }).port;
  });
  after(() => new Promise<void>((closed) => busy.close(() => closed())));

  it("says which port and what to set, builds nothing, and exits 1", async () => {
    const run = await demo({ KMS_DEMO_PORT: String(port) });
    assert.equal(run.code, 1);
    assert.equal(run.output.trim(), `demo failed: port ${port} is in use (another demo, or another program); free it, or pick another: ` +
    `KMS_DEMO_PORT=${port + 1} npm run demo`);
    assert.doesNotMatch(run.output, /building/, "nothing was built first");
  });

  it("refuses a KMS_DEMO_PORT that is not a port", async () => {
    const run = await demo({ KMS_DEMO_PORT: "eighty" });
    assert.equal(run.code, 1);
    assert.match(run.output, /^demo failed: KMS_DEMO_PORT="eighty" is not a port number \(1–65535\)/);
  });
});
