import assert from 'node:assert/strict'

import {displayUrl, historyKey, normalizeUrl, tokenMasker, withToken} from '../../../src/lib/client/url.js'

describe('client URLs', () => {
  it('normalizes URLs like wscat', () => {
    assert.equal(normalizeUrl('127.0.0.1:3001/v1'), 'ws://127.0.0.1:3001/v1')
    assert.equal(normalizeUrl('https://abc.example.com/v1'), 'wss://abc.example.com/v1')
    assert.throws(() => normalizeUrl('ftp://x'), /scheme must be ws:\/\/ or wss:\/\//)
    assert.throws(() => normalizeUrl('ws://'), /Invalid URL "ws:\/\/"/)
  })

  it('puts the token in the query string and masks it on screen', () => {
    const url = withToken('ws://h:1/v1?x=1', 'a b&c')
    assert.equal(new URL(url).searchParams.get('token'), 'a b&c')
    assert.equal(displayUrl(url), 'ws://h:1/v1?x=1&token=***')
    assert.equal(displayUrl('ws://h:1/v1'), 'ws://h:1/v1')
    assert.equal(withToken('ws://h:1/v1', undefined), 'ws://h:1/v1')
  })

  it('adds the token query string percent-encoded, replacing one already there', () => {
    assert.equal(withToken('ws://127.0.0.1:3001/v1?a=1', 'a b&c+'), 'ws://127.0.0.1:3001/v1?a=1&token=a%20b%26c%2B')
    assert.equal(withToken('ws://h/v1', 's3cr3t'), 'ws://h/v1?token=s3cr3t')
    assert.equal(withToken('ws://h/v1?token=old&b=2', 'new'), 'ws://h/v1?b=2&token=new')
  })

  it('masks a SigV4 signature and session token on screen', () => {
    assert.equal(
      displayUrl('wss://h/v1?X-Amz-Signature=abc&X-Amz-Security-Token=def&X-Amz-Date=1'),
      'wss://h/v1?X-Amz-Signature=***&X-Amz-Security-Token=***&X-Amz-Date=1',
    )
  })

  it("masks the URL's token in any text, as sent and decoded; a token of a few characters is left alone", () => {
    const mask = tokenMasker(withToken('ws://h/v1', 'se cret+token'))
    assert.equal(mask('refused se%20cret%2Btoken and se cret+token'), 'refused *** and ***')
    assert.equal(tokenMasker('ws://h/v1?token=abc')('abc abc'), 'abc abc')
    assert.equal(tokenMasker('ws://h/v1')('anything'), 'anything')
  })

  it('one history per API: scheme, host, port and path, without the query or a trailing slash', () => {
    assert.equal(historyKey('ws://h:1/v1/?token=x#f'), historyKey('ws://h:1/v1'))
    assert.notEqual(historyKey('ws://h:1/v1'), historyKey('ws://h:2/v1'))
    assert.notEqual(historyKey('ws://h:1/v1'), historyKey('wss://h:1/v1'))
  })
})
