import { describe, expectTypeOf, it } from 'vitest'
import { defineErrors, type StanzaError, type TemplateParams } from '../src/index.js'

const NotesErrors = defineErrors({
  noSuchNote: {
    condition: 'item-not-found',
    text: { en: 'no note named {key}', de: 'keine Notiz namens {key}' },
  },
  moved: { condition: 'redirect', text: { en: '{key} is now {to}', de: '{key} heißt jetzt {to}' } },
  deOnly: { condition: 'conflict', text: { en: 'exists', de: '{key} gibt es schon' } },
  busy: { condition: 'policy-violation', type: 'wait', text: 'slow down' },
})

describe('defineErrors', () => {
  it('types the parameters from the templates', () => {
    expectTypeOf<TemplateParams<'a {x} b {y}'>>().toEqualTypeOf<'x' | 'y'>()
    NotesErrors.noSuchNote({ key: 'a' })
    NotesErrors.moved({ key: 'a', to: 'b' })
    NotesErrors.deOnly({ key: 'a' })
    NotesErrors.busy()
    // @ts-expect-error: key is required
    NotesErrors.noSuchNote({})
    // @ts-expect-error: the parameters are required
    NotesErrors.noSuchNote()
    // @ts-expect-error: to is required too
    NotesErrors.moved({ key: 'a' })
    // @ts-expect-error: not a parameter of the template
    NotesErrors.noSuchNote({ key: 'a', name: 'b' })
    // @ts-expect-error: a parameter is a string or a number
    NotesErrors.noSuchNote({ key: true })
    // @ts-expect-error: no such error in the catalogue
    NotesErrors.noSuchThing()
  })

  it('gives StanzaErrors of the condition', () => {
    expectTypeOf(NotesErrors.noSuchNote({ key: 'a' })).toEqualTypeOf<
      StanzaError<'item-not-found'>
    >()
    expectTypeOf(NotesErrors.busy.type).toEqualTypeOf<'modify' | 'wait'>()
  })

  it('reports a disallowed type at its entry, and keeps checking the others', () => {
    const Mixed = defineErrors({
      noSuchNote: { condition: 'item-not-found', text: 'no note named {key}' },
      // @ts-expect-error: conflict is of type cancel
      busy: { condition: 'conflict', type: 'wait', text: 'busy' },
    })
    Mixed.noSuchNote({ key: 'a' })
    // @ts-expect-error: key is required
    Mixed.noSuchNote({})
    // @ts-expect-error: kee is not a parameter
    Mixed.noSuchNote({ kee: 'x' })
    expectTypeOf(Mixed.noSuchNote({ key: 'a' })).toEqualTypeOf<StanzaError<'item-not-found'>>()
  })

  it('takes only the types RFC 6120 allows for the condition', () => {
    // @ts-expect-error: item-not-found is of type cancel
    defineErrors({ a: { condition: 'item-not-found', type: 'wait', text: 'x' } })
    // @ts-expect-error: not a stanza condition
    defineErrors({ a: { condition: 'item-not-fund', text: 'x' } })
  })
})
