import { after, before } from "node:test";
import { type KmsEmulator, startKmsEmulator } from "../kms-emulator";
import { type LiveEnvironment, liveEnvironment } from "../live/live-environment";
import { describeLiveScenario } from "../live/scenario";

// `npm run test:live`'s scenario against the emulator, configured through the very variables a
// contributor sets for a real account, so the live path runs on every CI build.

const ACCESS_KEY = { accessKeyId: "LTAIlivescenario", accessKeySecret: "live-scenario-secret-1f2e3d4c" };
let emulator: KmsEmulator;
let live: LiveEnvironment;

before(async () => {
  emulator = await startKmsEmulator({
    seed: {
      accessKeys: [ACCESS_KEY],
      keys: [
        { keyId: "key-live-rsa", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT" },
        { keyId: "key-live-sm2", keySpec: "EC_SM2", keyUsage: "ENCRYPT/DECRYPT" },
      ],
      certificates: [{ certificateId: "cert-live", keySpec: "RSA_2048" }],
    },
    // As the reference documents asymmetric keys: no PrimaryKeyVersion, DryRun messages without a code.
    behaviour: { asymmetricPrimaryKeyVersion: "absent", dryRunMessages: "bare" },
  });
  const found = liveEnvironment({
    ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY.accessKeySecret,
    KMS_LIVE_REGION: emulator.region,
    KMS_LIVE_RSA_KEY_ID: "key-live-rsa",
    KMS_LIVE_SM2_KEY_ID: "key-live-sm2",
    KMS_LIVE_CERTIFICATE_ID: "cert-live",
    KMS_LIVE_ENDPOINT: emulator.endpoint,
  });
  if ("missing" in found) throw new Error(`the emulator's environment lacks ${found.missing.join(", ")}`);
  live = found;
});
after(() => emulator?.close());

describeLiveScenario("the live acceptance scenario, against the emulator", () => live);
