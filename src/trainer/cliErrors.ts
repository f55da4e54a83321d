// Errors the user can fix. The CLI prints their message alone (no stack trace) and exits with their code.

/** Exit codes: 0 ok, 1 the input is invalid (e.g. config diagnostics), 2 the input is unusable. */
export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_UNUSABLE = 2;

export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_UNUSABLE,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
