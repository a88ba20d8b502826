import { defineErrors } from '@xmpp-errors/middleware'

/**
 * The notes store's own errors, in English and German: a reply carries the text in the
 * requester's `xml:lang`, English otherwise. ERRORS.md is generated from this catalogue.
 */
export const NotesErrors = defineErrors({
  noSuchNote: {
    condition: 'item-not-found',
    text: { en: 'no note named {key}', de: 'keine Notiz namens {key}' },
  },
  noteExists: {
    condition: 'conflict',
    text: { en: 'note {key} already exists', de: 'die Notiz {key} gibt es schon' },
  },
  readOnly: {
    condition: 'not-allowed',
    text: { en: 'note {key} is read-only', de: 'die Notiz {key} ist schreibgeschützt' },
  },
})
