import assert from 'node:assert/strict'
import {Readable} from 'node:stream'

import {
  parametersFor,
  readSecretFromStdin,
  resolveParameterInput,
  resolveTokenInput,
} from '../../src/lib/secret-input.js'

const SECRET = 'kDwMi8L9r6f9Rv7QkwPRraeTfwX8'
const noStdin = async () => assert.fail('standard input must not be read')

function stdin(text: string, isTTY = false): NodeJS.ReadStream {
  return Object.assign(Readable.from([Buffer.from(text)]), {isTTY}) as unknown as NodeJS.ReadStream
}

/** A usage error (exit 2), on one line, that does not repeat the secret. */
function usageError(pattern: RegExp) {
  return (error: Error & {exit?: number}) => {
    assert.equal(error.exit, 2)
    assert.match(error.message, pattern)
    assert.ok(!error.message.includes(SECRET) && !error.message.includes('\n'), error.message)
    return true
  }
}

describe('secrets from the environment or standard input', () => {
  it('reads a secret from a pipe, dropping one trailing line break; refuses a terminal and an empty pipe', async () => {
    assert.equal(await readSecretFromStdin('--token-stdin', stdin(`${SECRET}\n`)), SECRET)
    assert.equal(await readSecretFromStdin('--token-stdin', stdin(`${SECRET}\r\n`)), SECRET)
    assert.equal(await readSecretFromStdin('--token-stdin', stdin(` ${SECRET} `)), ` ${SECRET} `)
    await assert.rejects(
      readSecretFromStdin('--token-stdin', stdin('', true)),
      usageError(/^--token-stdin reads the secret from a pipe .*use the environment variable instead\.$/),
    )
    await assert.rejects(
      readSecretFromStdin('--parameter-stdin', stdin('\n')),
      usageError(/^--parameter-stdin: standard input was empty/),
    )
  })

  it('the token: --token, WSAPI_TOKEN or --token-stdin, and only one of them', async () => {
    assert.equal(await resolveTokenInput({env: {}, readStdin: noStdin, stdin: false}), undefined)
    assert.equal(await resolveTokenInput({env: {}, flag: SECRET, readStdin: noStdin, stdin: false}), SECRET)
    assert.equal(await resolveTokenInput({env: {WSAPI_TOKEN: SECRET}, readStdin: noStdin, stdin: false}), SECRET)
    assert.equal(await resolveTokenInput({env: {}, readStdin: async () => SECRET, stdin: true}), SECRET)
    await assert.rejects(
      resolveTokenInput({env: {WSAPI_TOKEN: SECRET}, flag: SECRET, readStdin: noStdin, stdin: false}),
      usageError(/^The token is given 2 ways \(--token, WSAPI_TOKEN\): give it one way only\.$/),
    )
    await assert.rejects(
      resolveTokenInput({env: {}, flag: SECRET, readStdin: noStdin, stdin: true}),
      usageError(/\(--token, --token-stdin\)/),
    )
    await assert.rejects(
      resolveTokenInput({env: {WSAPI_TOKEN: ''}, readStdin: noStdin, stdin: false}),
      usageError(/^WSAPI_TOKEN is set but empty/),
    )
  })

  it('parameters: --parameter, WSAPI_PARAMETER_<Name> and --parameter-stdin <Name>; a name given two ways is refused', async () => {
    const values = await resolveParameterInput({
      env: {HOME: '/h', WSAPI_PARAMETER_AuthTokenSecret: SECRET},
      flags: ['Other=1'],
      readStdin: noStdin,
    })
    assert.deepEqual(values, {fromEnvironment: {AuthTokenSecret: SECRET}, given: {Other: '1'}})
    assert.deepEqual(
      await resolveParameterInput({env: {}, readStdin: async () => SECRET, stdinName: 'AuthTokenSecret'}),
      {fromEnvironment: {}, given: {AuthTokenSecret: SECRET}},
    )

    await assert.rejects(
      resolveParameterInput({
        env: {WSAPI_PARAMETER_AuthTokenSecret: SECRET},
        flags: [`AuthTokenSecret=${SECRET}`],
        readStdin: noStdin,
      }),
      usageError(
        /^AuthTokenSecret is given by --parameter and by WSAPI_PARAMETER_AuthTokenSecret: give it one way only\.$/,
      ),
    )
    await assert.rejects(
      resolveParameterInput({
        env: {WSAPI_PARAMETER_AuthTokenSecret: SECRET},
        readStdin: noStdin,
        stdinName: 'AuthTokenSecret',
      }),
      usageError(/^AuthTokenSecret is given by --parameter-stdin and by WSAPI_PARAMETER_AuthTokenSecret/),
    )
    await assert.rejects(
      resolveParameterInput({
        env: {},
        flags: [`AuthTokenSecret=${SECRET}`],
        readStdin: noStdin,
        stdinName: 'AuthTokenSecret',
      }),
      usageError(/by --parameter-stdin and by --parameter:/),
    )
    await assert.rejects(
      resolveParameterInput({env: {'WSAPI_PARAMETER_Bad-Name': SECRET}, readStdin: noStdin}),
      usageError(/^WSAPI_PARAMETER_Bad-Name: a parameter name has only letters and digits/),
    )
    await assert.rejects(
      resolveParameterInput({env: {}, readStdin: noStdin, stdinName: 'a=b'}),
      usageError(/^Invalid --parameter-stdin "a=b"/),
    )
  })

  it('environment values apply to the parameters a template declares; given ones must be declared (checked later)', () => {
    const values = {fromEnvironment: {AuthTokenSecret: SECRET, ElsewhereOnly: 'x'}, given: {Given: 'g'}}
    assert.deepEqual(parametersFor(['AuthTokenSecret', 'StageName'], values), {AuthTokenSecret: SECRET, Given: 'g'})
  })
})
