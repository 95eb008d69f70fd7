import {createHash, randomInt} from 'node:crypto'
import type {IncomingMessage, ServerResponse} from 'node:http'

import {UsageError} from '../errors.js'
import {readDevSecrets, writeDevSecrets} from '../project/index.js'
import {chooseBranch, type EmulatedStack, physicalName, resolveValue, secretArn, Unresolvable} from './environment.js'

/**
 * The part of AWS Secrets Manager the handlers use: GetSecretValue of the template's AWS::SecretsManager::Secret
 * resources, served on the dev port (the SDK reaches it through AWS_ENDPOINT_URL_SECRETS_MANAGER). A secret's
 * value is its SecretString (parameters resolved), else one generated from its GenerateSecretString as
 * Secrets Manager would, kept in .wsapi/dev-secrets.json (mode 0600) so that it survives restarts and
 * `wsapi connect` can pass it as the token.
 */

export interface LocalSecret {
  arn: string
  createdDate: number
  /** Made from GenerateSecretString (and stored), rather than given by SecretString. */
  generated: boolean
  logicalId: string
  name: string
  /** Undefined: the secret has neither a SecretString nor a GenerateSecretString (no AWSCURRENT version). */
  value?: string
  versionId: string
}

const LOWERCASE = 'abcdefghijklmnopqrstuvwxyz'
const UPPERCASE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
const DIGITS = '0123456789'
// The punctuation GetRandomPassword draws from (Secrets Manager API reference, GetRandomPassword).
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'

/** A password as GetRandomPassword makes it from GenerateSecretString's options (default: 32 characters of every type). */
export function generatePassword(options: Record<string, unknown>): string {
  const flag = (name: string) => options[name] === true || options[name] === 'true'
  const length = options.PasswordLength === undefined ? 32 : Number(options.PasswordLength)
  if (!Number.isInteger(length) || length < 1 || length > 4096)
    throw new Unresolvable(
      `PasswordLength ${JSON.stringify(options.PasswordLength)} is not a whole number from 1 to 4096`,
    )
  const excluded = new Set(String(options.ExcludeCharacters ?? ''))
  const types = [
    flag('ExcludeLowercase') ? '' : LOWERCASE,
    flag('ExcludeUppercase') ? '' : UPPERCASE,
    flag('ExcludeNumbers') ? '' : DIGITS,
    flag('ExcludePunctuation') ? '' : PUNCTUATION,
    flag('IncludeSpace') ? ' ' : '',
  ]
    .map((characters) => [...characters].filter((character) => !excluded.has(character)).join(''))
    .filter((characters) => characters.length > 0)
  const alphabet = types.join('')
  if (alphabet.length === 0) throw new Unresolvable('GenerateSecretString excludes every character')
  const pick = (characters: string) => characters[randomInt(characters.length)]
  const password = Array.from({length}, () => pick(alphabet))
  // RequireEachIncludedType (default true): one of each type, at random places.
  if (
    options.RequireEachIncludedType !== false &&
    options.RequireEachIncludedType !== 'false' &&
    types.length <= length
  ) {
    const places = new Set<number>()
    while (places.size < types.length) places.add(randomInt(length))
    for (const [index, place] of [...places].entries()) password[place] = pick(types[index])
  }

  return password.join('')
}

/** The value GenerateSecretString makes: the password, or the template JSON with the password under GenerateStringKey. */
function generatedValue(stack: EmulatedStack, options: Record<string, unknown>): string {
  const password = generatePassword(options)
  if (options.GenerateStringKey === undefined && options.SecretStringTemplate === undefined) return password
  const template = JSON.parse(resolveValue(stack, options.SecretStringTemplate) ?? '{}') as Record<string, unknown>
  return JSON.stringify({...template, [String(resolveValue(stack, options.GenerateStringKey))]: password})
}

/**
 * The template's secrets with their values. Generated values are reused from .wsapi/dev-secrets.json when
 * there, and the file is rewritten to hold exactly the secrets generated for this template and parameters.
 */
export function loadLocalSecrets(stack: EmulatedStack, projectDir: string): LocalSecret[] {
  const stored = readDevSecrets(projectDir)
  const generatedNow: Record<string, string> = {}
  const secrets: LocalSecret[] = []
  for (const [logicalId, resource] of Object.entries(stack.template.Resources)) {
    if (resource.Type !== 'AWS::SecretsManager::Secret') continue
    try {
      const properties = resource.Properties ?? {}
      const given = chooseBranch(stack, properties.SecretString)
      const generate = chooseBranch(stack, properties.GenerateSecretString)
      let value: string | undefined
      let generated = false
      if (given !== undefined) value = resolveValue(stack, given)
      else if (generate !== undefined) {
        if (generate === null || typeof generate !== 'object')
          throw new Unresolvable('GenerateSecretString is not an object')
        value = stored[logicalId] ?? generatedValue(stack, generate as Record<string, unknown>)
        generated = true
        generatedNow[logicalId] = value
      }

      secrets.push({
        arn: secretArn(stack, logicalId),
        createdDate: Math.floor(Date.now() / 1000),
        generated,
        logicalId,
        name: physicalName(stack, logicalId),
        value,
        versionId: value === undefined ? '' : uuidFrom(value),
      })
    } catch (error) {
      if (!(error instanceof Unresolvable)) throw error
      throw new UsageError(`template.yaml: secret ${logicalId}: ${error.message}.`, {code: 'UNRESOLVABLE_VALUE'})
    }
  }

  const changed =
    Object.keys(generatedNow).length !== Object.keys(stored).length ||
    Object.entries(generatedNow).some(([id, value]) => stored[id] !== value)
  if (changed) writeDevSecrets(projectDir, generatedNow)
  return secrets
}

/** A version id that stays the same while the value does (Secrets Manager's are UUIDs). */
function uuidFrom(value: string): string {
  const hex = createHash('sha256').update(value).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

/** A request for this emulator: a JSON-protocol call with X-Amz-Target `secretsmanager.<Operation>`. */
export function isSecretsManagerRequest(request: IncomingMessage, path: string): boolean {
  const target = request.headers['x-amz-target']
  return request.method === 'POST' && path === '/' && typeof target === 'string' && target.startsWith('secretsmanager.')
}

export interface SecretsManagerOptions {
  /** host:port values a request may name in Host: the loopback names of the dev port, and the --host one. */
  allowedHosts: Set<string>
  secrets: () => LocalSecret[]
}

function reply(response: ServerResponse, status: number, body: Record<string, unknown>, errorType?: string): void {
  const text = JSON.stringify(errorType ? {__type: errorType, ...body} : body)
  const headers: Record<string, number | string> = {
    'Content-Length': Buffer.byteLength(text),
    'Content-Type': 'application/x-amz-json-1.1',
    'x-amzn-RequestId': crypto.randomUUID(),
  }
  if (errorType) headers['x-amzn-ErrorType'] = errorType
  response.writeHead(status, headers)
  response.end(text)
}

const MAX_BODY_BYTES = 64 * 1024

/**
 * Answers GetSecretValue as Secrets Manager does. Strict about who asks: a request with an Origin header
 * (a web page) or a Host that is not the dev port's (DNS rebinding) gets 403, and one without a SigV4
 * Authorization header for secretsmanager (which a page cannot send without a preflight) is refused as AWS
 * refuses it. The signature itself is not checked.
 */
export function handleSecretsManagerRequest(
  options: SecretsManagerOptions,
  request: IncomingMessage,
  response: ServerResponse,
  onRefused: (reason: string) => void,
): void {
  const refuse = (status: number, errorType: string, message: string, reason: string) => {
    request.resume()
    onRefused(reason)
    reply(response, status, {message}, errorType)
  }

  if (request.headers.origin !== undefined)
    return refuse(
      403,
      'AccessDeniedException',
      'Requests from web pages are refused.',
      'Secrets Manager: refused a request with an Origin header (a web page)',
    )
  const host = (request.headers.host ?? '').toLowerCase()
  if (!options.allowedHosts.has(host))
    return refuse(
      403,
      'AccessDeniedException',
      'Unknown host.',
      `Secrets Manager: refused a request for host ${JSON.stringify(host)}`,
    )
  const authorization = request.headers.authorization ?? ''
  if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[^/]+\/secretsmanager\/aws4_request\b/.test(authorization)) {
    return refuse(
      400,
      'MissingAuthenticationTokenException',
      'Missing Authentication Token',
      'Secrets Manager: refused a request without a SigV4 Authorization header',
    )
  }

  const chunks: Buffer[] = []
  let bytes = 0
  request.on('data', (chunk: Buffer) => {
    bytes += chunk.length
    if (bytes <= MAX_BODY_BYTES) chunks.push(chunk)
  })
  request.on('end', () => {
    if (bytes > MAX_BODY_BYTES) return reply(response, 400, {message: 'Request too large.'}, 'InvalidRequestException')
    const operation = String(request.headers['x-amz-target']).slice('secretsmanager.'.length)
    if (operation !== 'GetSecretValue')
      return reply(
        response,
        400,
        {message: `wsapi dev emulates GetSecretValue only, not ${operation}.`},
        'UnknownOperationException',
      )
    let input: {SecretId?: unknown; VersionId?: unknown; VersionStage?: unknown}
    try {
      input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof input
    } catch {
      return reply(response, 400, {message: 'The request body is not JSON.'}, 'SerializationException')
    }

    if (typeof input?.SecretId !== 'string' || input.SecretId === '')
      return reply(response, 400, {message: 'SecretId is required.'}, 'InvalidParameterException')
    const secret = options
      .secrets()
      .find((candidate) => candidate.arn === input.SecretId || candidate.name === input.SecretId)
    const notFound = () =>
      reply(response, 400, {message: "Secrets Manager can't find the specified secret."}, 'ResourceNotFoundException')
    if (!secret) return notFound()
    if (
      secret.value === undefined ||
      (input.VersionStage !== undefined && input.VersionStage !== 'AWSCURRENT') ||
      (input.VersionId !== undefined && input.VersionId !== secret.versionId)
    ) {
      return reply(
        response,
        400,
        {message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT"},
        'ResourceNotFoundException',
      )
    }

    reply(response, 200, {
      ARN: secret.arn,
      CreatedDate: secret.createdDate,
      Name: secret.name,
      SecretString: secret.value,
      VersionId: secret.versionId,
      VersionStages: ['AWSCURRENT'],
    })
  })
}
