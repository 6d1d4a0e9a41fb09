import type { AwsError } from '../aws-error.ts';
import type { Params } from '../protocols/protocol.ts';

// Decimal text, plus the non-finite spellings JSON protocols use for doubles.
const NUMBER = /^(?:[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|NaN|-?Infinity)$/;

/** How a service words a missing or malformed parameter (ValidationError, MissingParameter…). */
export interface ParamErrors {
  missing(name: string): AwsError;
  invalid(name: string, value: unknown): AwsError;
}

/**
 * Typed access to decoded params. Query protocols deliver every scalar as a string and JSON
 * protocols deliver typed values; the readers accept both, so services read one way.
 * Nested readers carry their path (`Targets.2.Port`) into error messages.
 */
export class ParamReader {
  constructor(
    private readonly params: Params,
    private readonly errors: ParamErrors,
    private readonly path = '',
  ) {}

  has(name: string): boolean {
    const value = this.params[name];
    return value !== undefined && value !== null;
  }

  str(name: string): string {
    const value = this.optStr(name);
    if (value === undefined || value === '') throw this.errors.missing(this.path + name);
    return value;
  }

  optStr(name: string): string | undefined {
    const value = this.params[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw this.errors.invalid(this.path + name, value);
  }

  optNumber(name: string): number | undefined {
    const value = this.params[name];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'number') return value;
    if (typeof value === 'string' && NUMBER.test(value)) return Number(value);
    throw this.errors.invalid(this.path + name, value);
  }

  optInt(name: string): number | undefined {
    const value = this.optNumber(name);
    if (value !== undefined && !Number.isInteger(value)) throw this.errors.invalid(this.path + name, value);
    return value;
  }

  int(name: string): number {
    const value = this.optInt(name);
    if (value === undefined) throw this.errors.missing(this.path + name);
    return value;
  }

  optBool(name: string): boolean | undefined {
    const value = this.params[name];
    if (value === undefined || value === null) return undefined;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    throw this.errors.invalid(this.path + name, value);
  }

  /** A timestamp in ms: JSON protocols send epoch seconds, query protocols ISO 8601. */
  optTime(name: string): number | undefined {
    const value = this.params[name];
    if (value === undefined || value === null) return undefined;
    const ms =
      typeof value === 'number' ? value * 1000 : typeof value === 'string' ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(ms)) throw this.errors.invalid(this.path + name, value);
    return ms;
  }

  time(name: string): number {
    const value = this.optTime(name);
    if (value === undefined) throw this.errors.missing(this.path + name);
    return value;
  }

  /** A list of strings; absent or the empty-list marker (`Name=`) reads as []. */
  strList(name: string): string[] {
    return this.items(name).map((item, i) => {
      if (typeof item === 'string') return item;
      throw this.errors.invalid(`${this.path}${name}.${i + 1}`, item);
    });
  }

  /** A list of numbers (JSON numbers, or decimal strings from a query protocol). */
  numList(name: string): number[] {
    return this.items(name).map((item, i) => {
      const label = `${this.path}${name}.${i + 1}`;
      if (typeof item === 'number') return item;
      if (typeof item === 'string' && NUMBER.test(item)) return Number(item);
      throw this.errors.invalid(label, item);
    });
  }

  /** A list of structures, each with its own reader. */
  list(name: string): ParamReader[] {
    return this.items(name).map((item, i) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        throw this.errors.invalid(`${this.path}${name}.${i + 1}`, item);
      }
      return new ParamReader(item as Params, this.errors, `${this.path}${name}.${i + 1}.`);
    });
  }

  optChild(name: string): ParamReader | undefined {
    const value = this.params[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) throw this.errors.invalid(this.path + name, value);
    return new ParamReader(value as Params, this.errors, `${this.path}${name}.`);
  }

  /** A JSON map of strings (SQS queue Attributes). */
  strMap(name: string): Record<string, string> {
    return Object.fromEntries(
      this.entries(name).map(([key, value]) => {
        if (typeof value !== 'string') throw this.errors.invalid(`${this.path}${name}.${key}`, value);
        return [key, value];
      }),
    );
  }

  /** A JSON map of structures (SQS MessageAttributes): entry name -> reader. */
  map(name: string): [string, ParamReader][] {
    return this.entries(name).map(([key, entry]) => {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
        throw this.errors.invalid(`${this.path}${name}.${key}`, entry);
      }
      return [key, new ParamReader(entry as Params, this.errors, `${this.path}${name}.${key}.`)];
    });
  }

  private entries(name: string): [string, unknown][] {
    const value = this.params[name];
    if (value === undefined || value === null) return [];
    if (typeof value !== 'object' || Array.isArray(value)) throw this.errors.invalid(this.path + name, value);
    return Object.entries(value);
  }

  private items(name: string): unknown[] {
    const value = this.params[name];
    if (value === undefined || value === null || value === '') return [];
    if (!Array.isArray(value)) throw this.errors.invalid(this.path + name, value);
    return value;
  }
}
