/**
 * A failure whose message is the whole story, so it carries no stack frames: the dynamic provider
 * host prints `${e}: ${e.stack}` for read/delete failures, and the CLI prints the message alone.
 */
export class MessageOnlyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
    this.stack = "";
  }
}

/**
 * What a failure may say to a user: our own message, or for anything else (a library's or the
 * runtime's error) only its kind. Their text is not ours to show: it can quote a config file, a
 * request or a key.
 */
export function ownMessage(e: unknown): string {
  if (e instanceof MessageOnlyError) return e.message;
  const name = e instanceof Error && /^\w{1,40}$/.test(e.name) ? e.name : "error";
  return `an unexpected ${name} (its own text is not shown: it comes from a library)`;
}
