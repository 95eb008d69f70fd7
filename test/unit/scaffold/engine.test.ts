import assert from 'node:assert/strict'

import {createRenderer} from '../../../src/lib/scaffold/engine.js'

describe('scaffold: the template renderer', () => {
  it('writes code, not HTML: nothing is escaped', () => {
    const render = createRenderer()
    assert.equal(render('if (a < b && c > "d") {{x}}', {x: "<'&'>"}, 't'), `if (a < b && c > "d") <'&'>`)
  })

  it('json: a JSON literal, safe as a YAML scalar and a TypeScript expression', () => {
    const render = createRenderer()
    assert.equal(render('name: {{json name}}', {name: 'chat "v1"\n: #x'}, 't'), 'name: "chat \\"v1\\"\\n: #x"')
    assert.equal(render('{{json list}}', {list: [1, 'a']}, 't'), '[1,"a"]')
  })

  it('propertyKey: bare for an identifier, quoted otherwise', () => {
    const render = createRenderer()
    assert.equal(
      render(
        '{ {{propertyKey a}}: 1, {{propertyKey b}}: 2, {{propertyKey c}}: 3 }',
        {a: 'connectionId', b: 'conn-id', c: '1st'},
        't',
      ),
      '{ connectionId: 1, "conn-id": 2, "1st": 3 }',
    )
  })

  it('strict: a misspelt variable fails, naming the template, instead of rendering ""', () => {
    const render = createRenderer()
    assert.throws(
      () => render('Hello {{nmae}}', {name: 'x'}, 'README.md.hbs'),
      (error: Error) =>
        /^Template README\.md\.hbs failed to render: "nmae" not defined/.test(error.message) &&
        error.cause instanceof Error,
    )
  })

  it('each renderer is its own Handlebars environment, and a source is compiled once and reused', () => {
    const render = createRenderer()
    const source = '{{#each items}}{{this}};{{/each}}'
    assert.equal(render(source, {items: ['a', 'b']}, 't'), 'a;b;')
    assert.equal(render(source, {items: ['c']}, 't'), 'c;', 'the cached template renders new data')
    assert.equal(createRenderer()('{{json 1}}', {}, 't'), '1')
  })
})
