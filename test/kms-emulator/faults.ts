/** Failures the emulator injects on purpose, for tests of retries and resilience. */
export interface Faults {
  /** Share of calls (0–1) answered InternalFailure (500). */
  errorRate: number;
  /** Milliseconds added before every answer. */
  latencyMs: number;
  /** Share of calls (0–1) whose connection is dropped without an answer. */
  dropRate: number;
  /** Deterministic: every n-th affected call (counted from this setting) answers InternalFailure; 0 = off. */
  errorEvery: number;
  /** Deterministic: every n-th affected call has its connection dropped; 0 = off. */
  dropEvery: number;
  /** Limit the faults to these actions; all actions when empty. */
  actions: string[];
}

export const noFaults = (): Faults => ({ errorRate: 0, latencyMs: 0, dropRate: 0, errorEvery: 0, dropEvery: 0, actions: [] });

/** Validates a (partial) fault setting from a test or `POST /__emulator/faults`. */
export function parseFaults(input: unknown, base: Faults = noFaults()): Faults {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    throw new Error("faults must be a JSON object");
  const o = input as Record<string, unknown>;
  const faults = { ...base };
  const rate = (name: "errorRate" | "dropRate") => {
    const v = o[name];
    if (v === undefined) return;
    if (typeof v !== "number" || !(v >= 0 && v <= 1)) throw new Error(`${name} must be a number from 0 to 1`);
    faults[name] = v;
  };
  rate("errorRate");
  rate("dropRate");
  const every = (name: "errorEvery" | "dropEvery") => {
    const v = o[name];
    if (v === undefined) return;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw new Error(`${name} must be a whole number, 0 for off`);
    faults[name] = v;
  };
  every("errorEvery");
  every("dropEvery");
  if (o.latencyMs !== undefined) {
    if (typeof o.latencyMs !== "number" || !(o.latencyMs >= 0 && o.latencyMs <= 60_000)) {
      throw new Error("latencyMs must be a number from 0 to 60000");
    }
    faults.latencyMs = o.latencyMs;
  }
  if (o.actions !== undefined) {
    if (!Array.isArray(o.actions) || !o.actions.every((a) => typeof a === "string")) {
      throw new Error("actions must be an array of action names");
    }
    faults.actions = o.actions as string[];
  }
  return faults;
}

export function appliesTo(faults: Faults, action: string): boolean {
  return faults.actions.length === 0 || faults.actions.includes(action);
}

/** The faults in force and how many calls they have affected so far (for the "every n-th" ones). */
export interface FaultState {
  current: Faults;
  affectedCalls: number;
}

/** What happens to the next affected call: "drop", "error" or nothing. */
export function nextFault(state: FaultState, random: () => number = Math.random): "drop" | "error" | undefined {
  const f = state.current;
  const n = ++state.affectedCalls;
  if (random() < f.dropRate || (f.dropEvery > 0 && n % f.dropEvery === 0)) return "drop";
  if (random() < f.errorRate || (f.errorEvery > 0 && n % f.errorEvery === 0)) return "error";
  return undefined;
}
