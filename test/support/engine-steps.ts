import { decodeBase64 } from "../../provider/base64";
import { digestWithSalt, saltFor } from "../../provider/crypto/plaintext-digest";
import type { DynamicProviderHost } from "./dynamic-provider-host";

// The engine's side of a deployment, one resource at a time, as pkg/resource/deploy does it for a
// provider that declines secrets (the Node dynamic host does): Check with the old inputs, Diff
// against the old outputs, then Create or Update; Read for refresh; Delete for destroy. State keeps
// what the provider returned (secrets still wrapped); requests carry secrets unwrapped.

type Props = Record<string, unknown>;
const SIG = "4dabf18193072939515e22adb298388d";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (typeof value !== "object" || value === null) return value;
  const o = value as Props;
  if (o[SIG] !== undefined) return unwrapSecrets(o.value);
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, unwrapSecrets(v)]));
}

const plain = (props: Props): Props => unwrapSecrets(props) as Props;

export interface ResourceState {
  id: string;
  inputs: Props;
  outputs: Props;
}

export type Step =
  | { op: "create" | "update" | "same" | "replace"; failures: []; outputs?: Props; replaces?: string[] }
  | { op: "failed"; failures: { property: string; reason: string }[] };

export const TYPE = "pulumi-nodejs:dynamic/alicloud-kms:EncryptedValue";

export class Stack {
  readonly state = new Map<string, ResourceState>();

  /** The provider process of the current command; each pulumi command starts a new one. */
  constructor(public host: DynamicProviderHost, private readonly serializedProvider: string, private readonly type = TYPE) {}

  /** URNs other than `urn:pulumi:dev::kms-test::<type>::<name>`, e.g. for a value under a component. */
  readonly urns = new Map<string, string>();

  urn(name: string): string {
    return this.urns.get(name) ?? `urn:pulumi:dev::kms-test::${this.type}::${name}`;
  }

  /** The stack's integrity key, as the IntegrityKey resource would hold it (32 bytes, base64url). */
  stackIntegrityKey = Buffer.alloc(32, 7).toString("base64url");

  /** The stack's digest salt, as the DigestSalt resource would hold it. */
  readonly digestSalt = "test-stack-digest-salt-0123456789abcdefghijklmnopq";

  /** What the SDK adds to a program's inputs: the value's URN and, in digest mode, the digest. */
  async sdkInputs(name: string, programInputs: Props): Promise<Props> {
    const valueUrn = this.urn(name);
    const { plaintext, plaintextBase64, changeDetection } = programInputs;
    let plaintextDigest: unknown;
    if (changeDetection !== "trigger" && (plaintext === undefined) !== (plaintextBase64 === undefined) && !("plaintextDigest" in programInputs)) {
      const carried = plaintext ?? plaintextBase64;
      const bytes = carried === UNKNOWN || typeof carried !== "string" ? undefined
        : plaintext !== undefined ? Buffer.from(carried, "utf8") : decodeBase64(carried);
      const salt = saltFor(this.digestSalt, valueUrn);
      plaintextDigest = carried === UNKNOWN ? UNKNOWN : bytes?.length ? await digestWithSalt(bytes, salt) : undefined;
    }
    const digest = plaintextDigest !== undefined ? { plaintextDigest } : {};
    return { valueUrn, stackIntegrityKey: this.stackIntegrityKey, ...digest, ...programInputs };
  }

  protected async plan(name: string, programInputs: Props) {
    const news = { ...(await this.sdkInputs(name, programInputs)), __provider: this.serializedProvider };
    const old = this.state.get(name);
    const { inputs, failures } = await this.host.check(this.urn(name), old ? plain(old.inputs) : {}, news);
    if (failures.length > 0) return { step: { op: "failed", failures } as Step, inputs };
    if (!old) return { step: { op: "create", failures: [] } as Step, inputs };
    const { changes, replaces } = await this.host.diff(old.id, this.urn(name), plain(old.outputs),
      plain(inputs), plain(old.inputs));
    if (replaces.length > 0) return { step: { op: "replace", failures: [], replaces } as Step, inputs };
    return { step: { op: changes ? "update" : "same", failures: [] } as Step, inputs };
  }

  /** `pulumi preview` for one resource: Check and Diff only. */
  async preview(name: string, programInputs: Props): Promise<Step> {
    return (await this.plan(name, programInputs)).step;
  }

  /** `pulumi up` for one resource. A failed Create/Update rejects and leaves the state as it was. */
  async up(name: string, programInputs: Props): Promise<Step> {
    const { step, inputs } = await this.plan(name, programInputs);
    const old = this.state.get(name);
    if (step.op === "failed") return step;
    if (step.op === "same" && old) {
      this.state.set(name, { ...old, inputs });
      return step;
    }
    const checked = plain(inputs);
    if (step.op === "replace") {
      // As the engine does: Check again without the old inputs, then create before delete (deleteBeforeReplace: false).
      const o = old as ResourceState;
      const news = { ...(await this.sdkInputs(name, programInputs)), __provider: this.serializedProvider };
      const again = await this.host.check(this.urn(name), {}, news);
      if (again.failures.length > 0) return { op: "failed", failures: again.failures };
      const { id, properties } = await this.host.create(this.urn(name), plain(again.inputs));
      await this.host.delete(o.id, this.urn(name), plain(o.outputs));
      this.state.set(name, { id, inputs: again.inputs, outputs: properties });
      return { ...step, outputs: properties };
    }
    if (step.op === "create") {
      const { id, properties } = await this.host.create(this.urn(name), checked);
      this.state.set(name, { id, inputs, outputs: properties });
      return { ...step, outputs: properties };
    }
    const o = old as ResourceState;
    const properties = await this.host.update(o.id, this.urn(name), plain(o.outputs), checked, plain(o.inputs));
    this.state.set(name, { id: o.id, inputs, outputs: properties });
    return { ...step, outputs: properties };
  }

  /** `pulumi refresh` for one resource. */
  async refresh(name: string): Promise<Props> {
    const old = this.state.get(name);
    if (!old) throw new Error(`${name} is not in the stack`);
    const { id, properties } = await this.host.read(old.id, this.urn(name), plain(old.outputs), plain(old.inputs));
    this.state.set(name, { ...old, id, outputs: properties });
    return properties;
  }

  async destroy(name: string): Promise<void> {
    const old = this.state.get(name);
    if (!old) return;
    await this.host.delete(old.id, this.urn(name), plain(old.outputs));
    this.state.delete(name);
  }
}

export const VALUES_TYPE = "pulumi-nodejs:dynamic/alicloud-kms:EncryptedValues";

/** The same engine steps for EncryptedValues: the SDK adds a digest per entry. */
export class ValuesStack extends Stack {
  constructor(host: DynamicProviderHost, serializedProvider: string) {
    super(host, serializedProvider, VALUES_TYPE);
  }

  override async sdkInputs(name: string, programInputs: Props): Promise<Props> {
    const valueUrn = this.urn(name);
    const { plaintexts, changeDetection } = programInputs;
    let plaintextDigests: unknown;
    if (changeDetection !== "trigger" && !("plaintextDigests" in programInputs) && plaintexts !== undefined) {
      // As the SDK sends them: one JSON string of entry name → digest.
      plaintextDigests = plaintexts === UNKNOWN ? UNKNOWN : JSON.stringify(Object.fromEntries(await Promise.all(
        Object.entries(plaintexts as Record<string, unknown>).filter(([, v]) => typeof v === "string" && v !== UNKNOWN)
          .map(async ([entry, v]) => {
            const salt = saltFor(this.digestSalt, valueUrn, entry);
            return [entry, await digestWithSalt(Buffer.from(v as string), salt)] as const;
          }),
      )));
    }
    const digests = plaintextDigests !== undefined ? { plaintextDigests } : {};
    return { valueUrn, stackIntegrityKey: this.stackIntegrityKey, ...digests, ...programInputs };
  }
}
