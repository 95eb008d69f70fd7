import assert from 'node:assert/strict'

import {validateBenchSettings} from '../../../src/lib/bench/settings.js'

const good = {clients: 10, intervalMs: 0, messages: 1, rate: 100, senders: 1, timeoutMs: 1000}

describe('bench settings', () => {
  it('accepts settings a run can do, and names the flag of the first bad one', () => {
    validateBenchSettings(good)
    validateBenchSettings({...good, senders: 10})
    assert.throws(() => validateBenchSettings({...good, clients: 0}), {
      exit: 2,
      message: '--clients must be a whole number of at least 1, not 0.',
    })
    assert.throws(() => validateBenchSettings({...good, senders: 11}), /--senders 11 is more than --clients 10/)
    assert.throws(
      () => validateBenchSettings({...good, messages: 2.5}),
      /--messages must be a whole number of at least 1, not 2\.5/,
    )
    assert.throws(() => validateBenchSettings({...good, intervalMs: -1}), /--interval must be 0 ms or more, not -1/)
    assert.throws(() => validateBenchSettings({...good, timeoutMs: 0}), /--timeout must be above 0, not 0/)
  })

  it('--room takes a room name as wsapi connect does', () => {
    validateBenchSettings({...good, room: 'lobby.2_a-b'})
    assert.throws(() => validateBenchSettings({...good, room: 'no way'}), {
      exit: 2,
      message: /^--room: "no way" is not a room name: use 1 to 64 letters/,
    })
    assert.throws(() => validateBenchSettings({...good, room: ''}), /--room: "" is not a room name/)
  })
})
