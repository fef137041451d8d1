import { decrypt } from "pulumi-alicloud-kms-encrypted/decrypt";

// The application's side: it fetched the OOS parameter's value (GetParameter, with any OOS SDK)
// and turns it back into the password. decrypt() reads the key, version, algorithm and region from
// the envelope and calls AsymmetricDecrypt with the instance's credentials (an ECS RAM role, or
// ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET). This module does not load @pulumi/pulumi.
export async function readDbPassword(parameterValue: string): Promise<string> {
  const plaintext = await decrypt(parameterValue);
  try {
    return plaintext.toString("utf8");
  } finally {
    plaintext.fill(0);
  }
}
