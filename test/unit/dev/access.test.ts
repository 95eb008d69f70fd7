import assert from 'node:assert/strict'
import type {NetworkInterfaceInfo} from 'node:os'

import {
  hostRefusal,
  isLoopbackAddress,
  OriginPolicy,
  parseAllowedOrigin,
  servedHosts,
  visible,
} from '../../../src/lib/dev/access.js'
import {signatureRefusal} from '../../../src/lib/dev/management-api.js'

const nic = (address: string, family: 'IPv4' | 'IPv6'): NetworkInterfaceInfo =>
  ({
    address,
    cidr: null,
    family,
    internal: false,
    mac: '00:00:00:00:00:00',
    netmask: '',
    scopeid: 0,
  }) as unknown as NetworkInterfaceInfo

describe('dev access: who may talk to wsapi dev', () => {
  describe('servedHosts / hostRefusal', () => {
    it('answers 127.0.0.1, localhost and [::1] with the port, in any case, and nothing else by default', () => {
      const served = servedHosts('127.0.0.1', 3001)
      assert.deepEqual(served, ['127.0.0.1:3001', 'localhost:3001', '[::1]:3001'])
      for (const host of ['127.0.0.1:3001', 'LOCALHOST:3001', '[::1]:3001'])
        assert.equal(hostRefusal(host, served), undefined, host)
      for (const host of [
        undefined,
        '',
        '127.0.0.1',
        'localhost.:3001',
        '127.0.0.2:3001',
        'localhost:3002',
        '[::2]:3001',
        '[0:0:0:0:0:0:0:1]:3001',
        'evil.example:3001',
        'localhost:3001 ',
      ]) {
        assert.match(
          hostRefusal(host, served) ?? '',
          /answers only Host 127\.0\.0\.1:3001, localhost:3001 or \[::1\]:3001/,
          String(host),
        )
      }
    })

    it('adds the --host address; a wildcard adds every address of the machine and its hostname', () => {
      assert.ok(servedHosts('192.168.1.5', 3001).includes('192.168.1.5:3001'))
      assert.ok(servedHosts('::1', 3001).includes('[::1]:3001'))
      const wildcard = servedHosts(
        '0.0.0.0',
        3001,
        {eth0: [nic('10.0.0.7', 'IPv4'), nic('fe80::1%eth0', 'IPv6')]},
        'Devbox',
      )
      assert.deepEqual(wildcard, [
        '127.0.0.1:3001',
        'localhost:3001',
        '[::1]:3001',
        '10.0.0.7:3001',
        '[fe80::1]:3001',
        'devbox:3001',
      ])
      assert.equal(hostRefusal('DevBox:3001', wildcard), undefined)
    })

    it('port 80 also answers a Host without a port', () => {
      assert.equal(hostRefusal('localhost', servedHosts('127.0.0.1', 80)), undefined)
    })

    it('shows a hostile Host inert and short in the log', () => {
      const reason = hostRefusal(`a\u001B]0;PWNED\u0007b\u009B${'x'.repeat(500)}`, servedHosts('127.0.0.1', 3001))!
      assert.doesNotMatch(reason, /[\u0000-\u001F\u007F-\u009F]/)
      assert.match(reason, /a\\x1b]0;PWNED\\x07b\\u009b/)
      assert.ok(reason.length < 400)
      assert.equal(visible('tab\there'), 'tab\\there')
    })
  })

  describe('isLoopbackAddress (the --host warning)', () => {
    it('knows loopback from the rest', () => {
      for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]'])
        assert.equal(isLoopbackAddress(host), true, host)
      for (const host of ['0.0.0.0', '::', '', '192.168.1.5', 'devbox', '128.0.0.1'])
        assert.equal(isLoopbackAddress(host), false, host)
    })
  })

  describe('OriginPolicy', () => {
    const policy = (allow: string[] = []) => new OriginPolicy(allow, () => servedHosts('192.168.1.5', 3001))

    it('allows no Origin, any loopback origin on any port, and the chat page’s own origin', () => {
      for (const origin of [
        undefined,
        'http://localhost:5173',
        'https://localhost',
        'http://127.0.0.1:3001',
        'http://127.0.0.9:1',
        'http://[::1]:8080',
        'http://app.localhost:3000',
        'HTTP://LOCALHOST:5173',
        'http://192.168.1.5:3001',
      ]) {
        assert.equal(policy().refusal(origin), undefined, String(origin))
      }
    })

    it('refuses other origins, naming --allow-origin with the origin to pass', () => {
      assert.match(policy().refusal('https://evil.example')!, /--allow-origin https:\/\/evil\.example$/)
      assert.match(policy().refusal('http://192.168.1.5:3002')!, /--allow-origin http:\/\/192\.168\.1\.5:3002$/)
      assert.match(policy().refusal('https://192.168.1.5:3001')!, /--allow-origin/)
      assert.match(policy().refusal('http://localhost.:5173')!, /--allow-origin/)
      assert.match(policy().refusal('http://localhost.evil.example')!, /--allow-origin/)
    })

    it('refuses null and whatever is not an origin', () => {
      for (const origin of [
        'null',
        'file://',
        '',
        'localhost:5173',
        'http://localhost:5173/',
        'http://localhost:5173/app',
        'chrome-extension://abc',
        'ftp://localhost',
        'http://user@localhost:5173',
      ]) {
        assert.match(policy().refusal(origin)!, /is not a web page's origin/, origin)
      }
    })

    it('--allow-origin adds exact origins; * allows all, null included', () => {
      const allowing = policy([
        parseAllowedOrigin('https://App.Example.com'),
        parseAllowedOrigin('https://admin.example.com:8443/'),
      ])
      assert.equal(allowing.refusal('https://app.example.com'), undefined)
      assert.equal(allowing.refusal('https://admin.example.com:8443'), undefined)
      assert.ok(allowing.refusal('http://app.example.com'))
      assert.ok(allowing.refusal('https://app.example.com:444'))
      assert.equal(policy(['*']).refusal('https://evil.example'), undefined)
      assert.equal(policy(['*']).refusal('null'), undefined)
    })

    it('parseAllowedOrigin refuses values that are not an origin with a usage error (exit 2)', () => {
      for (const value of [
        'example.com',
        'https://example.com/path',
        'https://example.com/?q',
        'ftp://example.com',
        'null',
        'https://u:p@example.com',
        '',
      ]) {
        assert.throws(
          () => parseAllowedOrigin(value),
          (error: Error & {exit?: number}) =>
            error.exit === 2 &&
            /^--allow-origin .*give an origin such as/.test(error.message) &&
            !error.message.includes('\n'),
          value,
        )
      }
    })
  })

  describe('signatureRefusal (@connections)', () => {
    const signed = {
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20240101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc123',
      'x-amz-date': '20240101T000000Z',
    }

    it('takes a SigV4 Authorization header for execute-api, whatever its signature', () => {
      assert.equal(signatureRefusal(signed), undefined)
      assert.equal(
        signatureRefusal({...signed, 'x-amz-date': undefined, date: 'Mon, 01 Jan 2024 00:00:00 GMT'}),
        undefined,
      )
    })

    it('no header: Missing Authentication Token, as API Gateway answers', () => {
      for (const headers of [{}, {authorization: ''}, {authorization: '  '}]) {
        assert.deepEqual(signatureRefusal(headers), {
          body: '{"message":"Missing Authentication Token"}',
          errorType: 'MissingAuthenticationTokenException',
          reason: 'without a SigV4 Authorization header',
        })
      }
    })

    it('another scheme or missing parts: IncompleteSignatureException naming what is missing', () => {
      const bearer = signatureRefusal({authorization: 'Bearer abc', 'x-amz-date': '20240101T000000Z'})!
      assert.equal(bearer.errorType, 'IncompleteSignatureException')
      assert.equal(
        JSON.parse(bearer.body).message,
        "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter.",
      )
      const undated = signatureRefusal({authorization: signed.authorization})!
      assert.match(
        JSON.parse(undated.body).message,
        /^Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header\.$/,
      )
    })

    it('a signature scoped to another service: InvalidSignatureException', () => {
      const refusal = signatureRefusal({
        ...signed,
        authorization: signed.authorization.replace('execute-api', 'dynamodb'),
      })!
      assert.equal(refusal.errorType, 'InvalidSignatureException')
      assert.match(JSON.parse(refusal.body).message, /Credential should be scoped to correct service: 'execute-api'/)
    })
  })
})
