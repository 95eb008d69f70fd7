import {createRequire} from 'node:module'

import type {IPty} from '@lydell/node-pty'

import {BIN, REPO_ROOT} from './cli.js'

const require = createRequire(import.meta.url)

/** ANSI escape sequences (colours, cursor moves) stripped, so tests match on text. */
export function stripAnsi(text: string): string {
  return text.replaceAll(/\u001B(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007]*\u0007|[()][0-9A-Za-z]|[=>NOM78c])/g, '')
}

/** The CLI in a pseudo-terminal, as a person runs it: stdin and stdout are TTYs. */
export class PtySession {
  exitCode: number | undefined
  output = ''
  private readonly exited: Promise<number>
  private readonly pty: IPty

  constructor(args: string[], options: {cols?: number; cwd?: string; env?: NodeJS.ProcessEnv} = {}) {
    const {spawn} = require('@lydell/node-pty') as typeof import('@lydell/node-pty')
    this.pty = spawn(process.execPath, [BIN, ...args], {
      cols: options.cols ?? 120,
      cwd: options.cwd ?? REPO_ROOT,
      env: {...process.env, FORCE_COLOR: '0', NO_COLOR: '1', TERM: 'xterm-256color', ...options.env} as Record<
        string,
        string
      >,
      rows: 40,
    })
    this.pty.onData((data) => (this.output += data))
    this.exited = new Promise((resolve) =>
      this.pty.onExit(({exitCode}) => {
        this.exitCode = exitCode
        resolve(exitCode)
      }),
    )
  }

  /** Plain text of everything printed so far. */
  get text(): string {
    return stripAnsi(this.output)
  }

  /** Waits until the plain output (after `from` characters) matches, or fails with what was seen. */
  async expect(pattern: RegExp, timeoutMs = 30_000, from = 0): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const match = this.text.slice(from).match(pattern)
      if (match) return match
      if (this.exitCode !== undefined)
        throw new Error(`exited (${this.exitCode}) before ${pattern}; output:\n${this.text}`)
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output:\n${this.text}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  kill(signal = 'SIGKILL'): void {
    if (this.exitCode === undefined) this.pty.kill(signal)
  }

  async waitForExit(timeoutMs = 30_000): Promise<number> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no exit within ${timeoutMs} ms; output:\n${this.text}`)), timeoutMs)
    })
    try {
      return await Promise.race([this.exited, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  write(data: string): void {
    this.pty.write(data)
  }
}
