// KMS key ARNs: acs:kms:<region>:<account>:key/<id>. The region is the 4th ':' field.

const KEY_ARN = /^acs:kms:([a-z0-9-]+):(\d+):key\/(.+)$/;

export interface KeyArn {
  region: string;
  accountId: string;
  keyId: string;
}

export function parseKeyArn(value: string): KeyArn | undefined {
  const match = KEY_ARN.exec(value);
  if (!match) return undefined;
  const [, region, accountId, keyId] = match as unknown as [string, string, string, string];
  return { region, accountId, keyId };
}

/** The region a key reference pins, if any: an ARN's region wins over the configured one. */
export function regionOfKeyReference(keyId: string): string | undefined {
  return parseKeyArn(keyId)?.region;
}
