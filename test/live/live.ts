// `npm run test:live`: the live acceptance scenario against a real account, when the environment
// names one (see live-environment.ts); otherwise one line saying what it needs, and exit 0.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { LIVE_USAGE, liveEnvironment } from "./live-environment";

const live = liveEnvironment(process.env);
if ("missing" in live) {
  process.stdout.write(`${LIVE_USAGE} (missing: ${live.missing.join(", ")})\n`);
  process.exit(0);
}
const run = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-force-exit", "--test-reporter=spec", resolve(__dirname, "live.run.ts")],
  { stdio: "inherit", env: process.env });
process.exit(run.status ?? 1);
