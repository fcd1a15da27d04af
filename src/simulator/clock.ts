/** The simulator's own clock, possibly skewed from the host's to test clock-skew handling. */
export interface Clock {
  /** Milliseconds since the epoch on the simulator's clock. */
  nowMs(): number
  /** Whole seconds since the epoch, as JWT `iat`/`exp` use them. */
  nowSeconds(): number
}

export function createClock(offsetSeconds: number): Clock {
  const nowMs = (): number => Date.now() + offsetSeconds * 1000
  return { nowMs, nowSeconds: () => Math.floor(nowMs() / 1000) }
}
