export interface RateLimitOptions {
  /** Error replies one sender may receive per window. */
  max: number
  /** Window length in milliseconds. */
  windowMs: number
  /**
   * Senders counted apart per window; beyond it, new senders share one count (see `ErrorRateLimit`), so
   * memory stays bounded and no sender escapes the limit.
   */
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
 *
 * The first `maxSenders` senders of a window get a count each; every later sender in that
 * window counts against one shared count, the overflow, with the same `max`. A peer that
 * picks its own addresses (a server names its own localparts, and its domains too) can fill
 * the table, but gains nothing by it: past the table its senders share `max` replies in all.
 * Evicting the oldest count instead would let a flooder reset its own by cycling addresses; a
 * count per domain bounds nothing against a peer that also picks subdomains.
 */
export class ErrorRateLimit {
  readonly options: RateLimitOptions
  /** Error replies dropped since creation. */
  dropped = 0
  private counts = new Map<string, number>()
  /** What the senders past `maxSenders` received together in this window. */
  private overflow = 0
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
      this.overflow = 0
      this.windowStart = now
    }
    const counted = this.counts.get(sender)
    let count: number
    if (counted === undefined && this.counts.size >= maxSenders) {
      count = ++this.overflow
    } else {
      count = (counted ?? 0) + 1
      this.counts.set(sender, count)
    }
    if (count <= max) return 'reply'
    if (count === max + 1) return 'last-warning'
    this.dropped += 1
    return 'drop'
  }
}
