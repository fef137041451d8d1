import { errors } from "../errors";
import { operations } from "../operations";
import type { Behaviour, Gateway, ResponseBody } from "../operations/operation";
import type { KeyStore } from "../store/key-store";

// The operator's commands on a key (`npm run kms-emulator -- rotate|disable|enable <key>`, and
// `POST /__emulator/keys` beside /__emulator/stats): CreateKeyVersion, DisableKey and EnableKey as
// the API runs them, same checks and same errors, for someone trying the package on the emulator
// who should not need to write a signed client to rotate a key.

export const KEY_COMMANDS = { rotate: "CreateKeyVersion", disable: "DisableKey", enable: "EnableKey" } as const;
export type KeyCommand = keyof typeof KEY_COMMANDS;

export function isKeyCommand(value: unknown): value is KeyCommand {
  return typeof value === "string" && Object.hasOwn(KEY_COMMANDS, value);
}

/** Runs `command` on the key `reference` (ID, alias or ARN); throws the KmsError the API would answer. */
export function runKeyCommand(
  store: KeyStore, behaviour: Behaviour, gateway: Gateway, command: KeyCommand, reference: unknown,
): ResponseBody {
  if (typeof reference !== "string" || reference === "") throw errors.missingParameter("KeyId");
  const operation = operations.get(KEY_COMMANDS[command])!;
  // Not a signed request: the operator's own, on the emulator's admin path.
  const caller = { accessKey: { accessKeyId: "emulator-operator", accessKeySecret: "" }, signature: "HMAC-SHA1" as const };
  const answer = operation.prepare({ store, params: { KeyId: reference }, caller, behaviour, gateway })();
  const key = store.resolveKey(reference);
  return { KeyId: key.keyId, KeyState: key.keyState, PrimaryKeyVersion: store.primaryVersion(key).keyVersionId, ...answer };
}
