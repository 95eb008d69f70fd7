import {type FSWatcher, watch} from 'node:fs'
import {dirname, join} from 'node:path'

/**
 * Watches a set of files through their folders (editors often save by writing a temporary file and
 * renaming it, which a watch on the file itself would miss) and reports changed files in batches.
 */
export class SourceWatcher {
  private readonly folders = new Map<string, FSWatcher>()
  private files = new Set<string>()
  private readonly changed = new Set<string>()
  private firstChangeAt = 0
  private timer?: NodeJS.Timeout

  constructor(
    private readonly onChange: (files: Set<string>, firstChangeAt: number) => void,
    private readonly debounceMs = 25,
  ) {}

  /** Watches exactly these files (absolute paths) from now on. */
  set(files: Iterable<string>): void {
    this.files = new Set(files)
    const wanted = new Set([...this.files].map((file) => dirname(file)))
    for (const [folder, watcher] of this.folders) {
      if (!wanted.has(folder)) {
        watcher.close()
        this.folders.delete(folder)
      }
    }

    for (const folder of wanted) {
      if (this.folders.has(folder)) continue
      try {
        const watcher = watch(folder, (_event, name) => {
          if (name) this.saw(join(folder, name.toString()))
        })
        watcher.on('error', () => {})
        this.folders.set(folder, watcher)
      } catch {
        // A folder that vanished is not worth failing over; the next rebuild sets the list again.
      }
    }
  }

  close(): void {
    clearTimeout(this.timer)
    for (const watcher of this.folders.values()) watcher.close()
    this.folders.clear()
  }

  private saw(file: string): void {
    if (!this.files.has(file)) return
    if (this.changed.size === 0) this.firstChangeAt = performance.now()
    this.changed.add(file)
    clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      const batch = new Set(this.changed)
      this.changed.clear()
      this.onChange(batch, this.firstChangeAt)
    }, this.debounceMs)
  }
}
