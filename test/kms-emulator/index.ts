import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { type Faults, type FaultState, noFaults, parseFaults } from "./faults";
import { Authenticator } from "./protocol/authenticate";
import { RateLimiter } from "./rate-limiter";
import { type Behaviour, defaultBehaviour, type Gateway } from "./operations/operation";
import { createKmsServer } from "./server";
import { Stats, type StatsSnapshot } from "./stats";
import { KeyStore } from "./store/key-store";
import { writeKeysTo } from "./store/keys-dir";
import { loadState, persistTo } from "./store/persistence";
import { applySeed, defaultSeed, parseSeed, readSeedFile, type Seed } from "./store/seed";

export type { Faults } from "./faults";
export type { StatsSnapshot } from "./stats";
export type { Seed } from "./store/seed";

export interface KmsEmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** A parsed seed, or the path of a seed file; without one a default set is created. */
  seed?: Seed | string;
  /** The VPC gateway's port (kms-vpc.<region>.aliyuncs.com); default 0, a free one. */
  vpcPort?: number;
  /** Write every private key as PEM under this directory. */
  keysDir?: string;
  /** Persist keys, aliases and certificates here across restarts. */
  dataDir?: string;
  /** Per-AccessKeyId rate limit, answering Throttling beyond it. */
  qps?: number;
  faults?: Partial<Faults>;
  region?: string;
  accountId?: string;
  /** Real KMS: 7 days. Default 0, so tests can rotate at will. */
  minRotationIntervalMs?: number;
  /** The answer shapes the reference leaves open (see Behaviour); defaults are listed in the README. */
  behaviour?: Partial<Omit<Behaviour, "minRotationIntervalMs">>;
}

export interface KmsEmulator {
  /** Base URL of the public gateway (kms.<region>.aliyuncs.com), e.g. http://127.0.0.1:18080 */
  endpoint: string;
  /** host:port, what the SDK's `endpoint` setting takes. */
  host: string;
  port: number;
  /** Base URL of the VPC gateway (kms-vpc.<region>.aliyuncs.com): the same service on another port. */
  vpcEndpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  region: string;
  accountId: string;
  seed: Seed;
  store: KeyStore;
  stats(): StatsSnapshot;
  resetStats(): void;
  setFaults(faults: Partial<Faults>): void;
  close(): Promise<void>;
}

export async function startKmsEmulator(options: KmsEmulatorOptions = {}): Promise<KmsEmulator> {
  const region = options.region ?? "cn-hangzhou";
  const accountId = options.accountId ?? "1234567890123456";
  const store = new KeyStore(region, accountId);
  if (options.keysDir) store.observe(writeKeysTo(options.keysDir));
  if (options.dataDir) {
    const state = loadState(options.dataDir);
    if (state) store.restore(state);
  }
  const seed = resolveSeed(options, region);
  applySeed(store, seed);
  if (options.dataDir) {
    const persist = persistTo(options.dataDir, store);
    store.observe(persist);
    persist.changed?.();
  }

  const stats = new Stats();
  const faults: FaultState = { current: parseFaults(options.faults ?? {}, noFaults()), affectedCalls: 0 };
  const parts = {
    store,
    authenticator: new Authenticator(new Map(seed.accessKeys.map((k) => [k.accessKeyId, k]))),
    stats,
    ...(options.qps ? { limiter: new RateLimiter(options.qps) } : {}),
    faults,
    behaviour: { ...defaultBehaviour, ...options.behaviour, minRotationIntervalMs: options.minRotationIntervalMs ?? 0 },
  };
  const host = options.host ?? "127.0.0.1";
  const listen = async (gateway: Gateway, port: number) => {
    const server = createKmsServer({ ...parts, gateway });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, resolve);
    });
    return server;
  };
  const server = await listen("public", options.port ?? 0);
  const vpc = await listen("vpc", options.vpcPort ?? 0);
  const { port } = server.address() as AddressInfo;
  const close = (s: typeof server) => new Promise<void>((resolve, reject) => {
    s.close((e) => (e ? reject(e) : resolve()));
    s.closeAllConnections();
  });
  const [first] = seed.accessKeys;
  if (!first) throw new Error("the seed has no access key");
  return {
    endpoint: `http://${host}:${port}`,
    host: `${host}:${port}`,
    port,
    vpcEndpoint: `http://${host}:${(vpc.address() as AddressInfo).port}`,
    accessKeyId: first.accessKeyId,
    accessKeySecret: first.accessKeySecret,
    ...(first.securityToken ? { securityToken: first.securityToken } : {}),
    region,
    accountId,
    seed,
    store,
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    setFaults: (f) => {
      faults.current = parseFaults(f, faults.current);
      faults.affectedCalls = 0;
    },
    close: async () => {
      await Promise.all([close(server), close(vpc)]);
    },
  };
}

/**
 * The seed: given, or the default set. With --data-dir the generated default is saved beside the
 * state, so a restart keeps the same access key and key IDs.
 */
function resolveSeed(options: KmsEmulatorOptions, region: string): Seed {
  if (typeof options.seed === "string") return readSeedFile(options.seed);
  if (options.seed) return parseSeed(options.seed);
  if (!options.dataDir) return defaultSeed(region);
  const file = join(options.dataDir, "default-seed.json");
  if (existsSync(file)) return parseSeed(JSON.parse(readFileSync(file, "utf8")));
  const seed = defaultSeed(region);
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(seed, null, 2), { mode: 0o600 });
  return seed;
}
