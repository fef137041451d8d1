// The environment an application (decrypt(), the CLI) finds KMS through, as the README documents
// it, pointed at an emulator: endpoint, region and an access key.

export interface AccessKey {
  accessKeyId: string;
  accessKeySecret: string;
}

export function applicationEnv(emulator: { endpoint: string; region: string }, accessKey: AccessKey): Record<string, string> {
  return {
    ALIBABA_CLOUD_KMS_ENDPOINT: emulator.endpoint,
    ALIBABA_CLOUD_REGION_ID: emulator.region,
    ALIBABA_CLOUD_ACCESS_KEY_ID: accessKey.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: accessKey.accessKeySecret,
  };
}
