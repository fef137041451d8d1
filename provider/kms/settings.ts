import { isRegionId, printable } from "./identifiers";

// Where the provider finds its region, endpoint and credentials, read at run time in the provider
// process (never captured in the serialized provider). Order, first found wins:
//   1. stack config alicloud-kms:region | alicloud-kms:endpoint | alicloud-kms:protocol
//      (and alicloud-kms:encryptLocally, the default for values that leave encryptLocally unset)
//   2. alicloud-kms:accessKey | secretKey | securityToken | profile (what the resource plugin, which
//      sees only its own namespace, is configured with), then the alicloud:* keys the Pulumi
//      alicloud provider reads (region, accessKey, secretKey, securityToken, profile)
//   3. environment: ALIBABA_CLOUD_* then ALICLOUD_*; the endpoint from ALIBABA_CLOUD_KMS_ENDPOINT
//   4. @alicloud/credentials' default chain (OIDC, CLI profile, credentials file, ECS RAM role, URI)

export type ConfigSource = (key: string) => string | undefined;

export type CredentialSource =
  | { kind: "static"; accessKeyId: string; accessKeySecret: string; securityToken?: string; from: string; secretFrom: string }
  | { kind: "profile"; profile: string; from: string }
  | { kind: "default-chain"; from: string };

export interface Settings {
  /** Configured region; a key ARN's own region wins over it. */
  region?: string;
  regionFrom?: string;
  /** Explicit endpoint (host[:port]) and its protocol; absent = kms.<region>.aliyuncs.com over HTTPS. */
  endpoint?: { host: string; protocol: "http" | "https"; from: string };
  /**
   * Per-region endpoints (alicloud-kms:endpoints / ALIBABA_CLOUD_KMS_ENDPOINTS, a JSON object of
   * region → endpoint), for values with recipients in several regions: a region listed here uses
   * its own, any other the endpoint above or KMS's public host for it.
   */
  endpoints?: Record<string, { host: string; protocol: "http" | "https"; from: string }>;
  credentials: CredentialSource;
  /** alicloud-kms:encryptLocally, the default for values that do not set encryptLocally. */
  encryptLocally: boolean;
  /** Problems found while reading configuration, reported by check against the setting's name. */
  problems: { setting: string; reason: string }[];
}

function first(sources: [string, string | undefined][]): [string, string] | undefined {
  for (const [name, value] of sources) if (value !== undefined && value.trim() !== "") return [name, value.trim()];
  return undefined;
}

/**
 * How far stack config is trusted. A provider is configured from state on refresh and destroy, so
 * whoever can write the backend chooses its config: with `configFromState`, an endpoint from
 * stack config must be KMS's own host for a region (kms.<region>.aliyuncs.com,
 * kms-vpc.<region>.aliyuncs.com), a loopback address (an emulator), or one the environment names
 * too (ALIBABA_CLOUD_KMS_ENDPOINT, ALIBABA_CLOUD_KMS_ENDPOINTS), the operator's own word. Anything
 * else would receive the operator's signed requests (AccessKeyId, STS token; replayable under v1).
 */
export interface SettingsTrust {
  configFromState?: boolean;
}

const KMS_HOST = /^kms(?:-vpc)?\.[a-z]{2}(?:-[a-z0-9]{1,20}){1,4}\.aliyuncs\.com$/;
const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/** The origins the environment names (the operator's own), for the host rule. */
function environmentOrigins(env: NodeJS.ProcessEnv): Set<string> {
  const named = [env.ALIBABA_CLOUD_KMS_ENDPOINT];
  try {
    const map = JSON.parse(env.ALIBABA_CLOUD_KMS_ENDPOINTS ?? "{}") as unknown;
    if (typeof map === "object" && map !== null) {
      named.push(...Object.values(map).filter((v): v is string => typeof v === "string"));
    }
  } catch {
    // Malformed: reported where it is read; it allows nothing here.
  }
  const origins = new Set<string>();
  for (const value of named) {
    const parsed = value ? parseEndpoint(value.trim(), undefined) : undefined;
    if (parsed && typeof parsed !== "string") origins.add(`${parsed.protocol}://${parsed.host}`);
  }
  return origins;
}

/**
 * Why a config endpoint may not be used (see SettingsTrust), or undefined when it may. The whole
 * origin counts, not the host name alone: KMS's hosts only over HTTPS on the default port (over
 * plain HTTP, or to another port, the signed requests and the plaintexts would travel in clear),
 * loopback on any, and any other only where the environment names that same origin.
 */
function hostRuleProblem(
  endpoint: { host: string; protocol: string }, allowed: Set<string>, setting: string,
): string | undefined {
  const origin = `${endpoint.protocol}://${endpoint.host}`;
  const { hostname, port } = new URL(origin);
  const kmsOverTls = KMS_HOST.test(hostname) && endpoint.protocol === "https" && port === "";
  if (kmsOverTls || LOOPBACK.test(hostname) || allowed.has(origin)) return undefined;
  return `${printable(origin)} is neither KMS's HTTPS endpoint for a region (https://kms.<region>.aliyuncs.com, ` +
    `https://kms-vpc.<region>.aliyuncs.com, on the default port) nor loopback; stack config is read back from state, so another ` +
    `endpoint must also be named, as it is, where pulumi runs: set ALIBABA_CLOUD_KMS_ENDPOINT${setting.endsWith("endpoints") ? "S" : ""} ` +
    "to it there. Nothing was sent";
}

export function resolveSettings(config: ConfigSource, env: NodeJS.ProcessEnv = process.env, trust: SettingsTrust = {}): Settings {
  const problems: Settings["problems"] = [];
  const settings: Settings = {
    credentials: { kind: "default-chain", from: "the @alicloud/credentials default chain" },
    encryptLocally: false,
    problems,
  };

  const region = first([
    ["alicloud-kms:region", config("alicloud-kms:region")],
    ["alicloud:region", config("alicloud:region")],
    ["ALIBABA_CLOUD_REGION_ID", env.ALIBABA_CLOUD_REGION_ID],
    ["ALIBABA_CLOUD_REGION", env.ALIBABA_CLOUD_REGION],
    ["ALICLOUD_REGION", env.ALICLOUD_REGION],
  ]);
  if (region) {
    if (isRegionId(region[1])) {
      settings.region = region[1];
      settings.regionFrom = region[0];
    } else {
      problems.push({ setting: region[0], reason: `${printable(region[1])} is not a region ID; use one like cn-hangzhou` });
    }
  }

  const endpoint = first([
    ["alicloud-kms:endpoint", config("alicloud-kms:endpoint")],
    ["ALIBABA_CLOUD_KMS_ENDPOINT", env.ALIBABA_CLOUD_KMS_ENDPOINT],
  ]);
  const protocol = first([["alicloud-kms:protocol", config("alicloud-kms:protocol")]]);
  if (protocol && protocol[1] !== "http" && protocol[1] !== "https") {
    problems.push({ setting: protocol[0], reason: `'${protocol[1]}' is not a protocol; use https (or http for a local emulator)` });
  }
  const allowed = trust.configFromState ? environmentOrigins(env) : undefined;
  const ruled = (setting: string, parsed: { host: string; protocol: "http" | "https" }) =>
    (allowed && setting.startsWith("alicloud-kms:") ? hostRuleProblem(parsed, allowed, setting) : undefined);
  if (endpoint) {
    const parsed = parseEndpoint(endpoint[1], protocol?.[1]);
    const refused = typeof parsed === "string" ? parsed : ruled(endpoint[0], parsed);
    if (refused) problems.push({ setting: endpoint[0], reason: refused });
    else settings.endpoint = { ...(parsed as { host: string; protocol: "http" | "https" }), from: endpoint[0] };
  } else if (protocol?.[1] === "http") {
    problems.push({ setting: protocol[0], reason: "plain http needs an explicit alicloud-kms:endpoint; the public KMS endpoints are HTTPS only" });
  }

  const endpoints = first([
    ["alicloud-kms:endpoints", config("alicloud-kms:endpoints")],
    ["ALIBABA_CLOUD_KMS_ENDPOINTS", env.ALIBABA_CLOUD_KMS_ENDPOINTS],
  ]);
  if (endpoints) {
    const parsed = parseEndpoints(endpoints[1], protocol?.[1], endpoints[0]);
    const refused = typeof parsed === "string"
      ? parsed
      : Object.entries(parsed).map(([region, e]) => [region, ruled(endpoints[0], e)]).find(([, r]) => r)?.join(": ");
    if (refused) problems.push({ setting: endpoints[0], reason: refused });
    else settings.endpoints = parsed as NonNullable<Settings["endpoints"]>;
  }

  const encryptLocally = first([["alicloud-kms:encryptLocally", config("alicloud-kms:encryptLocally")]]);
  if (encryptLocally) {
    if (encryptLocally[1] === "true" || encryptLocally[1] === "false") settings.encryptLocally = encryptLocally[1] === "true";
    else problems.push({ setting: encryptLocally[0], reason: `'${encryptLocally[1]}' is not a boolean; use true or false` });
  }

  settings.credentials = resolveCredentials(config, env, problems) ?? settings.credentials;
  return settings;
}

function parseEndpoints(value: string, protocol: string | undefined, from: string): NonNullable<Settings["endpoints"]> | string {
  const usage = "use a JSON object of region → endpoint, like {\"cn-shanghai\": \"https://kms-vpc.cn-shanghai.aliyuncs.com\"}";
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return `is not JSON; ${usage}`;
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return `is not a JSON object; ${usage}`;
  const endpoints: NonNullable<Settings["endpoints"]> = {};
  for (const [region, endpoint] of Object.entries(json)) {
    if (!isRegionId(region)) return `names ${printable(region)}, which is not a region ID; ${usage}`;
    if (typeof endpoint !== "string") return `gives ${region} a ${typeof endpoint}; ${usage}`;
    const parsed = parseEndpoint(endpoint, protocol);
    if (typeof parsed === "string") return `${region}: ${parsed}`;
    endpoints[region] = { ...parsed, from: `${from} (${region})` };
  }
  return endpoints;
}

function parseEndpoint(value: string, protocol: string | undefined): { host: string; protocol: "http" | "https" } | string {
  const withScheme = /^[a-z]+:\/\//i.test(value) ? value : `${protocol === "http" ? "http" : "https"}://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return `'${value}' is not a URL; use one like https://kms.cn-hangzhou.aliyuncs.com or http://127.0.0.1:18080`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `'${value}' must use http or https`;
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.username || url.password) {
    return `'${value}' must be a bare origin (scheme://host[:port]) with no path, query or user info`;
  }
  if (/\.cryptoservice\.kms\.aliyuncs\.com$/i.test(url.hostname)) {
    // A KMS instance's dedicated gateway: cryptographic operations only (check also needs DescribeKey
    // and ListKeyVersions), authenticated with the instance's client key rather than an AccessKey,
    // over TLS under the instance's own CA. Not supported; the shared gateway reaches the same keys.
    return `'${value}' is a KMS instance's dedicated gateway, which serves only cryptographic calls, authenticates with a client key and ` +
      "needs the instance's CA certificate; use https://kms-vpc.<region>.aliyuncs.com from the instance's VPC, or " +
      "https://kms.<region>.aliyuncs.com with Internet access enabled for the instance";
  }
  const scheme = url.protocol === "http:" ? "http" : "https";
  if (protocol && protocol !== scheme) return `'${value}' says ${scheme} but alicloud-kms:protocol says ${protocol}; make them agree`;
  return { host: url.host, protocol: scheme };
}

function resolveCredentials(config: ConfigSource, env: NodeJS.ProcessEnv, problems: Settings["problems"]): CredentialSource | undefined {
  // Each pair: where the ID comes from, where its secret does, and the three values.
  const pairs: [string, string, string | undefined, string | undefined, string | undefined][] = [
    ["alicloud-kms:accessKey", "alicloud-kms:secretKey", config("alicloud-kms:accessKey"), config("alicloud-kms:secretKey"),
      config("alicloud-kms:securityToken")],
    ["alicloud:accessKey", "alicloud:secretKey", config("alicloud:accessKey"), config("alicloud:secretKey"), config("alicloud:securityToken")],
    ["ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", env.ALIBABA_CLOUD_ACCESS_KEY_ID, env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
      env.ALIBABA_CLOUD_SECURITY_TOKEN],
    ["ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", env.ALICLOUD_ACCESS_KEY, env.ALICLOUD_SECRET_KEY, env.ALICLOUD_SECURITY_TOKEN],
  ];
  for (const [from, secretFrom, id, secret, token] of pairs) {
    if (!id && !secret) continue;
    if (!id || !secret) {
      problems.push({ setting: from, reason: "an access key needs both its ID and its secret; set the missing one or neither" });
      return undefined;
    }
    return { kind: "static", accessKeyId: id, accessKeySecret: secret, ...(token ? { securityToken: token } : {}), from, secretFrom };
  }
  const profile = first([
    ["alicloud-kms:profile", config("alicloud-kms:profile")],
    ["alicloud:profile", config("alicloud:profile")],
    ["ALIBABA_CLOUD_PROFILE", env.ALIBABA_CLOUD_PROFILE],
    ["ALICLOUD_PROFILE", env.ALICLOUD_PROFILE],
  ]);
  if (profile) return { kind: "profile", profile: profile[1], from: profile[0] };
  return undefined;
}

/** Every credential value, so messages can be scrubbed of them. */
export function credentialValues(settings: Settings): string[] {
  const c = settings.credentials;
  return c.kind === "static" ? [c.accessKeySecret, ...(c.securityToken ? [c.securityToken] : [])] : [];
}
