import assert from 'node:assert/strict'
import {appendFileSync, mkdirSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'

import {HotReload, type ReloadTarget} from '../../../src/lib/dev/hot-reload.js'
import type {ReloadEvent} from '../../../src/lib/dev/server-types.js'
import {DevLog} from '../../../src/lib/dev/log.js'
import {loadProject} from '../../../src/lib/project/index.js'
import {hostFor, outputLine, testProject, WatchedOutput} from '../../helpers/dev-server.js'

/** A project's functions loaded, under a HotReload; `reloadTemplate` counts its calls or fails as told. */
async function reloading(templateError?: string) {
  const dir = testProject()
  const project = loadProject(dir)
  const output = new WatchedOutput()
  const functions = hostFor(project, output)
  await functions.load(project)
  let templateReloads = 0
  const events: ReloadEvent[] = []
  const waiters: Array<() => void> = []
  const target: ReloadTarget = {
    closing: false,
    functions,
    log: new DevLog(output, true),
    onReload(event) {
      events.push(event)
      for (const wake of waiters.splice(0)) wake()
    },
    projectDir: dir,
    templatePath: project.templatePath,
    async reloadTemplate() {
      templateReloads++
      if (templateError) throw new Error(`${templateError} Fix the file and run the command again.`)
      await functions.load(loadProject(dir))
    },
  }
  const hotReload = new HotReload(target, 5)
  return {
    async close() {
      hotReload.close()
      await functions.close()
    },
    dir,
    events,
    functions,
    output,
    /** Resolves once `count` reloads have been reported. */
    async reloads(count: number): Promise<void> {
      while (events.length < count) await new Promise<void>((resolve) => waiters.push(resolve))
    },
    get templateReloads() {
      return templateReloads
    },
  }
}

describe('dev: hot reload', function () {
  this.timeout(60_000)

  it('rebuilds the function whose source changed, starts it, and says so', async () => {
    const run = await reloading()
    try {
      writeFileSync(
        join(run.dir, 'src/handlers/default.ts'),
        "export const handler = async () => ({body: 'v2', statusCode: 200})\n",
      )
      await outputLine(run.output, /^Reloaded DefaultFunction in \d+ ms$/)
      const outcome = await run.functions.invoke('DefaultFunction', {}, 'r1', 'c1', false)
      assert.ok(outcome.ok)
      assert.equal((outcome.payload as {body: string}).body, 'v2')
      assert.equal(run.templateReloads, 0)
      assert.deepEqual(
        run.events.map((event) => [event.functions, event.error]),
        [[['DefaultFunction'], undefined]],
      )
    } finally {
      await run.close()
    }
  })

  it('watches the files a rebuilt bundle reads from then on: a newly imported module reloads its function', async () => {
    const run = await reloading()
    try {
      const helper = join(run.dir, 'src/extra/greeting.ts')
      mkdirSync(dirname(helper))
      writeFileSync(helper, "export const greeting = 'v1'\n")
      writeFileSync(
        join(run.dir, 'src/handlers/default.ts'),
        "import {greeting} from '../extra/greeting.js'\nexport const handler = async () => ({body: greeting, statusCode: 200})\n",
      )
      await outputLine(run.output, /^Reloaded DefaultFunction in \d+ ms$/)
      let seen = run.events.length
      writeFileSync(helper, "export const greeting = 'v2'\n")
      // Until a reload serves the new module (a save may be seen as more than one change); unwatched, none comes.
      for (;;) {
        await run.reloads(seen + 1)
        seen = run.events.length
        const outcome = await run.functions.invoke('DefaultFunction', {}, 'r1', 'c1', false)
        assert.ok(outcome.ok)
        if ((outcome.payload as {body: string}).body === 'v2') break
      }

      assert.deepEqual(
        new Set(run.events.map((event) => `${event.functions.join()} ${event.error}`)),
        new Set(['DefaultFunction undefined']),
      )
    } finally {
      await run.close()
    }
  })

  it('reports a handler that throws while loading, and keeps watching', async () => {
    const run = await reloading()
    try {
      const file = join(run.dir, 'src/handlers/default.ts')
      writeFileSync(file, "throw new Error('broken on load')\nexport const handler = async () => ({})\n")
      await outputLine(
        run.output,
        /^Reload failed: DefaultFunction throws while loading:[\s\S]*broken on load[\s\S]*wsapi dev reloads it when you save\.$/,
      )
      writeFileSync(file, "export const handler = async () => ({body: 'fixed', statusCode: 200})\n")
      await outputLine(run.output, /^Reloaded DefaultFunction/)
      assert.match(run.events[0].error ?? '', /^DefaultFunction throws while loading:/)
      assert.equal(run.events[1].error, undefined)
    } finally {
      await run.close()
    }
  })

  it('reloads everything on a template change; a template error keeps the previous code running', async () => {
    const run = await reloading('Bad template.')
    try {
      appendFileSync(join(run.dir, 'template.yaml'), '\n# changed\n')
      await outputLine(
        run.output,
        /^Reload failed, still running the previous code:\nBad template\.\nFix the file: wsapi dev reloads it when you save\.$/,
      )
      assert.equal(run.templateReloads, 1)
      assert.deepEqual(
        run.events.map((event) => [event.functions, event.error]),
        [[[], 'Bad template.']],
      )
      const outcome = await run.functions.invoke(
        'DefaultFunction',
        {body: 'still', requestContext: {connectionId: 'c1', routeKey: '$default'}},
        'r1',
        'c1',
        false,
      )
      assert.ok(outcome.ok)
    } finally {
      await run.close()
    }
  })

  it('reloads the template and starts every function again when template.yaml changes', async () => {
    const run = await reloading()
    try {
      appendFileSync(join(run.dir, 'template.yaml'), '\n# changed\n')
      await outputLine(run.output, /^Reloaded template\.yaml in \d+ ms$/)
      assert.equal(run.templateReloads, 1)
      assert.deepEqual(
        run.events.map((event) => event.functions),
        [['template.yaml']],
      )
    } finally {
      await run.close()
    }
  })
})
