#!/usr/bin/env node
// One component process of a scale-out: guard() + errors() and one IQ route, for the domain
// SCALE_DOMAIN, as one of several processes ejabberd spreads that domain over. It writes one JSON
// line per event to stdout: {"event":"online"}, and {"event":"record",…} for each error record.
//
//   SCALE_SERVICE=xmpp://127.0.0.1:5347 SCALE_DOMAIN=c1.localhost SCALE_SECRET=… SCALE_NAME=a \
//   [SCALE_HANDLER_MS=2] [SCALE_ERROR_LIMIT=5] node bench/dist/scale/component.js
import { writeSync } from 'node:fs'
import { component, xml } from '@xmpp/component'
import { errors, guard, type Logger, StanzaError } from '@xmpp-errors/middleware'
import { FAIL_ATTRIBUTE, type Failure, NS_SCALE, SERVED_BY_ATTRIBUTE } from './protocol.js'

function required(name: string): string {
  const value = process.env[name]
  if (!value) {
    process.stderr.write(`scale component: ${name} is not set\n`)
    process.exit(2)
  }
  return value
}

const service = required('SCALE_SERVICE')
const domain = required('SCALE_DOMAIN')
const password = required('SCALE_SECRET')
const name = required('SCALE_NAME')
const handlerMs = Number(process.env.SCALE_HANDLER_MS ?? 0)
/** errors()' rateLimit: error replies per sender per minute; 0 for none. */
const errorLimit = Number(process.env.SCALE_ERROR_LIMIT ?? 0)

/**
 * Synchronous, so that a record is on the pipe before its reply is on the socket (errors()
 * records before xmpp.js sends): a SIGKILL can then lose a reply, never the record of one sent.
 */
function line(fields: object): void {
  writeSync(1, `${JSON.stringify(fields)}\n`)
}

const logAt =
  (level: string) =>
  (object: object, msg: string): void =>
    line({ event: 'record', level, msg, ...object })
const logger: Logger = { debug: logAt('debug'), warn: logAt('warn'), error: logAt('error') }

/** The handler's own work: CPU, as a request that computes something would spend it. */
function work(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) {}
}

const failures: Record<Failure, () => never> = {
  'item-not-found': () => {
    throw new StanzaError('item-not-found', { text: 'no such item' })
  },
  forbidden: () => {
    throw new StanzaError('forbidden')
  },
  crash: () => {
    throw new TypeError('the handler failed')
  },
}

const c = guard(component({ service, domain, password }), { logger })
c.middleware.use(
  errors({ logger, rateLimit: errorLimit > 0 ? { max: errorLimit, windowMs: 60_000 } : false }),
)
c.iqCallee.get(NS_SCALE, 'query', (ctx) => {
  if (handlerMs > 0) work(handlerMs)
  const fail = ctx.element?.attrs[FAIL_ATTRIBUTE] as Failure | undefined
  if (fail !== undefined && Object.hasOwn(failures, fail)) failures[fail]()
  return xml('query', { xmlns: NS_SCALE, [SERVED_BY_ATTRIBUTE]: name })
})
c.on('online', () => line({ event: 'online', pid: process.pid }))
c.on('offline', () => line({ event: 'offline' }))

// The parent holds stdin open: when it goes, even by SIGKILL, this process goes too.
process.stdin.once('end', () => process.exit(0))
process.stdin.resume()
process.once('SIGTERM', () => {
  c.reconnect.stop()
  c.stop().finally(() => process.exit(0))
})
await c.start()
