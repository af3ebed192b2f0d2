/**
 * Preloaded into a chaos process with `node --import` to shift its wall clock by CHAOS_CLOCK_SKEW_MS
 * (a machine whose clock is off): `Date.now()` and `new Date()` move, parsing explicit dates and the
 * monotonic `performance.now()` do not. Harness-only; nothing in Sluice reads this variable.
 */
const skewMs = Number(process.env.CHAOS_CLOCK_SKEW_MS ?? 0);
if (Number.isFinite(skewMs) && skewMs !== 0) {
  const RealDate = globalThis.Date;
  class SkewedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + skewMs);
      else super(...args);
    }
    static now() {
      return RealDate.now() + skewMs;
    }
  }
  globalThis.Date = SkewedDate;
}
