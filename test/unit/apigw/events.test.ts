import assert from 'node:assert/strict'

import {
  authorizerEvent,
  type ConnectionIdentity,
  connectEvent,
  disconnectEvent,
  formatRequestTime,
  headerMaps,
  messageEvent,
  queryMaps,
} from '../../../src/lib/apigw/events.js'

const connection: ConnectionIdentity = {
  apiId: 'fjnq7njcv2',
  connectedAt: 1_731_324_924_553,
  connectionId: 'BFHPhfCWIAMCKlQ=',
  domainName: '127.0.0.1:3001',
  sourceIp: '166.90.225.1',
  stage: 'prod',
}

describe('API Gateway events', () => {
  it('requestTime is Common Log Format in UTC', () => {
    assert.equal(formatRequestTime(1_731_324_924_561), '11/Nov/2024:11:35:24 +0000')
    assert.equal(formatRequestTime(Date.UTC(2025, 0, 5, 3, 4, 5)), '05/Jan/2025:03:04:05 +0000')
  })

  it('1: $connect has the captured shape and key order, headers from the raw list', () => {
    const event = connectEvent(connection, {rawHeaders: ['Host', 'h', 'X-A', '1', 'x-a', '2']}, 1_731_324_924_561)
    assert.deepEqual(Object.keys(event), ['headers', 'multiValueHeaders', 'requestContext', 'isBase64Encoded'])
    assert.deepEqual(event.headers, {Host: 'h', 'X-A': '2'})
    assert.deepEqual(event.multiValueHeaders, {Host: ['h'], 'X-A': ['1', '2']})
    assert.deepEqual(Object.keys(event.requestContext), [
      'routeKey',
      'eventType',
      'extendedRequestId',
      'requestTime',
      'messageDirection',
      'stage',
      'connectedAt',
      'requestTimeEpoch',
      'identity',
      'requestId',
      'domainName',
      'connectionId',
      'apiId',
    ])
    assert.equal(event.requestContext.requestTime, '11/Nov/2024:11:35:24 +0000')
    assert.equal(event.requestContext.requestId, event.requestContext.extendedRequestId)
  })

  it('2: query maps only with a query string; repeated keys: last value / all values', () => {
    assert.equal(queryMaps(undefined), undefined)
    assert.equal(queryMaps(''), undefined)
    assert.deepEqual(queryMaps('a=1&b=x%3Dy&a=2'), {
      multiValueQueryStringParameters: {a: ['1', '2'], b: ['x=y']},
      queryStringParameters: {a: '2', b: 'x=y'},
    })
    assert.deepEqual(headerMaps([]), {headers: {}, multiValueHeaders: {}})
  })

  it('1, 2: a header or query parameter named like an Object.prototype member is kept like any other', () => {
    const {headers, multiValueHeaders} = headerMaps(['__proto__', 'x', 'constructor', 'y'])
    assert.equal(
      JSON.stringify({headers, multiValueHeaders}),
      '{"headers":{"__proto__":"x","constructor":"y"},"multiValueHeaders":{"__proto__":["x"],"constructor":["y"]}}',
    )
    const query = queryMaps('__proto__=1&__proto__=2&toString=3')!
    assert.equal(
      JSON.stringify(query),
      '{"multiValueQueryStringParameters":{"__proto__":["1","2"],"toString":["3"]},"queryStringParameters":{"__proto__":"2","toString":"3"}}',
    )
  })

  it('3: MESSAGE has routeKey, messageId, the body, and nothing of the request', () => {
    const event = messageEvent(connection, 'chat', '{"action": "chat"}', {now: connection.connectedAt + 5})
    assert.deepEqual(Object.keys(event), ['requestContext', 'body', 'isBase64Encoded'])
    assert.equal(event.requestContext.eventType, 'MESSAGE')
    assert.equal(event.requestContext.routeKey, 'chat')
    assert.match(event.requestContext.messageId!, /^[\w-]{15}=$/)
    assert.notEqual(event.requestContext.messageId, event.requestContext.requestId)
  })

  it('4: $disconnect has the synthetic headers and the close status', () => {
    const event = disconnectEvent(connection, {code: 1001, reason: 'Going away'})
    assert.deepEqual(event.headers, {Host: '127.0.0.1:3001', 'X-Forwarded-For': '', 'x-api-key': '', 'x-restapi': ''})
    assert.equal(event.requestContext.disconnectStatusCode, 1001)
    assert.equal(event.requestContext.disconnectReason, 'Going away')
    assert.ok(!('body' in event))
  })

  it('6: userAgent only when known; the authorizer context when set; stage variables when defined', () => {
    assert.deepEqual(connectEvent(connection, {rawHeaders: []}).requestContext.identity, {sourceIp: '166.90.225.1'})
    const withMore = {...connection, authorizer: {principalId: 'me'}, stageVariables: {a: 'b'}, userAgent: 'UA'}
    const event = messageEvent(withMore, '$default', 'x')
    assert.deepEqual(event.requestContext.identity, {sourceIp: '166.90.225.1', userAgent: 'UA'})
    assert.deepEqual(event.requestContext.authorizer, {principalId: 'me'})
    assert.deepEqual(event.stageVariables, {a: 'b'})
  })

  it('the authorizer event is REQUEST with the $connect methodArn', () => {
    const event = authorizerEvent(
      connection,
      {query: 'token=t', rawHeaders: []},
      {accountId: '000000000000', region: 'eu-west-1'},
    )
    assert.equal(event.type, 'REQUEST')
    assert.equal(event.methodArn, 'arn:aws:execute-api:eu-west-1:000000000000:fjnq7njcv2/prod/$connect')
    assert.deepEqual(event.queryStringParameters, {token: 't'})
    assert.deepEqual(event.stageVariables, {})
  })
})
