import parse from '@xmpp/xml/lib/parse.js'
import { lookup, NS_STANZAS, stanzaConditions } from '@xmpp-errors/conditions'
import { describe, expect, it } from 'vitest'
import { StanzaError } from '../src/index.js'

describe('XEP-0086 legacy codes', () => {
  it('are written on request, where the condition has one', () => {
    for (const condition of stanzaConditions) {
      const code = lookup('stanza', condition).legacyCode
      const el = new StanzaError(condition).toElement({ legacyCode: true })
      expect(el.attrs.code, condition).toBe(code === null ? undefined : String(code))
    }
    expect(new StanzaError('item-not-found').toElement().attrs.code).toBeUndefined()
    expect(new StanzaError('item-not-found').toElement({ legacyCode: true }).toString()).toBe(
      `<error type="cancel" code="404"><item-not-found xmlns="${NS_STANZAS}"/></error>`,
    )
  })

  it('are read from an error that carries only a code (XEP-0086 §3)', () => {
    const read = (xml: string) => StanzaError.fromElement(parse(xml))
    const notFound = read(`<iq type="error" id="1"><error code="404">Not Found</error></iq>`)
    expect([notFound.condition, notFound.type, notFound.text]).toEqual([
      'item-not-found',
      'cancel',
      'Not Found',
    ])
    const internal = read('<error code="500"/>')
    expect([internal.condition, internal.type, internal.text]).toEqual([
      'internal-server-error',
      'wait',
      undefined,
    ])
    expect(read('<error code="302"/>').condition).toBe('redirect')
    expect(read('<error code="408"/>').condition).toBe('remote-server-timeout')
    expect(read('<error code="510"/>').condition).toBe('service-unavailable')
  })

  it('give way to the condition and type the error names', () => {
    const read = (xml: string) => StanzaError.fromElement(parse(xml))
    const both = read(
      `<error code="404" type="cancel"><remote-server-not-found xmlns="${NS_STANZAS}"/></error>`,
    )
    expect(both.condition).toBe('remote-server-not-found')
    expect(read('<error code="503" type="wait"/>').type).toBe('wait')
    const unknown = read(`<error code="404"><gone-fishing xmlns="${NS_STANZAS}"/></error>`)
    expect([unknown.condition, unknown.originalCondition]).toEqual([
      'item-not-found',
      'gone-fishing',
    ])
  })

  it('leave an unknown or malformed code an undefined-condition', () => {
    for (const code of ['402', '999', '40', '4040', 'abc', ' 404', '']) {
      expect(StanzaError.fromElement(parse(`<error code="${code}"/>`)).condition, code).toBe(
        'undefined-condition',
      )
    }
  })
})
