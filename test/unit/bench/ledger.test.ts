import assert from 'node:assert/strict'

import {DeliveryLedger, expectedRecipients} from '../../../src/lib/bench/ledger.js'

describe('bench delivery ledger', () => {
  it('expects every open client, or every one but the sender', () => {
    assert.deepEqual(expectedRecipients('all', 2, new Set([0, 1, 2, 3])), [0, 1, 2, 3])
    assert.deepEqual(expectedRecipients('others', 2, new Set([0, 1, 2, 3])), [0, 1, 3])
    // A client that had closed before the send is not expected.
    assert.deepEqual(expectedRecipients('all', 0, [0, 3]), [0, 3])
  })

  it('measures first and last recipient from the send, per complete message', () => {
    const ledger = new DeliveryLedger(4)
    ledger.sent('a', 100, [0, 1, 2])
    ledger.sent('b', 200, [0, 1, 2])
    assert.equal(ledger.outstanding, 6)
    ledger.received('a', 1, 103)
    ledger.received('a', 0, 105)
    ledger.received('a', 2, 110)
    ledger.received('b', 2, 201)
    ledger.received('b', 0, 240)
    ledger.received('b', 1, 220)
    assert.equal(ledger.outstanding, 0)
    const summary = ledger.summary()
    assert.deepEqual(summary.messages, {complete: 2, lost: 0, partial: 0, sendFailed: 0, sent: 2})
    assert.deepEqual(summary.deliveries, {duplicates: 0, expected: 6, lost: 0, received: 6, unexpected: 0})
    assert.deepEqual([summary.latency.first.min, summary.latency.first.max], [1, 3])
    assert.deepEqual([summary.latency.last.min, summary.latency.last.max], [10, 40])
    assert.equal(summary.latency.delivery.count, 6)
    assert.equal(summary.latency.delivery.max, 40)
  })

  it('counts lost deliveries, partial and lost messages; a partial message has no last-recipient latency', () => {
    const ledger = new DeliveryLedger(4)
    ledger.sent('a', 0, [0, 1, 2, 3])
    ledger.sent('b', 0, [0, 1, 2, 3])
    ledger.sent('c', 0, [0, 1, 2, 3])
    for (const client of [0, 1, 2, 3]) ledger.received('a', client, 5)
    ledger.received('b', 3, 7)
    assert.equal(ledger.outstanding, 7)
    const summary = ledger.summary()
    assert.deepEqual(summary.messages, {complete: 1, lost: 1, partial: 1, sendFailed: 0, sent: 3})
    assert.deepEqual(summary.deliveries, {duplicates: 0, expected: 12, lost: 7, received: 5, unexpected: 0})
    assert.equal(summary.latency.first.count, 2)
    assert.equal(summary.latency.last.count, 1)
  })

  it('counts duplicates and copies nobody expected apart from deliveries, and ignores unknown ids', () => {
    const ledger = new DeliveryLedger(4)
    ledger.sent('a', 0, [1, 2])
    assert.equal(ledger.received('a', 1, 1), true)
    ledger.received('a', 1, 2)
    ledger.received('a', 1, 3)
    ledger.received('a', 0, 1) // the sender, not expected
    ledger.received('a', 2, 4)
    assert.equal(ledger.received('zzz', 2, 4), false)
    ledger.received('a', 9, 4) // not a client of this run
    const {deliveries, latency} = ledger.summary()
    assert.deepEqual(deliveries, {duplicates: 2, expected: 2, lost: 0, received: 2, unexpected: 2})
    // Latency is to the first copy: the duplicates at 2 and 3 do not move it.
    assert.equal(latency.delivery.min, 1)
    assert.equal(latency.last.max, 4)
  })

  it('treats a failed send as lost and stops awaiting it', () => {
    const ledger = new DeliveryLedger(4)
    ledger.sent('a', 0, [0, 1])
    ledger.sent('b', 0, [0, 1])
    ledger.received('a', 0, 1)
    ledger.received('a', 1, 1)
    ledger.sendFailed('b')
    ledger.sendFailed('b')
    assert.equal(ledger.outstanding, 0)
    const summary = ledger.summary()
    assert.deepEqual(summary.messages, {complete: 1, lost: 1, partial: 0, sendFailed: 1, sent: 1})
    assert.equal(summary.deliveries.lost, 2)
    assert.throws(() => ledger.sent('a', 0, []), /recorded twice/)
    assert.throws(() => ledger.sent('c', 0, [4]), /client 4 is not one of 0…3/)
  })

  it('a broadcast nobody should receive is complete', () => {
    const ledger = new DeliveryLedger(4)
    ledger.sent('solo', 0, [])
    assert.equal(ledger.outstanding, 0)
    assert.deepEqual(ledger.summary().messages, {complete: 1, lost: 0, partial: 0, sendFailed: 0, sent: 1})
  })
})
