import {
  type AllowedType,
  isStanzaCondition,
  lookup,
  type StanzaCondition,
} from '@xmpp-errors/conditions'
import type { XmlElement } from './element.js'
import { StanzaError } from './stanza-error.js'
import type { Texts } from './text.js'

/** The names in a template's braces: `'no note named {key}'` gives `'key'`. */
export type TemplateParams<T> = T extends `${string}{${infer P}}${infer Rest}`
  ? P | TemplateParams<Rest>
  : never

/** One error of a component: its condition, and its text as a template, in one or more languages. */
export interface ErrorDefinition<C extends StanzaCondition = StanzaCondition> {
  condition: C
  /** One of the types RFC 6120 allows for the condition; defaults to the RFC's default. */
  type?: AllowedType<C>
  /** A template (`'no note named {key}'`) or templates by language (`{ en: …, de: … }`). */
  text: string | Texts
  /** Whether the text may reach the peer; defaults as for StanzaError (sender's fault: yes). */
  expose?: boolean
}

type Definitions<D> = {
  [K in keyof D]: D[K] extends { condition: infer C extends StanzaCondition }
    ? ErrorDefinition<C>
    : ErrorDefinition
}

type ParamsOf<T> = T extends string
  ? TemplateParams<T>
  : T extends Readonly<Record<string, infer V>>
    ? TemplateParams<V>
    : never

/** What a catalogue error takes when thrown, besides its parameters. */
export interface CatalogueErrorOptions {
  /** What led to this error; logged, never sent. */
  cause?: unknown
  /** The entity that generated the error (RFC 6120 §8.3.2). */
  by?: string
  /** An application-specific condition element, in a namespace of its own (RFC 6120 §8.3.4). */
  application?: XmlElement
}

/** Makes the error; its parameters are the names in its templates, each a string or a number. */
export type ErrorFactory<D extends ErrorDefinition, Name extends string = string> = ([
  ParamsOf<D['text']>,
] extends [never]
  ? (params?: Record<string, never>, options?: CatalogueErrorOptions) => StanzaError<D['condition']>
  : (
      params: { readonly [P in ParamsOf<D['text']>]: string | number },
      options?: CatalogueErrorOptions,
    ) => StanzaError<D['condition']>) & {
  readonly errorName: Name
  readonly condition: D['condition']
  readonly type: AllowedType<D['condition']>
  readonly text: D['text']
  readonly params: readonly ParamsOf<D['text']>[]
}

export type Catalogue<D> = {
  readonly [K in keyof D & string]: D[K] extends ErrorDefinition ? ErrorFactory<D[K], K> : never
}

const PLACEHOLDER = /\{([^{}]*)\}/g
const PARAM = /^[A-Za-z_][A-Za-z0-9_]*$/

/** The parameter names of a template, in order; a TypeError for braces around anything else. */
function paramsOf(template: string, where: string): string[] {
  const names: string[] = []
  for (const [, name = ''] of template.matchAll(PLACEHOLDER)) {
    if (!PARAM.test(name)) {
      throw new TypeError(`${where}: {${name}} is not a parameter name (letters, digits, _)`)
    }
    names.push(name)
  }
  return names
}

function fill(template: string, params: Record<string, unknown>, where: string): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const value = Object.hasOwn(params, name) ? params[name] : undefined
    if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) {
      return String(value)
    }
    throw new TypeError(`${where}: parameter ${name} must be a string or a finite number`)
  })
}

function define(name: string, definition: ErrorDefinition) {
  const where = `defineErrors: ${name}`
  if (!isStanzaCondition(definition?.condition)) {
    throw new TypeError(
      `${where}: unknown stanza condition ${JSON.stringify(definition?.condition)}`,
    )
  }
  const { condition, text } = definition
  // One probe checks type, text and languages as StanzaError does, once, at definition.
  const probe = new StanzaError(condition, {
    text,
    ...(definition.type === undefined ? {} : { type: definition.type }),
    stack: false,
  })
  const templates: Array<[string | undefined, string]> =
    typeof text === 'string' ? [[undefined, text]] : Object.entries(text)
  const params = [...new Set(templates.flatMap(([, t]) => paramsOf(t, where)))]
  const factory = (values: Record<string, unknown> = {}, options: CatalogueErrorOptions = {}) => {
    if (typeof values !== 'object' || values === null) {
      throw new TypeError(`${where}: parameters must be an object`)
    }
    const filled = templates.map(([lang, t]) => [lang, fill(t, values, where)] as const)
    return new StanzaError(condition, {
      type: probe.type,
      text:
        typeof text === 'string'
          ? (filled[0]?.[1] ?? '')
          : Object.fromEntries(filled as Array<[string, string]>),
      ...(definition.expose === undefined ? {} : { expose: definition.expose }),
      ...(options.by === undefined ? {} : { by: options.by }),
      ...(options.application === undefined ? {} : { application: options.application }),
      ...('cause' in options ? { cause: options.cause } : {}),
    })
  }
  return Object.freeze(
    Object.assign(factory, {
      errorName: name,
      condition,
      type: probe.type,
      text: typeof text === 'string' ? text : Object.freeze({ ...text }),
      params: Object.freeze(params),
    }),
  )
}

/**
 * A component's own errors, defined once: each a condition and a text template, in one or more
 * languages. `defineErrors({ noSuchNote: { condition: 'item-not-found', text: { en: 'no note
 * named {key}', de: 'keine Notiz namens {key}' } } }).noSuchNote({ key })` is the StanzaError;
 * the parameters are typed from the templates. Bad definitions throw here, not when thrown.
 */
export function defineErrors<const D extends Readonly<Record<string, ErrorDefinition>>>(
  // D is inferred from the argument alone, then each entry is checked against its own condition:
  // an entry with a type its condition does not allow is an error there, the others stay typed.
  definitions: D & Definitions<D>,
): Catalogue<D> {
  if (typeof definitions !== 'object' || definitions === null) {
    throw new TypeError('defineErrors: definitions must be an object of error definitions')
  }
  const catalogue: Record<string, unknown> = {}
  for (const [name, definition] of Object.entries(definitions as Record<string, ErrorDefinition>)) {
    catalogue[name] = define(name, definition)
  }
  return Object.freeze(catalogue) as Catalogue<D>
}

/** Text safe inside a Markdown table cell: no raw markup, no cell breaks. */
function cell(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('|', '\\|')
    .replaceAll('\n', ' ')
}

/**
 * A Markdown table of a catalogue for the component's docs: each error's name, condition, type,
 * parameters and text in every language any of them has.
 */
export function catalogueMarkdown(catalogue: Catalogue<Record<string, ErrorDefinition>>): string {
  const factories = Object.values(catalogue) as Array<ErrorFactory<ErrorDefinition>>
  const languages = [
    ...new Set(factories.flatMap((f) => (typeof f.text === 'string' ? [] : Object.keys(f.text)))),
  ]
  const hasPlain = factories.some((f) => typeof f.text === 'string')
  const columns = hasPlain ? ['Text', ...languages] : languages
  const rfc = (condition: StanzaCondition) =>
    `[§${lookup('stanza', condition).rfc}](https://www.rfc-editor.org/rfc/rfc6120#section-${lookup('stanza', condition).rfc})`
  const lines = [
    `| Error | Condition | Type | Parameters | ${columns.map((c) => (c === 'Text' ? c : `Text (${c})`)).join(' | ')} |`,
    `| --- | --- | --- | --- | ${columns.map(() => '---').join(' | ')} |`,
  ]
  for (const f of factories) {
    const texts = columns.map((c) => {
      const t = typeof f.text === 'string' ? (c === 'Text' ? f.text : undefined) : f.text[c]
      return t === undefined ? '-' : cell(t)
    })
    lines.push(
      `| \`${f.errorName}\` | \`${f.condition}\` (RFC 6120 ${rfc(f.condition)}) | ${f.type} | ${
        f.params.length ? f.params.map((p) => `\`${p}\``).join(', ') : '-'
      } | ${texts.join(' | ')} |`,
    )
  }
  return `${lines.join('\n')}\n`
}
