import xml from '@xmpp/xml'
import { StanzaError, StreamError } from '@xmpp-errors/errors'
import { describe, expect, it } from 'vitest'
import { stderrLogger } from '../src/logger.js'
import { normalize } from '../src/normalize.js'
import { correlationId, recordHandled, recordIncoming } from '../src/record.js'

const stanza = xml('iq', { type: 'get', id: 'q1', from: 'u@localhost/r', to: 'svc.localhost' })

describe('the log record', () => {
  it('carries the condition metadata and the stanza summary, at warn for sender blame', () => {
    const thrown = new StanzaError('item-not-found', { text: 'no key k' })
    const record = recordHandled(stanza, thrown, normalize(thrown), { action: 'reply' })
    expect(record).toMatchObject({
      level: 'warn',
      xmpp: {
        kind: 'stanza',
        code: 'item-not-found',
        condition: 'item-not-found',
        type: 'cancel',
        title: 'Item Not Found',
        blame: 'sender',
      },
      stanza: { name: 'iq', type: 'get', id: 'q1', from: 'u@localhost/r', to: 'svc.localhost' },
      text: 'no key k',
      exposed: true,
      action: 'reply',
    })
    expect(record.err).toBeUndefined()
    expect(record.correlationId).toMatch(/^[a-z0-9]+-[a-z0-9]+$/)
  })

  it('is at error with the original error and its stack for unknown exceptions', () => {
    const thrown = new TypeError('cannot read x of undefined')
    const record = recordHandled(stanza, thrown, normalize(thrown), { action: 'reply' })
    expect(record.level).toBe('error')
    expect(record.err).toBe(thrown)
    expect(record.xmpp.condition).toBe('internal-server-error')
    expect(record.exposed).toBe(false)
    expect(record.msg).toContain('unhandled exception')
  })

  it('is at error with the StanzaError for server-blame conditions, and hides their text', () => {
    const thrown = new StanzaError('resource-constraint', { text: 'pool 12/12' })
    const record = recordHandled(stanza, thrown, normalize(thrown), { action: 'reply' })
    expect(record.level).toBe('error')
    expect(record.err).toBe(thrown)
    expect(record.text).toBe('pool 12/12')
    expect(record.exposed).toBe(false)
  })

  it('is at warn for a stream error the peer caused, and says why a reply was dropped', () => {
    const thrown = new StreamError('policy-violation', { text: 'flood' })
    const close = recordHandled(stanza, thrown, normalize(thrown), { action: 'close' })
    expect(close).toMatchObject({ level: 'warn', action: 'close', exposed: true })
    expect(close.xmpp).toMatchObject({ kind: 'stream', code: 'stream-policy-violation' })
    const conflict = new StanzaError('conflict')
    const drop = recordHandled(stanza, conflict, normalize(conflict), {
      action: 'drop',
      reason: 'error-stanza',
    })
    expect(drop).toMatchObject({ action: 'drop', reason: 'error-stanza' })
  })

  it('records incoming errors at debug', () => {
    const incoming = xml('message', { type: 'error', from: 'a@b' })
    const record = recordIncoming(incoming, new StanzaError('gone'))
    expect(record).toMatchObject({ level: 'debug', action: 'observe', xmpp: { code: 'gone' } })
  })

  it('gives each record its own correlation id', () => {
    const ids = new Set(Array.from({ length: 1000 }, correlationId))
    expect(ids.size).toBe(1000)
  })
})

describe('the default logger', () => {
  it('writes one JSON line per record, with the error stack and cause, surviving cycles', () => {
    const lines: string[] = []
    const logger = stderrLogger((line) => lines.push(line))
    const cyclic: Record<string, unknown> = { big: 10n }
    cyclic.self = cyclic
    const err = new Error('outer', { cause: cyclic })
    logger.error({ err, xmpp: { code: 'internal-server-error' } }, 'boom')
    logger.debug({}, 'quiet')
    expect(lines).toHaveLength(1)
    const line = lines[0] ?? ''
    expect(line.endsWith('\n')).toBe(true)
    const parsed = JSON.parse(line)
    expect(parsed).toMatchObject({
      level: 'error',
      msg: 'boom',
      xmpp: { code: 'internal-server-error' },
    })
    expect(parsed.err.stack).toContain('outer')
    expect(parsed.err.cause).toEqual({ big: '10', self: '[Circular]' })
  })
})

describe('the record as pino sees it', () => {
  it('is a flat line of what no other field tells; xmpp and stanza stay readable, not written', () => {
    const thrown = new StanzaError('item-not-found', { text: 'no key k' })
    const record = recordHandled(stanza, thrown, normalize(thrown), { action: 'reply' })
    const line = JSON.parse(JSON.stringify(record))
    const fields = 'action condition correlationId exposed from id text to type'.split(' ')
    expect(Object.keys(line).sort()).toEqual(fields)
    expect(line).toMatchObject({ condition: 'item-not-found', type: 'cancel', id: 'q1' })
    // What the line leaves out, the record still has (the first test checks all of it).
    expect([record.xmpp.title, record.xmpp.blame, record.stanza.name]).toEqual([
      'Item Not Found',
      'sender',
      'iq',
    ])
  })

  it('has level and msg only as non-enumerable fields, so pino does not write them twice', () => {
    const thrown = new StanzaError('conflict')
    const record = recordHandled(stanza, thrown, normalize(thrown), { action: 'reply' })
    expect(record.level).toBe('warn')
    expect(record.msg).toContain('conflict')
    expect(Object.keys(record)).not.toContain('level')
    expect(JSON.parse(JSON.stringify(record))).not.toHaveProperty('msg')
  })
})
