import { isStanzaError, isStreamError } from '@xmpp-errors/middleware'
import { describe, expect, it } from 'vitest'
import { addressProblem, bareAddress, bareOf, isDomain } from '../../src/address.js'
import { help, parseCommand, runCommand } from '../../src/commands.js'
import { NotesStore } from '../../src/store.js'

function conditionOf(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    if (isStanzaError(error) || isStreamError(error)) return `${error.kind} ${error.condition}`
    throw error
  }
  return 'none'
}

describe('parseCommand', () => {
  it.each([
    ['help', { name: 'help' }],
    ['  HELP ', { name: 'help' }],
    ['keys', { name: 'keys' }],
    ['keys m', { name: 'keys', after: 'm' }],
    ['get k', { name: 'get', key: 'k' }],
    ['del k', { name: 'del', key: 'k' }],
    ['put k some  value\nwith lines', { name: 'put', key: 'k', value: 'some  value\nwith lines' }],
    ['new k v', { name: 'new', key: 'k', value: 'v' }],
    ['move a b', { name: 'move', key: 'a', to: 'b' }],
    ['share k with bob@example.org', { name: 'share', key: 'k', with: 'bob@example.org' }],
    ['shutdown', { name: 'shutdown' }],
    ['check', { name: 'check' }],
  ])('parses %j', (body, command) => {
    expect(parseCommand(body)).toEqual(command)
  })

  it.each([
    ['', 'unknown command'],
    ['frobnicate', 'unknown command "frobnicate"'],
    ['get', 'usage: get KEY'],
    ['get a b', 'usage: get KEY'],
    ['put k', 'usage: put KEY VALUE'],
    ['move a', 'usage: move KEY NEWKEY'],
    ['move a b c', 'usage: move KEY NEWKEY'],
    ['share k bob@example.org', 'usage: share KEY with JID'],
    ['share k with', 'usage: share KEY with JID'],
    ['keys a b', 'usage: keys [AFTER]'],
    ['check me', 'usage: check'],
  ])('answers bad-request for %j', (body, text) => {
    try {
      parseCommand(body)
      expect.unreachable()
    } catch (error) {
      expect(isStanzaError(error) && error.condition).toBe('bad-request')
      expect(isStanzaError(error) && error.text).toContain(text)
    }
  })
})

/** A command the store answers: every one but `check`, which asks the sender's client. */
function local(body: string) {
  const command = parseCommand(body)
  if (command.name === 'check') throw new Error('check asks a client, not the store')
  return command
}

describe('runCommand', () => {
  const alice = { jid: 'alice@example.org', admin: false }
  const root = { jid: 'root@example.org', admin: true }

  it('runs the store operations and answers in words', () => {
    const store = new NotesStore('bot.example.org', { maxKeys: 10, maxValueLength: 100 })
    const run = (body: string, who = alice) => runCommand(local(body), who, store)
    expect(run('help')).toBe(help)
    expect(run('keys')).toBe('no notes yet')
    expect(run('put k hello world')).toBe('created k')
    expect(run('put k hi')).toBe('updated k')
    expect(run('get k')).toBe('k: hi')
    expect(run('move k j')).toBe('moved k to j')
    expect(run('share j with Bob@Example.org/phone')).toBe('bob@example.org may now change j')
    expect(run('keys')).toBe('j')
    expect(run('del j')).toBe('deleted j')
  })

  it('lists the keys 100 at a time, saying how many are left and how to get them', () => {
    const store = new NotesStore('bot.example.org', { maxKeys: 1_000, maxValueLength: 10 })
    const keys = Array.from({ length: 250 }, (_, i) => `k${String(i).padStart(3, '0')}`)
    for (const key of keys) store.put(key, 'v', alice)
    const run = (body: string) => runCommand(local(body), alice, store)
    const first = run('keys').split('\n')
    expect(first).toHaveLength(101)
    expect(first.slice(0, 100)).toEqual(keys.slice(0, 100))
    expect(first[100]).toBe('… 150 more; send "keys k099" for the next 100')
    const second = run('keys k099').split('\n')
    expect(second.slice(0, 100)).toEqual(keys.slice(100, 200))
    expect(second[100]).toBe('… 50 more; send "keys k199" for the next 50')
    expect(run('keys k199').split('\n')).toEqual(keys.slice(200))
    expect(run('keys k249')).toBe('no notes after k249')
    expect(run('keys k2').split('\n')[0]).toBe('k200')
    expect(conditionOf(() => run('keys Nope'))).toBe('stanza bad-request')
  })

  it('answers with the errors of the store and of JIDs', () => {
    const store = new NotesStore('bot.example.org', { maxKeys: 10, maxValueLength: 100 })
    const run =
      (body: string, who = alice) =>
      () =>
        runCommand(local(body), who, store)
    store.put('k', 'v', alice)
    expect(conditionOf(run('new k v'))).toBe('stanza conflict')
    expect(conditionOf(run('get nope'))).toBe('stanza item-not-found')
    expect(conditionOf(run('share k with bob@@example.org'))).toBe('stanza jid-malformed')
    expect(conditionOf(run('share k with a b'))).toBe('stanza bad-request')
    expect(conditionOf(run('shutdown'))).toBe('stanza forbidden')
    expect(conditionOf(run('shutdown', root))).toBe('stream system-shutdown')
  })
})

describe('addresses', () => {
  it.each([
    'example.org',
    'alice@example.org',
    'alice@example.org/phone',
    'alice@127.0.0.1',
    'alice@[::1]/x y',
    'élodie@exemple.fr',
  ])('accepts %s', (address) => {
    expect(addressProblem(address)).toBeUndefined()
  })

  it.each([
    ['', 'empty'],
    [' alice@example.org', 'spaces around it'],
    ['alice@', 'no domain'],
    ['@example.org', 'before @ is empty'],
    ['bob@@example.org', 'not a valid domain'],
    ['a b@example.org', 'not a valid local part'],
    ['a:b@example.org', 'not a valid local part'],
    ['alice@exa mple.org', 'not a valid domain'],
    ['alice@-x.org', 'not a valid domain'],
    ['alice@example.org/', 'after / is empty'],
    [`${'a'.repeat(1024)}@example.org`, 'too long'],
  ])('rejects %j', (address, problem) => {
    expect(addressProblem(address)).toContain(problem)
  })

  it('gives the bare form, lower-cased', () => {
    expect(bareAddress('Alice@Example.org/Phone')).toBe('alice@example.org')
    expect(bareAddress('bob@@x')).toBeUndefined()
    expect(bareAddress('example.org/x')).toBe('example.org')
    expect(isDomain('a.b.c')).toBe(true)
    expect(isDomain(`${'a'.repeat(64)}.org`)).toBe(false)
  })

  // The server delivers `from` prepared (RFC 7622 §3): an address typed for `share` or BOT_ADMINS
  // must be prepared the same way, or it names no one who will ever write.
  it.each([
    ['ＢＯＢ@localhost', 'bob@localhost'],
    ['bob@ＬＯＣＡＬＨＯＳＴ', 'bob@localhost'],
    ['bob@localhost.', 'bob@localhost'],
    ['Bob@LocalHost./phone', 'bob@localhost'],
    ['localhost.', 'localhost'],
  ])('prepares %j as the server does: %s', (typed, bare) => {
    expect(bareAddress(typed)).toBe(bare)
  })

  it('refuses what preparing turns into a forbidden character', () => {
    expect(addressProblem('bob＠evil@localhost')).toContain('not a valid local part')
    expect(bareAddress('bob＠evil@localhost')).toBeUndefined()
  })

  // XEP-0106 escaping is a client's display convention; `v\5cw` and `v\w` are two accounts.
  it('keeps backslashes as typed: no XEP-0106 escaping', () => {
    expect(bareAddress('v\\w@localhost')).toBe('v\\w@localhost')
    expect(bareAddress('v\\5cw@localhost')).toBe('v\\5cw@localhost')
    expect(bareOf('v\\w@localhost/r')).toBe('v\\w@localhost')
    expect(bareOf('v\\5cw@localhost/a/b@c')).toBe('v\\5cw@localhost')
    expect(bareOf('localhost')).toBe('localhost')
  })
})
