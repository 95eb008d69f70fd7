import assert from 'node:assert/strict'
import {existsSync, readFileSync, statSync} from 'node:fs'
import {createServer, request as httpRequest, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'

import {GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'

import type {EmulatedStack} from '../../../src/lib/dev/environment.js'
import {
  generatePassword,
  handleSecretsManagerRequest,
  isSecretsManagerRequest,
  type LocalSecret,
  loadLocalSecrets,
} from '../../../src/lib/dev/secrets-manager.js'
import {loadProject} from '../../../src/lib/project/index.js'
import {scaffoldProject} from '../../helpers/project.js'

function emulatedStack(dir: string, parameters: Record<string, string> = {}): EmulatedStack {
  const project = loadProject(dir, {parameters})
  return {
    accountId: '000000000000',
    apiEndpoint: 'ws://127.0.0.1:3001',
    apiId: 'abcdefghij',
    parameters: project.parameters,
    region: 'us-east-1',
    stackName: 'chat-v1',
    stageName: 'v1',
    template: project.template,
  }
}

const secretsFile = (dir: string) => join(dir, '.wsapi/dev-secrets.json')

describe('dev Secrets Manager', () => {
  describe("the template's secrets", () => {
    it('generates the token when AuthTokenSecret is empty, stores it (0600) and keeps it across restarts', () => {
      const dir = scaffoldProject({auth: 'token'})
      const [secret] = loadLocalSecrets(emulatedStack(dir), dir)
      assert.equal(secret.logicalId, 'AuthToken')
      assert.equal(secret.generated, true)
      assert.match(secret.value!, /^[A-Za-z0-9]{40}$/, 'PasswordLength 40 without punctuation, as the template asks')
      assert.match(
        secret.arn,
        /^arn:aws:secretsmanager:us-east-1:000000000000:secret:chat-v1-AuthToken-[A-Za-z0-9]{6}$/,
      )
      assert.equal(statSync(secretsFile(dir)).mode & 0o777, 0o600)
      assert.deepEqual(JSON.parse(readFileSync(secretsFile(dir), 'utf8')), {AuthToken: secret.value})
      assert.equal(loadLocalSecrets(emulatedStack(dir), dir)[0].value, secret.value)
    })

    it('serves the AuthTokenSecret parameter when given, and forgets a generated value it no longer serves', () => {
      const dir = scaffoldProject({auth: 'token'})
      loadLocalSecrets(emulatedStack(dir), dir)
      const [secret] = loadLocalSecrets(emulatedStack(dir, {AuthTokenSecret: 'given-token-0123456789'}), dir)
      assert.deepEqual([secret.value, secret.generated], ['given-token-0123456789', false])
      assert.deepEqual(JSON.parse(readFileSync(secretsFile(dir), 'utf8')), {}, 'a given value is never written to disk')
    })

    it('writes nothing for a project without secrets', () => {
      const dir = scaffoldProject()
      assert.deepEqual(loadLocalSecrets(emulatedStack(dir), dir), [])
      assert.equal(existsSync(secretsFile(dir)), false)
    })

    it('makes passwords as GenerateSecretString describes them', () => {
      assert.equal(generatePassword({}).length, 32)
      assert.match(
        generatePassword({ExcludeLowercase: true, ExcludeNumbers: true, ExcludePunctuation: true, PasswordLength: 50}),
        /^[A-Z]{50}$/,
      )
      assert.match(
        generatePassword({
          ExcludeCharacters: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
          ExcludePunctuation: true,
          PasswordLength: 12,
        }),
        /^\d{12}$/,
      )
      // RequireEachIncludedType: every type appears, however short.
      for (let i = 0; i < 50; i++) {
        const password = generatePassword({ExcludePunctuation: true, PasswordLength: 3})
        assert.ok(/[a-z]/.test(password) && /[A-Z]/.test(password) && /\d/.test(password), password)
      }
    })
  })

  describe('GetSecretValue on the dev port', () => {
    let server: Server
    let port: number
    const refused: string[] = []
    const secrets: LocalSecret[] = [
      {
        arn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:chat-v1-AuthToken-AbC123',
        createdDate: 1_700_000_000,
        generated: true,
        logicalId: 'AuthToken',
        name: 'chat-v1-AuthToken',
        value: 'the-token-0123456789',
        versionId: 'v-1',
      },
      {
        arn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:chat-v1-Empty-XyZ987',
        createdDate: 1_700_000_000,
        generated: false,
        logicalId: 'Empty',
        name: 'chat-v1-Empty',
        versionId: '',
      },
    ]

    before(async () => {
      server = createServer((request, response) => {
        if (!isSecretsManagerRequest(request, request.url ?? '/')) {
          response.writeHead(404).end()
          return
        }

        const allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`])
        handleSecretsManagerRequest({allowedHosts, secrets: () => secrets}, request, response, (reason) =>
          refused.push(reason),
        )
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      port = (server.address() as AddressInfo).port
    })

    after(() => new Promise<void>((resolve) => server.close(() => resolve())))

    const client = () =>
      new SecretsManagerClient({
        credentials: {accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x'},
        endpoint: `http://127.0.0.1:${port}`,
        region: 'us-east-1',
      })

    it('answers the AWS SDK with the value, by ARN or name, as Secrets Manager does', async () => {
      const byArn = await client().send(new GetSecretValueCommand({SecretId: secrets[0].arn}))
      assert.equal(byArn.SecretString, 'the-token-0123456789')
      assert.equal(byArn.ARN, secrets[0].arn)
      assert.deepEqual(byArn.VersionStages, ['AWSCURRENT'])
      assert.ok(byArn.CreatedDate instanceof Date)
      assert.equal(
        (await client().send(new GetSecretValueCommand({SecretId: 'chat-v1-AuthToken'}))).SecretString,
        'the-token-0123456789',
      )
    })

    it('an unknown secret, or one without a value, is ResourceNotFoundException', async () => {
      await assert.rejects(
        client().send(new GetSecretValueCommand({SecretId: 'nope'})),
        (error: Error) =>
          error instanceof ResourceNotFoundException && /can't find the specified secret/.test(error.message),
      )
      await assert.rejects(
        client().send(new GetSecretValueCommand({SecretId: 'chat-v1-Empty'})),
        ResourceNotFoundException,
      )
      await assert.rejects(
        client().send(new GetSecretValueCommand({SecretId: secrets[0].arn, VersionStage: 'AWSPREVIOUS'})),
        ResourceNotFoundException,
      )
    })

    /** A raw POST, as a web page (or curl) would send it. */
    function post(headers: Record<string, string>): Promise<{body: string; status: number}> {
      return new Promise((resolve, reject) => {
        const request = httpRequest(
          {
            headers: {
              'content-type': 'application/x-amz-json-1.1',
              'x-amz-target': 'secretsmanager.GetSecretValue',
              ...headers,
            },
            host: '127.0.0.1',
            method: 'POST',
            path: '/',
            port,
          },
          (response) => {
            let body = ''
            response.on('data', (chunk) => (body += chunk))
            response.on('end', () => resolve({body, status: response.statusCode!}))
          },
        )
        request.on('error', reject)
        request.end(JSON.stringify({SecretId: secrets[0].arn}))
      })
    }

    it('refuses web pages: any Origin (403), a foreign Host as with DNS rebinding (403), no SigV4 Authorization (400); never the value', async () => {
      const signed = {
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=00',
      }
      const cases: Array<[Record<string, string>, number, RegExp, RegExp]> = [
        [{...signed, origin: 'https://evil.example'}, 403, /AccessDeniedException/, /Origin header/],
        [{...signed, origin: 'null'}, 403, /AccessDeniedException/, /Origin header/],
        [{...signed, host: `evil.example:${port}`}, 403, /AccessDeniedException/, /host "evil.example:\d+"/],
        [{}, 400, /MissingAuthenticationTokenException/, /without a SigV4 Authorization header/],
        [
          {authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/execute-api/aws4_request'},
          400,
          /MissingAuthenticationTokenException/,
          /SigV4/,
        ],
      ]
      for (const [headers, status, body, reason] of cases) {
        refused.length = 0
        const answer = await post(headers)
        assert.equal(answer.status, status, JSON.stringify(headers))
        assert.match(answer.body, body)
        assert.ok(!answer.body.includes('the-token'))
        assert.match(refused.join('\n'), reason)
      }

      const ok = await post({...signed, host: `localhost:${port}`})
      assert.equal(ok.status, 200)
      assert.equal(JSON.parse(ok.body).SecretString, 'the-token-0123456789')
    })
  })
})
