export interface RateLimitOptions {
  /** Error replies one sender may receive per window. */
  max: number
  /** Window length in milliseconds. */
  windowMs: number
  /** Senders tracked per window; beyond it, new senders are not limited (memory stays bounded). */
  maxSenders: number
}

export const defaultRateLimit: Readonly<RateLimitOptions> = {
  max: 20,
  windowMs: 10_000,
  maxSenders: 10_000,
}

/** What a limit has counted, read-only: the figures, never the limiter. */
export interface RateLimitCounts {
  /** The options in force, defaults filled in. */
  readonly options: Readonly<RateLimitOptions>
  /** Error replies dropped since the limit was made. */
  readonly dropped: number
  /** Senders counted in the current window: at most `maxSenders`. */
  readonly senders: number
}

/** What to do with the next error reply to a sender. */
export type Verdict = 'reply' | 'last-warning' | 'drop'

/**
 * Fixed-window counter of error replies per sender. No timer: the window rolls over on the
 * first check after it ends, so an idle component holds nothing and schedules nothing.
 */
export class ErrorRateLimit {
  readonly options: RateLimitOptions
  /** Error replies dropped since creation. */
  dropped = 0
  private counts = new Map<string, number>()
  private windowStart = 0

  constructor(options: Partial<RateLimitOptions> = {}) {
    this.options = { ...defaultRateLimit, ...options }
  }

  /** A live read-only view of what this limit counts. */
  counted(): RateLimitCounts {
    const limit = this
    return {
      options: Object.freeze({ ...limit.options }),
      get dropped() {
        return limit.dropped
      },
      get senders() {
        return limit.counts.size
      },
    }
  }

  check(sender: string, now: number): Verdict {
    const { max, windowMs, maxSenders } = this.options
    if (now - this.windowStart >= windowMs) {
      this.counts.clear()
      this.windowStart = now
    }
    const count = (this.counts.get(sender) ?? 0) + 1
    if (count === 1 && this.counts.size >= maxSenders) return 'reply'
    this.counts.set(sender, count)
    if (count <= max) return 'reply'
    if (count === max + 1) return 'last-warning'
    this.dropped += 1
    return 'drop'
  }
}
