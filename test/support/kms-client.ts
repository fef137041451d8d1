import Kms from "@alicloud/kms20160120";
import { Config } from "@alicloud/rpc-client";
import { RuntimeOptions } from "@alicloud/tea-util";

// The official v1.2.0 SDK client, pointed at an emulator: what every emulator test talks through.

export interface Endpoint {
  host: string;
  region: string;
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export function officialClient(endpoint: Endpoint, credentials: Partial<Endpoint> = {}): Kms {
  const merged = { ...endpoint, ...credentials };
  return new Kms(
    new Config({
      accessKeyId: merged.accessKeyId,
      accessKeySecret: merged.accessKeySecret,
      ...(merged.securityToken ? { securityToken: merged.securityToken } : {}),
      endpoint: merged.host,
      protocol: "http",
      regionId: merged.region,
    }),
  );
}

/** Any action with any parameters, as the SDK's own doRequest sends them (Certificate*, DryRun). */
export function call(
  client: Kms,
  action: string,
  params: Record<string, string>,
): Promise<Record<string, unknown>> {
  return client.doRequest(
    action,
    "HTTPS",
    "POST",
    "2016-01-20",
    "AK",
    params,
    // No body: v1.2.0 puts every parameter in the query string.
    null as never,
    new RuntimeOptions({}),
  ) as Promise<Record<string, unknown>>;
}

export interface SdkError {
  code: string;
  message: string;
  data: Record<string, unknown>;
}

/** The error a call is rejected with, as the SDK surfaces it; fails if the call succeeds. */
export async function rejection(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (e) {
    return e as SdkError;
  }
  throw new Error("expected the call to fail, but it succeeded");
}
