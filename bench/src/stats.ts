/** Median, quartiles and extremes of a sample: what every figure of the bench is reported as. */
export interface Summary {
  median: number
  q1: number
  q3: number
  min: number
  max: number
  n: number
}

/** Linear interpolation between closest ranks (the R-7 / NumPy default). */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const at = (sorted.length - 1) * p
  const lo = Math.floor(at)
  const hi = Math.ceil(at)
  const a = sorted[lo] ?? Number.NaN
  const b = sorted[hi] ?? Number.NaN
  return a + (b - a) * (at - lo)
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b)
  return {
    median: quantile(sorted, 0.5),
    q1: quantile(sorted, 0.25),
    q3: quantile(sorted, 0.75),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    n: sorted.length,
  }
}

/** Element-wise a[i] / b[i]: the per-round ratios of two variants measured side by side. */
export function ratios(a: readonly number[], b: readonly number[]): number[] {
  return a.map((x, i) => x / (b[i] ?? Number.NaN))
}

export function isFinitePositive(value: number): boolean {
  return Number.isFinite(value) && value > 0
}
