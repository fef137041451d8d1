// What the live acceptance scenario runs against, read from the environment: credentials from the
// usual ALIBABA_CLOUD_* variables, and the account's keys and certificate in KMS_LIVE_*. npm test
// sets the same variables for the emulator, so the live path runs on every CI build.

export interface LiveEnvironment {
  region: string;
  rsaKeyId: string;
  sm2KeyId?: string;
  certificateId?: string;
  /** An explicit endpoint; default https://kms.<region>.aliyuncs.com. */
  endpoint?: string;
  /** The credentials variables, passed to the Pulumi CLI, decrypt() and the package's CLI as they are. */
  credentials: Record<string, string>;
}

const REQUIRED = ["KMS_LIVE_REGION", "KMS_LIVE_RSA_KEY_ID"] as const;
const CREDENTIALS = ["ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN"] as const;

/** The environment, or what is missing from it. */
export function liveEnvironment(env: NodeJS.ProcessEnv): LiveEnvironment | { missing: string[] } {
  const missing: string[] = REQUIRED.filter((name) => !env[name]);
  if (!env.ALIBABA_CLOUD_ACCESS_KEY_ID || !env.ALIBABA_CLOUD_ACCESS_KEY_SECRET) missing.push("ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET");
  if (missing.length > 0) return { missing };
  const credentials = Object.fromEntries(CREDENTIALS.filter((name) => env[name]).map((name) => [name, env[name] as string]));
  return {
    region: env.KMS_LIVE_REGION as string,
    rsaKeyId: env.KMS_LIVE_RSA_KEY_ID as string,
    ...(env.KMS_LIVE_SM2_KEY_ID ? { sm2KeyId: env.KMS_LIVE_SM2_KEY_ID } : {}),
    ...(env.KMS_LIVE_CERTIFICATE_ID ? { certificateId: env.KMS_LIVE_CERTIFICATE_ID } : {}),
    ...(env.KMS_LIVE_ENDPOINT ? { endpoint: env.KMS_LIVE_ENDPOINT } : {}),
    credentials,
  };
}

export const LIVE_USAGE = "test:live: set ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN for STS), " +
  "KMS_LIVE_REGION and KMS_LIVE_RSA_KEY_ID (optionally KMS_LIVE_SM2_KEY_ID, KMS_LIVE_CERTIFICATE_ID, KMS_LIVE_ENDPOINT) to run the " +
  "end-to-end scenario against a real Alibaba Cloud account; nothing ran.";
