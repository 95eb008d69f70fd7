import assert from 'node:assert/strict'

import {REDACTED, Secrets} from '../../../src/lib/deploy/redact.js'
import {RecordingOutput} from '../../../src/lib/output.js'
import {RecordingActivity} from '../../helpers/recording-activity.js'

describe('deploy: secrets redacted', () => {
  it('redacts every secret from output, stack activity and errors', () => {
    const secrets = new Secrets()
    secrets.add('s3cr3t-token-value', 's3cr3t', '')
    const output = new RecordingOutput()
    secrets.output(output).info('value s3cr3t-token-value and s3cr3t, twice: s3cr3t')
    assert.equal(output.text(), 'value **** and ****, twice: ****')
    const error = secrets.error(new Error('Parameter value s3cr3t-token-value is invalid'))
    assert.equal(error.message, 'Parameter value **** is invalid')
    const seen: string[] = []
    const listener = secrets.listener({
      activity: (activity) => seen.push(activity.event.reason ?? ''),
      start() {},
      stop() {},
    })
    listener.activity({
      done: 0,
      elapsedMs: 0,
      event: {
        eventId: '1',
        logicalId: 'A',
        reason: 'bad token s3cr3t-token-value',
        resourceType: 'T',
        stackId: 's',
        status: 'CREATE_FAILED',
        timestamp: new Date(),
      },
      total: 1,
    })
    assert.deepEqual(seen, ['bad token ****'])
  })

  it('a secret inside a longer one is hidden with it, whole, whichever was added first', () => {
    const secrets = new Secrets()
    secrets.add('abc')
    secrets.add('xxabcxx')
    assert.equal(secrets.redact('xxabcxx and abc'), `${REDACTED} and ${REDACTED}`)
  })

  it('with no secrets, text, errors that are not Errors, and activity without a reason pass unchanged', () => {
    const secrets = new Secrets()
    secrets.add('')
    assert.equal(secrets.redact('nothing to hide'), 'nothing to hide')
    assert.equal(secrets.error('a string'), 'a string')
    const recording = new RecordingActivity()
    const listener = secrets.listener(recording)
    listener.start({operation: 'UPDATE', stackName: 'chat-v1', total: 1})
    const event = {
      eventId: '1',
      logicalId: 'A',
      resourceType: 'T',
      stackId: 's',
      status: 'CREATE_COMPLETE',
      timestamp: new Date(0),
    }
    listener.activity({done: 1, elapsedMs: 0, event, total: 1})
    listener.stop({done: 1, elapsedMs: 5, total: 1})
    assert.deepEqual([recording.starts.length, recording.activities[0].event, recording.stops.length], [1, event, 1])
  })
})
