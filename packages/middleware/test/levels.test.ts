import { readFileSync } from 'node:fs'
import xml from '@xmpp/xml'
import { streamConditions } from '@xmpp-errors/conditions'
import { StreamError } from '@xmpp-errors/errors'
import { describe, expect, it } from 'vitest'
import { streamErrorLevels } from '../src/levels.js'
import { recordHandled } from '../src/record.js'

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const stanza = xml('message', { id: 'm', from: 'u@localhost/r', to: 'svc.localhost' })

describe('stream error levels', () => {
  it('has one row per stream condition, and the record of each follows it, without a blame', () => {
    expect(Object.keys(streamErrorLevels).sort()).toEqual([...streamConditions].sort())
    for (const condition of streamConditions) {
      const error = new StreamError(condition, condition === 'see-other-host' ? { host: 'h' } : {})
      const record = recordHandled(stanza, error, { error, unknown: false }, { action: 'close' })
      expect(record.level).toBe(streamErrorLevels[condition])
      expect(record.err !== undefined).toBe(record.level === 'error')
      expect(record.xmpp.blame).toBeUndefined()
    }
  })

  it('is what the README says: error for exactly the conditions it lists', () => {
    const listed = /at `error` with its stack for (.*?), our own faults/s.exec(README)?.[1] ?? ''
    const named = [...listed.matchAll(/`([a-z-]+)`/g)].map((m) => m[1])
    const errors = streamConditions.filter((c) => streamErrorLevels[c] === 'error')
    expect(named.sort()).toEqual([...errors].sort())
  })
})
