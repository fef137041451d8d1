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
