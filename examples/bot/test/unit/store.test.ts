import { isStanzaError, type StanzaError } from '@xmpp-errors/middleware'
import { describe, expect, it } from 'vitest'
import { NotesStore, noteUri, type Requester } from '../../src/store.js'

const alice: Requester = { jid: 'alice@example.org', admin: false }
const bob: Requester = { jid: 'bob@example.org', admin: false }
const admin: Requester = { jid: 'root@example.org', admin: true }

function store(maxKeys = 10, maxValueLength = 20) {
  return new NotesStore('notes.example.org', { maxKeys, maxValueLength })
}

/** The StanzaError `fn` throws. */
function thrown(fn: () => unknown): StanzaError {
  try {
    fn()
  } catch (error) {
    if (isStanzaError(error)) return error
    throw error
  }
  throw new Error('did not throw')
}

describe('NotesStore', () => {
  it('puts, gets, lists and deletes', () => {
    const s = store()
    expect(s.put('groceries', 'milk', alice)).toEqual({ created: true })
    expect(s.put('groceries', 'milk, eggs', alice)).toEqual({ created: false })
    expect(s.get('groceries')).toMatchObject({ value: 'milk, eggs', owner: alice.jid })
    s.put('a.b-c_d', 'x', alice)
    expect(s.keys()).toEqual(['a.b-c_d', 'groceries'])
    expect(s.delete('groceries', alice).key).toBe('groceries')
    expect(s.size).toBe(1)
  })

  it('pages the sorted keys after, before or from an index', () => {
    const s = store(20)
    for (const key of ['e', 'a', 'c', 'b', 'd']) s.put(key, 'x', alice)
    expect(s.page({ max: 2 })).toEqual({ keys: ['a', 'b'], index: 0, count: 5 })
    expect(s.page({ max: 2, after: 'b' })).toEqual({ keys: ['c', 'd'], index: 2, count: 5 })
    // A position need not be a note: after "bb" is c.
    expect(s.page({ max: 2, after: 'bb' })).toEqual({ keys: ['c', 'd'], index: 2, count: 5 })
    expect(s.page({ max: 2, after: 'e' })).toEqual({ keys: [], index: 5, count: 5 })
    expect(s.page({ max: 2, before: 'c' })).toEqual({ keys: ['a', 'b'], index: 0, count: 5 })
    expect(s.page({ max: 2, before: '' })).toEqual({ keys: ['d', 'e'], index: 3, count: 5 })
    expect(s.page({ max: 9, before: 'b' })).toEqual({ keys: ['a'], index: 0, count: 5 })
    expect(s.page({ max: 2, index: 4 })).toEqual({ keys: ['e'], index: 4, count: 5 })
    expect(s.page({ max: 2, index: 99 })).toEqual({ keys: [], index: 5, count: 5 })
    expect(s.page({ max: 0 })).toEqual({ keys: [], index: 0, count: 5 })
  })

  it('answers item-not-found for a missing key', () => {
    const e = thrown(() => store().get('nope'))
    expect([e.condition, e.type, e.text]).toEqual([
      'item-not-found',
      'cancel',
      'no note named "nope"',
    ])
    expect(thrown(() => store().delete('nope', alice)).condition).toBe('item-not-found')
    expect(thrown(() => store().put('nope', 'x', alice, { mode: 'replace' })).condition).toBe(
      'item-not-found',
    )
  })

  it.each([
    [undefined, 'a key is required'],
    ['', 'a key is required'],
    ['Upper', 'may hold only'],
    ['has space', 'may hold only'],
    ['-leading', 'may hold only'],
    ['trailing.', 'may hold only'],
    ['ünï', 'may hold only'],
    ['k'.repeat(65), 'longer than 64'],
  ])('answers bad-request for the key %j', (key, text) => {
    const e = thrown(() => store().put(key, 'v', alice))
    expect([e.condition, e.type]).toEqual(['bad-request', 'modify'])
    expect(e.text).toContain(text)
  })

  it('answers bad-request for a value over the limit, counted in characters', () => {
    const s = store(10, 3)
    s.put('ok', '😀😀😀', alice)
    const e = thrown(() => s.put('long', 'abcd', alice))
    expect(e.condition).toBe('bad-request')
    expect(e.text).toBe('the value is 4 characters long; the limit is 3')
  })

  it('answers conflict when creating a key that exists', () => {
    const s = store()
    s.put('k', 'v', alice, { mode: 'create' })
    const e = thrown(() => s.put('k', 'w', alice, { mode: 'create' }))
    expect([e.condition, e.type]).toEqual(['conflict', 'cancel'])
    expect(s.get('k').value).toBe('v')
  })

  it('answers forbidden for the admin-only namespace and for other owners’ notes', () => {
    const s = store()
    expect(thrown(() => s.put('sys.motd', 'hi', alice)).condition).toBe('forbidden')
    s.put('sys.motd', 'hi', admin)
    expect(thrown(() => s.delete('sys.motd', alice))).toMatchObject({
      condition: 'forbidden',
      type: 'auth',
    })
    s.put('mine', 'x', alice)
    expect(thrown(() => s.put('mine', 'y', bob)).text).toContain('belongs to alice@example.org')
    expect(thrown(() => s.move('mine', 'yours', bob)).condition).toBe('forbidden')
    expect(thrown(() => s.put('x', 'y', alice, { readOnly: true })).condition).toBe('forbidden')
  })

  it('lets the owner share a note, and only the owner or an admin', () => {
    const s = store()
    s.put('mine', 'x', alice)
    expect(thrown(() => s.share('mine', 'carol@example.org', bob)).condition).toBe('forbidden')
    s.share('mine', bob.jid, alice)
    s.share('mine', bob.jid, alice)
    expect(s.get('mine').editors).toEqual([bob.jid])
    s.put('mine', 'by bob', bob)
    expect(s.get('mine')).toMatchObject({ value: 'by bob', owner: alice.jid })
  })

  it('caps the editors of a note: past the cap, not-allowed, for admins too', () => {
    const s = new NotesStore('notes.example.org', {
      maxKeys: 10,
      maxValueLength: 20,
      maxEditors: 3,
    })
    s.put('mine', 'x', alice)
    for (const n of [1, 2, 3]) s.share('mine', `e${n}@example.org`, alice)
    const e = thrown(() => s.share('mine', 'e4@example.org', alice))
    expect([e.condition, e.type, e.text]).toEqual([
      'not-allowed',
      'cancel',
      'note "mine" is shared with 3 editors already, the most a note may have',
    ])
    expect(thrown(() => s.share('mine', 'e4@example.org', admin)).condition).toBe('not-allowed')
    // Sharing again with an editor, or with the owner, changes nothing and is no error.
    s.share('mine', 'e2@example.org', alice)
    s.share('mine', alice.jid, alice)
    expect(s.get('mine').editors).toEqual(['e1@example.org', 'e2@example.org', 'e3@example.org'])
  })

  it('caps editors at 32 by default', () => {
    const s = store()
    s.put('mine', 'x', alice)
    let refused: StanzaError | undefined
    for (let n = 0; n < 1_000 && refused === undefined; n++) {
      try {
        s.share('mine', `e${n}@example.org`, alice)
      } catch (error) {
        refused = error as StanzaError
      }
    }
    expect(refused?.condition).toBe('not-allowed')
    expect(s.get('mine').editors).toHaveLength(32)
  })

  it('answers not-allowed for writes to a read-only note, except from admins', () => {
    const s = store()
    s.put('rules', 'be nice', admin, { readOnly: true })
    const e = thrown(() => s.put('rules', 'be mean', alice))
    expect([e.condition, e.type]).toEqual(['not-allowed', 'cancel'])
    expect(thrown(() => s.delete('rules', alice)).condition).toBe('not-allowed')
    s.put('rules', 'be kind', admin)
    expect(s.get('rules')).toMatchObject({ value: 'be kind', readOnly: true })
  })

  it('answers resource-constraint when full, with its text exposed', () => {
    const s = store(2)
    s.put('a', '1', alice)
    s.put('b', '2', alice)
    s.put('b', '3', alice) // replacing needs no room
    const e = thrown(() => s.put('c', '4', alice))
    expect([e.condition, e.type, e.expose]).toEqual(['resource-constraint', 'wait', true])
    s.delete('a', alice)
    s.put('c', '4', alice)
  })

  it('moves a note and redirects its old key with an xmpp: URI', () => {
    const s = store()
    s.put('groceries', 'milk', alice)
    s.move('groceries', 'shopping', alice)
    expect(s.get('shopping')).toMatchObject({ key: 'shopping', value: 'milk', owner: alice.jid })
    const e = thrown(() => s.get('groceries'))
    expect([e.condition, e.type]).toEqual(['redirect', 'modify'])
    expect(e.uri).toBe('xmpp:notes.example.org?notes;key=shopping')
    expect(thrown(() => s.delete('groceries', alice)).condition).toBe('redirect')
    // Writing the old key again ends the redirect.
    s.put('groceries', 'bread', alice)
    expect(s.get('groceries').value).toBe('bread')
  })

  it('refuses to move onto an existing note or onto itself', () => {
    const s = store()
    s.put('a', '1', alice)
    s.put('b', '2', alice)
    expect(thrown(() => s.move('a', 'b', alice)).condition).toBe('conflict')
    expect(thrown(() => s.move('a', 'a', alice)).condition).toBe('bad-request')
    expect(thrown(() => s.move('a', 'sys.a', alice)).condition).toBe('forbidden')
    expect(thrown(() => s.move('zz', 'c', alice)).condition).toBe('item-not-found')
  })

  it('bounds the tombstones', () => {
    const s = store(2)
    s.put('k0', 'v', alice)
    for (let i = 1; i <= 5; i++) s.move(`k${i - 1}`, `k${i}`, alice)
    expect(thrown(() => s.get('k0')).condition).toBe('item-not-found')
    expect(thrown(() => s.get('k4')).condition).toBe('redirect')
  })

  it('quotes long input briefly in error texts', () => {
    const e = thrown(() => store().get('x'.repeat(200)))
    expect(e.text?.length).toBeLessThan(80)
  })

  it('builds note URIs', () => {
    expect(noteUri('n.example', 'a.b')).toBe('xmpp:n.example?notes;key=a.b')
  })
})
