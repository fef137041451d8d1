// The scenario against the account the environment names (run by live.ts, never by npm test).
import { liveEnvironment } from "./live-environment";
import { describeLiveScenario } from "./scenario";

const live = liveEnvironment(process.env);
if ("missing" in live) throw new Error(`missing ${live.missing.join(", ")}`);
describeLiveScenario(`live acceptance against KMS in ${live.region}`, () => live);
