// Odd constants: multiplying by an odd number is a bijection modulo any power of two, so
// distinct counter values always give distinct ids, yet consecutive ids look unrelated.
const COUNTER_MIX = 0x9e3779b97f4a7c15n;
const SEED_MIX = 0xd1b54a32d192ed03n;

/**
 * Deterministic ids: a seeded counter mixed into hex digits, so ids look like AWS's
 * (`vpce-0c4d5e6f7a8b9c0d1`) while every run of the same test produces the same ones.
 */
export class IdGenerator {
  private counter = 0;

  constructor(private readonly seed: number) {}

  /** `prefix-` plus 17 lowercase hex digits, the length EC2 issues today. */
  resourceId(prefix: string): string {
    return `${prefix}-${this.hex(17)}`;
  }

  /** `digits` lowercase hex digits; up to 17 of them carry the counter, wider values are zero-padded. */
  hex(digits: number): string {
    this.counter += 1;
    const mask = (1n << BigInt(Math.min(digits, 17) * 4)) - 1n;
    const value = (BigInt(this.counter) * COUNTER_MIX + BigInt(this.seed) * SEED_MIX) & mask;
    return value.toString(16).padStart(digits, '0');
  }

  /** A version-4-shaped UUID, as AWS uses for request ids and SQS message ids. */
  uuid(): string {
    const h = this.hex(16) + this.hex(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}
