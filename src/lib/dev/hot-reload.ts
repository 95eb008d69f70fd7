import type {FunctionHost} from './functions.js'
import type {DevLog} from './log.js'
import type {ReloadEvent} from './server-types.js'
import {SourceWatcher} from './watcher.js'

// Hot reload: which files are watched, what a change reloads, and what the log (and onReload) hears of it.

/** What a reload works on: the server's functions, and its template. */
export interface ReloadTarget {
  /** Set once the server stops: a change seen after that is not reloaded. */
  readonly closing: boolean
  readonly functions: FunctionHost
  readonly log: DevLog
  /** Told of each reload once it is live or has failed. */
  readonly onReload?: (event: ReloadEvent) => void
  readonly projectDir: string
  readonly templatePath: string
  /** Reads template.yaml again and serves it; throws (leaving the previous template in place) on a template error. */
  reloadTemplate(): Promise<void>
}

/**
 * Watches template.yaml and every file a bundle reads: a change to a handler rebuilds the functions that read it, a
 * change to the template reloads everything. Reloads run one at a time, in order.
 */
export class HotReload {
  private reloading: Promise<void> = Promise.resolve()
  private readonly watcher: SourceWatcher

  constructor(
    private readonly target: ReloadTarget,
    debounceMs?: number,
  ) {
    this.watcher = new SourceWatcher((files, firstChangeAt) => this.onSourcesChanged(files, firstChangeAt), debounceMs)
    this.watchSources()
  }

  close(): void {
    this.watcher.close()
  }

  private watchSources(): void {
    this.watcher.set(new Set([this.target.templatePath, ...this.target.functions.inputs()]))
  }

  private onSourcesChanged(files: Set<string>, firstChangeAt: number): void {
    this.reloading = this.reloading.then(() => this.reload(files, firstChangeAt)).catch(() => {})
  }

  private async reload(files: Set<string>, firstChangeAt: number): Promise<void> {
    const {functions, log} = this.target
    if (this.target.closing) return
    let names: string[] = []
    try {
      if (files.has(this.target.templatePath)) {
        await this.target.reloadTemplate()
        names = ['template.yaml']
      } else {
        const affected = functions.affectedBy(files)
        if (affected.length === 0) return
        await functions.rebuild(this.target.projectDir, affected)
        names = affected.map((fn) => fn.logicalId)
      }

      // Live means loaded: start one environment with the new code before saying so.
      const loaded = await functions.start(names, names.includes('template.yaml'))
      const durationMs = performance.now() - firstChangeAt
      const failed = loaded.filter((outcome) => outcome.error)
      if (failed.length > 0) {
        // As in Lambda, the new code is deployed but its init fails: so does each invocation until it is fixed.
        const message = failed
          .map(
            ({error, logicalId}) =>
              `${logicalId} throws while loading:\n${(error!.stack ?? `${error!.errorType}: ${error!.errorMessage}`).replaceAll(/^/gm, '    ')}`,
          )
          .join('\n')
        log.error(
          `Reload failed: ${message}\nEach invocation fails with this init error until the file is fixed; wsapi dev reloads it when you save.`,
        )
        this.target.onReload?.({durationMs, error: message, functions: names})
        return
      }

      log.success(`Reloaded ${names.join(', ')} in ${Math.round(durationMs)} ms`)
      this.target.onReload?.({durationMs, functions: names})
    } catch (error) {
      // The messages of template errors end by telling to run the command again: dev is still running and reloads on save.
      const message = (error as Error).message.replace(/\s*Fix the file and run the command again\.$/, '')
      log.error(
        `Reload failed, still running the previous code:\n${message}\nFix the file: wsapi dev reloads it when you save.`,
      )
      this.target.onReload?.({durationMs: performance.now() - firstChangeAt, error: message, functions: names})
    } finally {
      this.watchSources()
    }
  }
}
