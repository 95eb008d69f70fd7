import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'

import {formatPlan, PRETTIER_CONFIG_PATH} from '../../../src/lib/scaffold/format.js'
import type {ProjectPlan} from '../../../src/lib/scaffold/plan.js'

describe('scaffold: formatting the generated files', () => {
  const plan = (files: Array<{contents: string; path: string}>) =>
    ({files, options: {}, warnings: []}) as unknown as ProjectPlan

  it("formats what Prettier knows with the project's own .prettierrc.json, and leaves other files alone", async () => {
    // That config: single quotes (double in YAML), no semicolons, no spaces inside braces.
    assert.deepEqual(JSON.parse(readFileSync(PRETTIER_CONFIG_PATH, 'utf8')), {
      bracketSpacing: false,
      overrides: [{files: '*.yaml', options: {singleQuote: false}}],
      printWidth: 120,
      semi: false,
      singleQuote: true,
      trailingComma: 'all',
    })
    const formatted = await formatPlan(
      plan([
        {contents: 'export const a = {"b":1,c:"x"}\n', path: 'src/a.ts'},
        {contents: '{"a":1,\n"b":[1,2]}', path: 'package.json'},
        {contents: 'key:   "value"\nlist: [1,2]\n', path: 'template.yaml'},
        {contents: 'not   formatted {{x}}', path: '.gitignore'},
      ]),
    )
    const byPath = Object.fromEntries(formatted.files.map((file) => [file.path, file.contents]))
    assert.equal(byPath['src/a.ts'], "export const a = {b: 1, c: 'x'}\n")
    assert.equal(byPath['package.json'], '{"a": 1, "b": [1, 2]}\n')
    assert.equal(byPath['template.yaml'], 'key: "value"\nlist: [1, 2]\n')
    assert.equal(byPath['.gitignore'], 'not   formatted {{x}}')
  })

  it('formats until the text is stable: formatting the result again changes nothing', async () => {
    const once = await formatPlan(
      plan([
        {
          contents: 'const x = someObject.method().another().third().fourth().fifth().sixth().seventh().eighth()\n',
          path: 'a.ts',
        },
      ]),
    )
    const twice = await formatPlan(once)
    assert.deepEqual(twice.files, once.files)
  })

  it('a generated file that does not parse fails, naming the file and the parser', async () => {
    await assert.rejects(
      formatPlan(plan([{contents: 'export const = ;', path: 'src/broken.ts'}])),
      /^Error: Generated src\/broken\.ts is not valid typescript: /,
    )
  })
})
