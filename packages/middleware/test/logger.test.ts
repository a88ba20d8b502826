import { describe, expect, it } from 'vitest'
import { consoleLogger, defaultLogger, stderrLogger } from '../src/logger.js'

/** The default logger, writing into an array instead of stderr. */
function capture() {
  const lines: string[] = []
  const logger = stderrLogger((line) => lines.push(line))
  const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>)
  return { lines, logger, parsed }
}

describe('the default logger', () => {
  it('writes one JSON line per warning or error, with the level, a time and the message', () => {
    const { lines, logger, parsed } = capture()
    logger.warn({ xmpp: { condition: 'item-not-found' } }, 'item-not-found replied to iq get')
    logger.error({ action: 'reply' }, 'internal-server-error replied to iq get')
    expect(lines).toHaveLength(2)
    for (const line of lines) expect(line.endsWith('}\n')).toBe(true)
    expect(parsed()).toEqual([
      {
        level: 'warn',
        time: expect.any(Number),
        xmpp: { condition: 'item-not-found' },
        msg: 'item-not-found replied to iq get',
      },
      {
        level: 'error',
        time: expect.any(Number),
        action: 'reply',
        msg: 'internal-server-error replied to iq get',
      },
    ])
  })

  it('leaves debug records out, to keep stderr quiet', () => {
    const { lines, logger } = capture()
    logger.debug({ action: 'observe' }, 'received stanza error')
    expect(lines).toEqual([])
  })

  it('writes an error with its type, message, stack and cause', () => {
    const { logger, parsed } = capture()
    const cause = new RangeError('deep down')
    logger.error({ err: new TypeError('it broke', { cause }) }, 'unhandled exception')
    const [line] = parsed()
    expect(line?.err).toEqual({
      type: 'TypeError',
      message: 'it broke',
      stack: expect.stringContaining('TypeError: it broke'),
      cause: {
        type: 'RangeError',
        message: 'deep down',
        stack: expect.stringContaining('RangeError: deep down'),
      },
    })
  })

  it('writes a cycle once and values JSON has no form for as strings', () => {
    const { logger, parsed } = capture()
    const cyclic: Record<string, unknown> = { name: 'loop' }
    cyclic.self = cyclic
    const error = new Error('cyclic cause')
    ;(error as { cause?: unknown }).cause = error
    logger.warn(
      { cyclic, error, big: 10n, symbol: Symbol('s'), fn: function named() {}, list: [1, 2n] },
      'odd values',
    )
    const [line] = parsed()
    expect(line?.cyclic).toEqual({ name: 'loop', self: '[Circular]' })
    expect(line?.error).toMatchObject({ message: 'cyclic cause', cause: '[Circular]' })
    expect(line?.big).toBe('10')
    expect(line?.symbol).toBe('Symbol(s)')
    expect(line?.fn).toEqual(expect.stringContaining('function named'))
    expect(line?.list).toEqual([1, '2'])
  })

  it('writes an object whose getter throws as unserialisable, and still writes the line', () => {
    const { lines, logger, parsed } = capture()
    const hostile = {
      get boom(): never {
        throw new Error('getter')
      },
    }
    expect(() => logger.error({ hostile, kept: 'yes' }, 'hostile value')).not.toThrow()
    expect(lines).toHaveLength(1)
    expect(parsed()[0]).toMatchObject({ hostile: '[Unserialisable]', kept: 'yes' })
  })
})

describe('the default logger without stderr (a browser)', () => {
  it('writes to the console: the message, then the record', () => {
    const calls: unknown[][] = []
    const logger = consoleLogger({
      warn: (...args: unknown[]) => calls.push(['warn', ...args]),
      error: (...args: unknown[]) => calls.push(['error', ...args]),
    })
    logger.debug({ a: 1 }, 'not shown')
    logger.warn({ xmpp: { condition: 'item-not-found' } }, 'item-not-found replied')
    logger.error({ action: 'reply' }, 'internal-server-error replied')
    expect(calls).toEqual([
      ['warn', 'item-not-found replied', { xmpp: { condition: 'item-not-found' } }],
      ['error', 'internal-server-error replied', { action: 'reply' }],
    ])
  })

  it('is the default where there is no process.stderr', () => {
    const warn = console.warn
    const stderr = Object.getOwnPropertyDescriptor(process, 'stderr')
    const seen: unknown[][] = []
    console.warn = (...args: unknown[]) => seen.push(args)
    Object.defineProperty(process, 'stderr', { value: undefined, configurable: true })
    try {
      defaultLogger().warn({ n: 1 }, 'to the console')
    } finally {
      if (stderr) Object.defineProperty(process, 'stderr', stderr)
      console.warn = warn
    }
    expect(seen).toEqual([['to the console', { n: 1 }]])
  })
})
