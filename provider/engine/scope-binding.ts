import { SCOPE_ENTRY_KEY, SCOPE_VALUE_KEY, scopeContext, scopeOfUrn } from "../crypto/value-scope";
import type { EncryptionContext } from "../kms/encryption-context";
import { isSymmetric } from "../kms/key-spec-limits";
import type { CheckFailure, SharedInputs } from "./inputs";
import type { ResolvedTarget } from "./resolve-target";
import { isUnknown, UNKNOWN, type Unknown } from "./wire-values";

// bindScope: every envelope binds its value's scope (crypto/value-scope.ts); a bare ciphertext can
// only through a symmetric key's encryption context, which every Decrypt caller must then send, so
// it is an option, off by default. Decided here, for check, once the target is resolved.

type Binding = { encryptionContext?: EncryptionContext | Unknown } | { failure: CheckFailure };

/**
 * The encryption context the value is encrypted with: the program's, plus with bindScope on a
 * direct symmetric value the scope's keys; or why bindScope cannot apply. `entries` is true for
 * EncryptedValues, whose one encryptionContext output cannot state each entry's own.
 */
export function scopeBinding(inputs: SharedInputs, target: ResolvedTarget, entries: boolean): Binding {
  const context = inputs.encryptionContext;
  if (!inputs.bindScope) return context === undefined ? {} : { encryptionContext: context };
  const fail = (reason: string) => ({ failure: { property: "bindScope", reason: `bindScope: ${reason}` } });
  if (inputs.envelopeFormat === "encryption-sdk") {
    return fail("an Encryption SDK message has no place for a scope; remove bindScope, or use the native envelope format, which binds it");
  }
  // Every native envelope binds its scope already.
  if (inputs.envelope) return context === undefined ? {} : { encryptionContext: context };
  if (entries) {
    return fail("each entry's scope would be its own encryption context, which the one encryptionContext output cannot state; " +
      "set envelope: true (every envelope binds its entry's scope), or use one EncryptedValue per secret");
  }
  if (isUnknown(target.algorithm) || isUnknown(context)) return { encryptionContext: UNKNOWN };
  if (!isSymmetric(target.algorithm)) {
    return fail(`a value ${target.kind === "key" ? `a ${String(target.keySpec)} key` : "a certificate"} encrypts directly cannot bind a scope ` +
      "(the asymmetric operations take no context); set envelope: true, whose envelope binds it");
  }
  if (context?.[SCOPE_VALUE_KEY] !== undefined || context?.[SCOPE_ENTRY_KEY] !== undefined) {
    return { failure: { property: "encryptionContext", reason: `encryptionContext: ${SCOPE_VALUE_KEY} and ${SCOPE_ENTRY_KEY} are bindScope's; remove them` } };
  }
  return { encryptionContext: { ...context, ...scopeContext(scopeOfUrn(inputs.valueUrn)) } };
}
