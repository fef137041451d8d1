import * as pulumi from "@pulumi/pulumi";

// Every value reads two stack-wide outputs: the digest salt and the integrity key. Passed as they
// are, the engine records them as the value's `dependencies` and `propertyDependencies`, about 470
// bytes of URNs per value in state, which the engine writes again, whole, after every step of an up
// (docs/performance.md). Neither edge orders anything: the value's inputs wait for the salt and key
// anyway, and neither resource has anything in the cloud to create or delete before or after a value.

/** The parts of @pulumi/pulumi's Output this reads, marked internal in its typings. */
interface OutputInternals<T> {
  promise?: (withUnknowns?: boolean) => Promise<T>;
  isKnown?: Promise<boolean>;
  isSecret?: Promise<boolean>;
}

/** Output's constructor, as pulumi.secret and pulumi.unsecret call it (internal in the typings). */
type OutputConstructor<T> = new (resources: Set<never>, promise: Promise<T>, isKnown: Promise<boolean>,
  isSecret: Promise<boolean>, allResources: Promise<Set<never>>) => pulumi.Output<T>;

/**
 * The same value, unknown in the same previews and secret when `o` is, carrying no resource for the
 * engine to record as a dependency (as pulumi.unsecret makes its output, with the resources left
 * out). An @pulumi/pulumi whose Output lacks those internals gets `o` back, dependencies and all.
 */
export function withoutDependencies<T>(o: pulumi.Output<T>): pulumi.Output<T> {
  const { promise, isKnown, isSecret } = o as unknown as OutputInternals<T>;
  if (typeof promise !== "function" || !(isKnown instanceof Promise) || !(isSecret instanceof Promise)) return o;
  const Output = pulumi.Output as unknown as OutputConstructor<T>;
  // With unknowns: in a preview it resolves to pulumi's unknown, which keeps the new output unknown.
  return new Output(new Set(), promise.call(o, true), isKnown, isSecret, Promise.resolve(new Set()));
}
