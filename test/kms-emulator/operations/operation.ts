import type { Caller } from "../protocol/authenticate";
import type { Params } from "../protocol/params";
import type { KeyStore } from "../store/key-store";

export type ResponseBody = Record<string, unknown>;

/** Behaviour switches that differ from the real service only where tests need them to. */
export interface Behaviour {
  /** Real KMS refuses a new key version within 7 days of the last; 0 (the default) lifts that rule. */
  minRotationIntervalMs: number;
}

export interface OperationContext {
  store: KeyStore;
  params: Params;
  caller: Caller;
  behaviour: Behaviour;
}

/**
 * One API action. `prepare` resolves, loads and validates (throwing KmsErrors); it returns `act`,
 * which changes state or computes, and builds the response. A dry run stops between the two.
 */
export interface Operation {
  action: string;
  acceptsDryRun?: boolean;
  prepare(context: OperationContext): () => ResponseBody;
}
