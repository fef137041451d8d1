// @pulumi/pulumi records `new Error().stack` on every promise it makes (runtime/debuggable.ts), to
// print where a leaked promise came from when PULUMI_DEBUG_PROMISE_LEAKS is set, and it makes dozens
// of them for each resource it constructs: capturing those stacks was most of the program's cost of
// an EncryptedValue (3.2 of 3.9 ms in a mocked program, about 0.7 ms left without them). While one of
// our resources is constructed, synchronously, stack traces are not captured, unless the user asked
// for leak debugging. Anything thrown in that window still has its message; nothing asynchronous
// ever runs inside it.

/** Stops capturing stack traces; call the returned function (in a finally) to restore them. */
export function pauseStackTraces(): () => void {
  if (process.env.PULUMI_DEBUG_PROMISE_LEAKS) return () => undefined;
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  return () => {
    Error.stackTraceLimit = limit;
  };
}
