export interface TokenBucketOptions {
  /** Tokens added per second: the sustained rate allowed. */
  rate: number
  /** Bucket size: how many requests may come at once after a quiet spell. */
  burst: number
  /** Most senders tracked at once; the least recently seen is forgotten first. Default 10,000. */
  maxTracked?: number
  /** Milliseconds, monotonic. Default `performance.now()`. */
  now?: () => number
}

export type Take = { ok: true; left: number } | { ok: false; retryAfterMs: number }

interface Bucket {
  tokens: number
  at: number
}

/**
 * One token bucket per key (a bare JID): each request takes a token, tokens come back at `rate`
 * per second up to `burst`. Memory is bounded by `maxTracked`; forgetting a sender only gives it
 * a full bucket again, which is what a sender that has been quiet that long would have anyway.
 */
export class TokenBuckets {
  readonly rate: number
  readonly burst: number
  readonly maxTracked: number
  readonly #now: () => number
  readonly #buckets = new Map<string, Bucket>()

  constructor(options: TokenBucketOptions) {
    const { rate, burst } = options
    if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError('rate must be > 0')
    if (!(burst >= 1) || !Number.isFinite(burst)) throw new RangeError('burst must be ≥ 1')
    this.rate = rate
    this.burst = burst
    this.maxTracked = options.maxTracked ?? 10_000
    this.#now = options.now ?? (() => performance.now())
  }

  /** Takes a token for `key`, or says how long until one is back. */
  take(key: string): Take {
    const now = this.#now()
    const bucket = this.#buckets.get(key)
    let tokens = this.burst
    if (bucket !== undefined) {
      tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.rate)
      // Re-inserting keeps the map in least-recently-seen order.
      this.#buckets.delete(key)
    }
    if (tokens < 1) {
      this.#buckets.set(key, { tokens, at: now })
      return { ok: false, retryAfterMs: Math.ceil(((1 - tokens) / this.rate) * 1000) }
    }
    this.#buckets.set(key, { tokens: tokens - 1, at: now })
    this.#evict()
    return { ok: true, left: Math.floor(tokens - 1) }
  }

  /** Senders currently tracked. */
  get size(): number {
    return this.#buckets.size
  }

  #evict(): void {
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size <= this.maxTracked) return
      this.#buckets.delete(key)
    }
  }
}
