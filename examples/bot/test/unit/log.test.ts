import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { LogOutput, type LogSink } from '../../src/log.js'

/** A stdout whose reader takes nothing until told to. */
class StalledPipe extends EventEmitter implements LogSink {
  writableLength = 0
  written = 0

  write(chunk: Uint8Array): boolean {
    this.writableLength += chunk.length
    return false
  }

  /** The reader takes everything, as a pipe that drains. */
  drain(): void {
    this.written += this.writableLength
    this.writableLength = 0
    this.emit('drain')
  }
}

describe('LogOutput', () => {
  it('drops what would pass the bound, counts it, and tells the count once stdout drains', () => {
    const pipe = new StalledPipe()
    const told: number[] = []
    const output = new LogOutput(pipe, { maxQueued: 100, onDropped: (n) => told.push(n) })
    for (let i = 0; i < 10; i++) output.write(`${'x'.repeat(29)}\n`)
    expect(output.queued).toBe(90)
    expect(output.dropped).toBe(7)
    pipe.drain()
    expect(told).toEqual([7])
    expect(output.dropped).toBe(0)
    output.write('y\n')
    expect(output.queued).toBe(2)
  })

  it('drops every line once stdout fails (EPIPE), without throwing', () => {
    const pipe = new StalledPipe()
    const output = new LogOutput(pipe)
    pipe.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))
    output.write('lost\n')
    expect([output.queued, output.dropped]).toEqual([0, 1])
  })

  it('waits for stdout to drain, or gives up after the timeout', async () => {
    const pipe = new StalledPipe()
    const output = new LogOutput(pipe)
    expect(await output.drained(10)).toBe(true)
    output.write('line\n')
    expect(await output.drained(10)).toBe(false)
    const waiting = output.drained(5_000)
    pipe.drain()
    expect(await waiting).toBe(true)
  })

  it('keeps going when the drop report throws', () => {
    const pipe = new StalledPipe()
    const output = new LogOutput(pipe, {
      maxQueued: 1,
      onDropped: () => {
        throw new Error('logger gone')
      },
    })
    output.write('ab')
    expect(() => pipe.drain()).not.toThrow()
  })
})
