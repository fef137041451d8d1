import Kms from "@alicloud/kms20160120";
import { Config } from "@alicloud/rpc-client";
import { RuntimeOptions } from "@alicloud/tea-util";
import { ConcurrencyLimit } from "./concurrency-limit";
import { credentialFor } from "./credentials";
import { isRegionId } from "./identifiers";
import { fromSdkError, KmsCallError } from "./kms-call-error";
import { DEFAULT_RETRY, type RetryPolicy, type Verdict, withRetry } from "./retry";
import { ThrottleGate } from "./throttle-gate";
import type { Settings } from "./settings";

// Sends one KMS action through the official @alicloud/kms20160120 client. Its doRequest is used for
// every action: v1.2.0's models lack CertificatePublicKeyEncrypt and drop DryRun.

export type KmsParams = Record<string, string>;
export type KmsTransport = (action: string, params: KmsParams) => Promise<Record<string, unknown>>;

const MAX_IN_FLIGHT = 8;

/** The region's public KMS host names: the shared gateway, and its VPC face. */
function kmsHostNames(region: string): string[] {
  return [`kms.${region}.aliyuncs.com`, `kms-vpc.${region}.aliyuncs.com`];
}

/**
 * Where calls for `region` go: the configured endpoint, or KMS's own host for the region, over
 * HTTPS. The region may come from an envelope or a bare ciphertext's options, written by anyone;
 * the host is built with URL and must come out as exactly KMS's host name, so no region can
 * point a signed request (AccessKeyId, STS token, replayable under signature v1) at another host.
 */
export function endpointFor(settings: Settings, region: string): { host: string; protocol: "http" | "https" } {
  // Operator-chosen hosts (configuration, not anything an envelope says): the region's own first.
  const own = Object.hasOwn(settings.endpoints ?? {}, region) ? settings.endpoints![region] : undefined;
  if (own) return own;
  if (settings.endpoint) return settings.endpoint;
  const [expected] = kmsHostNames(region) as [string];
  let url: URL | undefined;
  try {
    url = isRegionId(region) ? new URL(`https://${expected}/`) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || !kmsHostNames(region).includes(url.hostname) || url.port !== "" || url.username !== "" || url.password !== "") {
    throw new KmsCallError("Endpoint", "InvalidRegion", "");
  }
  return { host: url.hostname, protocol: "https" };
}

export function createTransport(settings: Settings, region: string, policy: RetryPolicy = DEFAULT_RETRY): KmsTransport {
  const { host, protocol } = endpointFor(settings, region);
  const client = new Kms(new Config({
    ...credentialFor(settings),
    endpoint: host,
    protocol,
    regionId: region,
    readTimeout: 10_000,
    connectTimeout: 5_000,
  }));
  const limit = new ConcurrencyLimit(MAX_IN_FLIGHT);
  const gate = new ThrottleGate();
  const runtime = new RuntimeOptions({ autoretry: false });
  const once = async (action: string, params: KmsParams) => {
    await gate.pass();
    try {
      // No body: v1.2.0 signs and sends every parameter in the query string.
      const answer = await client.doRequest(action, "HTTPS", "POST", "2016-01-20", "AK", params, null as never, runtime);
      gate.succeeded();
      return answer as Record<string, unknown>;
    } catch (error) {
      const e = fromSdkError(action, error);
      if (e.throttled) gate.throttled();
      throw e;
    }
  };
  const classify = (e: unknown): Verdict =>
    !(e instanceof KmsCallError) || !e.retryable ? "final" : e.throttled ? "throttled" : "failed";
  return (action, params) => withRetry(() => limit.run(() => once(action, params)), classify, policy);
}
