import { MessageOnlyError } from "../../provider/toolkit";

/** A failure the CLI reports as one line on stderr and an exit status (1: refused, 2: usage). */
export class CliError extends MessageOnlyError {
  constructor(message: string, readonly exitCode: 1 | 2) {
    super(message);
  }
}
