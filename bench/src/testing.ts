// How long 1,000 requests through @xmpp-errors/testing take: what a user's test suite pays per
// request for a real component on a socket in memory. Printed, never asserted, and apart from the
// benchmark's table (run.ts), whose ratios this figure does not belong to.
//   node bench/dist/testing.js [requests]
import { performance } from 'node:perf_hooks'
import type { Component } from '@xmpp/component'
import xml from '@xmpp/xml'
import { errors, StanzaError } from '@xmpp-errors/middleware'
import { type SetupTools, testComponent } from '@xmpp-errors/testing'

const NS = 'urn:xmpp-errors:bench'

function setup(c: Component, { logger }: SetupTools) {
  c.middleware.use(errors({ logger }))
  c.iqCallee.get(NS, 'q', () => {
    throw new StanzaError('item-not-found', { text: 'no such item' })
  })
}

export async function timeRequests(
  requests: number,
): Promise<{ ms: number; perRequestUs: number }> {
  const t = await testComponent(setup)
  const iq = () => xml('iq', { type: 'get' }, xml('q', { xmlns: NS }))
  for (let i = 0; i < 50; i++) await t.request(iq())
  t.clear()
  const start = performance.now()
  for (let i = 0; i < requests; i++) await t.request(iq())
  const ms = performance.now() - start
  if (t.records.length !== requests) throw new Error(`${t.records.length} records, not ${requests}`)
  await t.stop()
  return { ms, perRequestUs: (ms * 1000) / requests }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const requests = Number(process.argv[2] ?? 1000)
  const { ms, perRequestUs } = await timeRequests(requests)
  console.log(
    `@xmpp-errors/testing: ${requests} requests (item-not-found, one record each) in ${ms.toFixed(0)} ms, ${perRequestUs.toFixed(0)} µs per request`,
  )
}
