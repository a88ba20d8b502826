import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig, MAX_VALUE_CEILING, parseService } from '../../src/config.js'

const valid = {
  BOT_SERVICE: 'xmpp://127.0.0.1:5347',
  BOT_DOMAIN: 'Notes.Example.org',
  BOT_SECRET: 's3cret',
}

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
  throw new Error('no ConfigError')
}

describe('loadConfig', () => {
  it('reads a minimal environment, with defaults', () => {
    const config = loadConfig(valid)
    expect(config).toMatchObject({
      service: 'xmpp://127.0.0.1:5347',
      host: '127.0.0.1',
      port: 5347,
      domain: 'notes.example.org',
      secret: 's3cret',
      maxKeys: 100,
      maxValueLength: 1024,
      maxEditors: 32,
      rate: 5,
      burst: 20,
      errorLimit: 20,
      logLevel: 'info',
    })
    expect([...config.admins]).toEqual([])
  })

  it('reads admins and limits', () => {
    const config = loadConfig({
      ...valid,
      BOT_ADMINS: ' alice@example.org, Bob@Example.org ,',
      BOT_MAX_KEYS: '5',
      BOT_MAX_VALUE_LENGTH: '200',
      BOT_MAX_EDITORS: '4',
      BOT_RATE: '20',
      BOT_BURST: '40',
      BOT_ERROR_LIMIT: '0',
      BOT_LOG_LEVEL: 'debug',
    })
    expect([...config.admins]).toEqual(['alice@example.org', 'bob@example.org'])
    expect(config).toMatchObject({
      maxKeys: 5,
      maxValueLength: 200,
      maxEditors: 4,
      rate: 20,
      burst: 40,
      errorLimit: 0,
    })
    expect(config.logLevel).toBe('debug')
  })

  it('keeps a note small enough to go out in one stanza', () => {
    expect(MAX_VALUE_CEILING).toBe(49_152)
    expect(loadConfig({ ...valid, BOT_MAX_VALUE_LENGTH: '49152' }).maxValueLength).toBe(49_152)
    expect(problems({ ...valid, BOT_MAX_VALUE_LENGTH: '49153' })).toEqual([
      'BOT_MAX_VALUE_LENGTH must be a whole number from 1 to 49152, not "49153"',
    ])
  })

  it('names every missing variable at once, saying what it should hold', () => {
    expect(problems({})).toEqual([
      "BOT_SERVICE is not set: the server's component port as xmpp://host:port, e.g. xmpp://127.0.0.1:5347",
      "BOT_DOMAIN is not set: the component's domain, e.g. notes.example.org",
      "BOT_SECRET is not set: the component's shared secret, as in the server config",
    ])
  })

  it('explains wrong values', () => {
    const found = problems({
      BOT_SERVICE: 'localhost:5347',
      BOT_DOMAIN: 'not a domain',
      BOT_SECRET: 'x',
      BOT_ADMINS: 'alice@example.org/phone,@x,bob',
      BOT_MAX_KEYS: '-1',
      BOT_RATE: '2.5',
      BOT_ERROR_LIMIT: 'lots',
      BOT_LOG_LEVEL: 'loud',
    })
    expect(found).toEqual([
      'BOT_SERVICE: "localhost:5347" uses localhost:, not xmpp:; expected xmpp://host:port, e.g. xmpp://127.0.0.1:5347',
      'BOT_DOMAIN: "not a domain" is not a domain name',
      'BOT_ADMINS: "alice@example.org/phone" is not a bare JID like user@domain',
      'BOT_ADMINS: "@x" is not a JID (the part before @ is empty)',
      'BOT_ADMINS: "bob" is not a bare JID like user@domain',
      'BOT_MAX_KEYS must be a whole number from 1 to 1000000, not "-1"',
      'BOT_RATE must be a whole number from 1 to 100000, not "2.5"',
      'BOT_ERROR_LIMIT must be a whole number from 0 to 100000, not "lots"',
      'BOT_LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent, not "loud"',
    ])
  })

  it('puts the problems in the error message', () => {
    expect(() => loadConfig({})).toThrow(/invalid configuration:\n {2}- BOT_SERVICE is not set/)
  })
})

describe('parseService', () => {
  it.each([
    ['xmpp://127.0.0.1:5347', { host: '127.0.0.1', port: 5347 }],
    ['xmpp://example.org', { host: 'example.org', port: 5347 }],
    ['xmpp://example.org:5348/', { host: 'example.org', port: 5348 }],
    ['xmpp://[::1]:5347', { host: '[::1]', port: 5347 }],
  ])('reads %s', (value, expected) => {
    expect(parseService(value)).toEqual(expected)
  })

  it.each([
    ['127.0.0.1:5347', 'is not a URL'],
    ['http://example.org:5347', 'uses http:, not xmpp:'],
    ['xmpp://example.org:99999', 'is not a URL'],
    ['xmpp://example.org/path', 'more than a host and port'],
    ['xmpp://user:pw@example.org', 'more than a host and port'],
    ['xmpp://example.org?x', 'query or fragment'],
    ['xmpp:example.org', 'names no host'],
  ])('explains %s', (value, problem) => {
    const result = parseService(value)
    expect(typeof result).toBe('string')
    expect(result).toContain(problem)
    expect(result).toContain('expected xmpp://host:port')
  })
})
