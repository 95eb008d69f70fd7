/** The terminal streams that decide whether a person is there. */
export interface TerminalStreams {
  stdin: {isTTY?: boolean}
  stdout: {isTTY?: boolean}
}

/**
 * A person is there to answer questions: stdin and stdout are both terminals (a prompt written to a pipe
 * is never seen; an answer cannot come from a pipe), and the output is not for a program (--json).
 * Every command decides it here; what makes a run a script besides (`--yes`, `-x`) stays with the command.
 */
export function isInteractive(options: {json?: boolean} = {}, streams: TerminalStreams = process): boolean {
  return Boolean(streams.stdin.isTTY && streams.stdout.isTTY) && !options.json
}
