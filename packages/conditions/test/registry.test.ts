import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  type Code,
  codes,
  conditions,
  type Entry,
  type ErrorType,
  errorTypes,
  isAllowedType,
  isErrorType,
  isStanzaCondition,
  isStreamCondition,
  lookup,
  NS_STANZAS,
  NS_STREAM,
  NS_STREAMS,
  type StanzaEntry,
  stanzaConditions,
  streamConditions,
} from '../src/index.js'

// The seed list: `- code Title Description. This maps to the 'x' stanza error type.`
interface SeedRow {
  code: string
  title: string
  description: string
  kind: 'stanza' | 'stream'
  /** Types named by the trailing sentence, in order; `'any'` for "any stanza error type". */
  types: readonly string[] | 'any'
}

const TRAILER =
  / This (?:maps to (?:the '(\w+)'(?: or '(\w+)')?|(any)) stanza error type|is a stream-level [\w ]+ stream)\.$/

function readSeed(): SeedRow[] {
  const url = new URL('../../../test/fixtures/conditions.txt', import.meta.url)
  const lines = readFileSync(url, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('- '))
  return lines.map((line) => {
    const [code = '', ...words] = line.slice(2).split(' ')
    // A title has one word per hyphenated part of the code: `stream-see-other-host` is
    // `Stream: See Other Host`, `jid-malformed` is `JID Malformed`.
    const parts = code.split('-')
    const title = words.slice(0, parts.length).join(' ')
    if (title.toLowerCase().replace(':', '').split(' ').join('-') !== code) {
      throw new Error(`cannot split the title off seed line ${JSON.stringify(line)}`)
    }
    const rest = words.slice(parts.length).join(' ')
    const trailer = TRAILER.exec(rest)
    if (trailer === null) throw new Error(`no trailing sentence on ${JSON.stringify(line)}`)
    const [, first, second, any] = trailer
    const stanza = trailer[0].includes('stanza error type')
    return {
      code,
      title,
      description: rest.slice(0, trailer.index),
      kind: stanza ? 'stanza' : 'stream',
      types: any ? 'any' : [first, second].filter((t): t is string => t !== undefined),
    }
  })
}

const seed = readSeed()
const entries = Object.values(conditions) as Entry[]
const entry = (code: string): Entry => {
  const found = lookup(code)
  if (found === undefined) throw new Error(`no entry ${code}`)
  return found
}
const legacyType = (e: Entry): unknown => ('legacyType' in e ? e.legacyType : undefined)
const stanza = (code: string): StanzaEntry => {
  const found = entry(code)
  if (found.kind !== 'stanza') throw new Error(`${code} is not a stanza condition`)
  return found
}

describe('the registry against the seed list', () => {
  it('the seed parses into 22 stanza and 25 stream rows', () => {
    expect(seed).toHaveLength(47)
    expect(seed.filter((row) => row.kind === 'stanza')).toHaveLength(22)
    expect(seed.filter((row) => row.kind === 'stream')).toHaveLength(25)
    for (const row of seed) expect(row.kind === 'stream').toBe(row.code.startsWith('stream-'))
  })

  it('has exactly the 47 codes of the seed', () => {
    expect(codes).toHaveLength(47)
    expect(Object.keys(conditions)).toHaveLength(47)
    expect(new Set(codes).size).toBe(47)
    expect([...codes].sort()).toEqual(seed.map((row) => row.code).sort())
  })

  it.each(seed)('$code: same kind, title and description', (row) => {
    const e = entry(row.code)
    expect(e.code).toBe(row.code)
    expect(e.kind).toBe(row.kind)
    expect(e.title).toBe(row.title)
    // Ours is the seed's description without its trailing "This maps to…" sentence.
    expect(e.description).toBe(row.description)
    expect(e.description).not.toMatch(/This (maps to|is a stream-level)/)
    expect(e.condition).toBe(row.kind === 'stream' ? row.code.slice('stream-'.length) : row.code)
  })

  const stanzaSeed = seed.filter((row) => row.kind === 'stanza')
  const plain = stanzaSeed.filter(
    (row) =>
      Array.isArray(row.types) && row.types.length === 1 && row.code !== 'internal-server-error',
  )

  it('the seed has 19 single-type stanza rows besides internal-server-error', () => {
    expect(plain).toHaveLength(19)
  })

  it.each(plain)('$code: default type is the seed type', (row) => {
    const e = stanza(row.code)
    expect(e.type).toBe((row.types as string[])[0])
    expect(e.types).toContain(e.type)
    expect(legacyType(e)).toBeUndefined()
  })

  it('internal-server-error: the seed (RFC 3920) says wait, RFC 6120 and we say cancel', () => {
    const row = seed.find((r) => r.code === 'internal-server-error')
    expect(row?.types).toEqual(['wait'])
    const e = stanza('internal-server-error')
    expect(e.type).toBe('cancel')
    expect(e.types).toEqual(['cancel'])
    expect(legacyType(e)).toBe('wait')
    expect(e.blame).toBe('server')
  })

  it('only internal-server-error records a legacyType', () => {
    const withLegacy = entries.filter((e) => e.kind === 'stanza' && legacyType(e) !== undefined)
    expect(withLegacy.map((e) => e.code)).toEqual(['internal-server-error'])
  })

  it("policy-violation: 'modify' or 'wait', the first is the default", () => {
    const row = seed.find((r) => r.code === 'policy-violation')
    expect(row?.types).toEqual(['modify', 'wait'])
    const e = stanza('policy-violation')
    expect(e.types).toEqual(expect.arrayContaining(['modify', 'wait']))
    expect(e.type).toBe('modify')
    expect(isAllowedType('policy-violation', 'wait')).toBe(true)
    expect(isAllowedType('policy-violation', 'cancel')).toBe(false)
  })

  it('undefined-condition: any stanza error type', () => {
    const row = seed.find((r) => r.code === 'undefined-condition')
    expect(row?.types).toBe('any')
    const e = stanza('undefined-condition')
    expect([...e.types].sort()).toEqual(['auth', 'cancel', 'continue', 'modify', 'wait'])
    for (const type of errorTypes) expect(isAllowedType('undefined-condition', type)).toBe(true)
    expect(e.types).toContain(e.type)
  })

  it('every seed row with named types is reflected in the allowed types', () => {
    for (const row of stanzaSeed) {
      if (row.types === 'any' || row.code === 'internal-server-error') continue
      const e = stanza(row.code)
      for (const type of row.types) expect(e.types, row.code).toContain(type)
    }
  })
})

describe('lookup', () => {
  it('finds stanza entries by code', () => {
    const e = lookup('item-not-found')
    expect(e.code).toBe('item-not-found')
    expect(e.condition).toBe('item-not-found')
    expect(e.kind).toBe('stanza')
    expect(e.type).toBe('cancel')
  })

  it('finds stream entries by code', () => {
    const e = lookup('stream-conflict')
    expect(e.kind).toBe('stream')
    expect(e.condition).toBe('conflict')
    expect(e.rfc).toBe('4.9.3.3')
  })

  it('finds entries by kind and condition', () => {
    expect(lookup('stanza', 'conflict')).toBe(conditions.conflict)
    expect(lookup('stream', 'conflict')).toBe(conditions['stream-conflict'])
    expect(lookup('stream', 'see-other-host').characterData).toBe('host[:port]')
    expect(lookup('stanza', 'gone').characterData).toBe('xmpp-uri')
  })

  it('returns the same frozen object as conditions[code]', () => {
    for (const code of codes) expect(lookup(code)).toBe(conditions[code])
  })

  it('gives undefined for unknown names, never a throw', () => {
    expect(lookup('item-not-fund')).toBeUndefined()
    expect(lookup('conflict-stream')).toBeUndefined()
    expect(lookup('')).toBeUndefined()
    expect(lookup('__proto__')).toBeUndefined()
    expect(lookup('constructor')).toBeUndefined()
    expect(lookup('toString')).toBeUndefined()
    expect(lookup('stanza', 'see-other-host')).toBeUndefined()
    expect(lookup('stream', 'item-not-found')).toBeUndefined()
    expect(lookup('stream', 'stream-conflict')).toBeUndefined()
    expect(lookup('stanza', 'constructor')).toBeUndefined()
    expect(lookup('bogus' as 'stanza', 'conflict')).toBeUndefined()
  })
})

describe('lists', () => {
  it('stanzaConditions has the 22 stanza conditions', () => {
    expect(stanzaConditions).toHaveLength(22)
    expect(new Set(stanzaConditions).size).toBe(22)
    expect(stanzaConditions).toContain('item-not-found')
    expect(stanzaConditions).not.toContain('see-other-host')
    for (const c of stanzaConditions) expect(lookup('stanza', c).kind).toBe('stanza')
  })

  it('streamConditions has the 25 stream conditions, without the stream- prefix', () => {
    expect(streamConditions).toHaveLength(25)
    expect(new Set(streamConditions).size).toBe(25)
    expect(streamConditions).toContain('see-other-host')
    expect(streamConditions).toContain('conflict')
    for (const c of streamConditions) {
      expect(c.startsWith('stream-')).toBe(false)
      expect(lookup(`stream-${c}` as Code)?.kind).toBe('stream')
    }
  })

  it('errorTypes lists the five types of RFC 6120 §8.3.2', () => {
    expect([...errorTypes].sort()).toEqual(['auth', 'cancel', 'continue', 'modify', 'wait'])
  })

  it('the exported lists are frozen', () => {
    for (const list of [codes, stanzaConditions, streamConditions, errorTypes]) {
      expect(Object.isFrozen(list)).toBe(true)
    }
    expect(() => (errorTypes as ErrorType[]).push('bogus' as ErrorType)).toThrow(TypeError)
    expect(isErrorType('bogus')).toBe(false)
  })
})

describe('guards', () => {
  it('isStanzaCondition', () => {
    for (const c of stanzaConditions) expect(isStanzaCondition(c)).toBe(true)
    expect(isStanzaCondition('conflict')).toBe(true)
    expect(isStanzaCondition('see-other-host')).toBe(false)
    expect(isStanzaCondition('stream-conflict')).toBe(false)
    expect(isStanzaCondition('Item-Not-Found')).toBe(false)
    expect(isStanzaCondition('constructor')).toBe(false)
    for (const value of [undefined, null, 42, {}, ['conflict'], Symbol('conflict')]) {
      expect(isStanzaCondition(value)).toBe(false)
    }
  })

  it('isStreamCondition', () => {
    for (const c of streamConditions) expect(isStreamCondition(c)).toBe(true)
    expect(isStreamCondition('see-other-host')).toBe(true)
    expect(isStreamCondition('reset')).toBe(true)
    expect(isStreamCondition('item-not-found')).toBe(false)
    expect(isStreamCondition('stream-conflict')).toBe(false)
    expect(isStreamCondition('hasOwnProperty')).toBe(false)
    for (const value of [undefined, null, 0, {}, ['reset']]) {
      expect(isStreamCondition(value)).toBe(false)
    }
  })

  it('isErrorType', () => {
    for (const t of ['auth', 'cancel', 'continue', 'modify', 'wait']) {
      expect(isErrorType(t)).toBe(true)
    }
    for (const value of ['Cancel', 'error', '', undefined, null, 1]) {
      expect(isErrorType(value)).toBe(false)
    }
  })

  it('isAllowedType follows each entry', () => {
    for (const c of stanzaConditions) {
      const e = lookup('stanza', c)
      for (const t of errorTypes)
        expect(isAllowedType(c, t), `${c} ${t}`).toBe((e.types as readonly string[]).includes(t))
    }
    expect(isAllowedType('item-not-found', 'cancel')).toBe(true)
    expect(isAllowedType('item-not-found', 'wait')).toBe(false)
    expect(isAllowedType('internal-server-error', 'wait')).toBe(false)
    expect(isAllowedType('unexpected-request', 'modify')).toBe(true)
    expect(isAllowedType('feature-not-implemented', 'modify')).toBe(true)
    expect(isAllowedType('item-not-found', undefined)).toBe(false)
    expect(isAllowedType('see-other-host' as 'gone', 'cancel')).toBe(false)
  })
})

describe('namespaces', () => {
  it('are the RFC 6120 namespaces', () => {
    expect(NS_STANZAS).toBe('urn:ietf:params:xml:ns:xmpp-stanzas')
    expect(NS_STREAMS).toBe('urn:ietf:params:xml:ns:xmpp-streams')
    expect(NS_STREAM).toBe('http://etherx.jabber.org/streams')
  })
})

describe('entries', () => {
  it('conditions and every entry are frozen, down to types', () => {
    expect(Object.isFrozen(conditions)).toBe(true)
    for (const e of entries) {
      expect(Object.isFrozen(e), e.code).toBe(true)
      if (e.kind === 'stanza') expect(Object.isFrozen(e.types), e.code).toBe(true)
    }
    const gone = lookup('gone')
    expect(() => {
      ;(gone as { type: string }).type = 'wait'
    }).toThrow(TypeError)
    expect(() => (gone.types as unknown as ErrorType[]).push('wait')).toThrow(TypeError)
    expect(isAllowedType('gone', 'wait')).toBe(false)
  })

  it('each stanza entry is self-consistent', () => {
    for (const e of entries) {
      if (e.kind !== 'stanza') continue
      expect(e.types, e.code).toContain(e.type)
      expect(new Set(e.types).size).toBe(e.types.length)
      for (const t of e.types) expect(isErrorType(t)).toBe(true)
      expect(['sender', 'server']).toContain(e.blame)
      if (e.legacyCode !== null) expect(e.legacyCode).toBeGreaterThanOrEqual(300)
      expect(e.characterData === 'xmpp-uri').toBe(e.code === 'gone' || e.code === 'redirect')
    }
  })

  it('only see-other-host carries character data among stream conditions', () => {
    const carrying = entries.filter((e) => e.kind === 'stream' && e.characterData !== null)
    expect(carrying.map((e) => e.code)).toEqual(['stream-see-other-host'])
  })

  it('stream titles start with "Stream: "; stanza titles do not', () => {
    for (const e of entries) expect(e.title.startsWith('Stream: ')).toBe(e.kind === 'stream')
  })
})

describe('RFC sections', () => {
  const sections = (kind: 'stanza' | 'stream') =>
    entries.filter((e) => e.kind === kind).map((e) => e.rfc)

  it('stanza conditions use 8.3.3.1 to 8.3.3.22, each once', () => {
    const expected = Array.from({ length: 22 }, (_, i) => `8.3.3.${i + 1}`)
    expect([...sections('stanza')].sort()).toEqual([...expected].sort())
  })

  it('stream conditions use 4.9.3.1 to 4.9.3.25, each once', () => {
    const expected = Array.from({ length: 25 }, (_, i) => `4.9.3.${i + 1}`)
    expect([...sections('stream')].sort()).toEqual([...expected].sort())
  })

  it('sections follow the alphabetical order RFC 6120 lists the conditions in', () => {
    for (const kind of ['stanza', 'stream'] as const) {
      const sorted = entries
        .filter((e) => e.kind === kind)
        .sort((a, b) => (a.condition < b.condition ? -1 : 1))
      sorted.forEach((e, i) => {
        expect(e.rfc.split('.').at(-1), e.code).toBe(String(i + 1))
      })
    }
  })
})
