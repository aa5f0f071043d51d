/**
 * Validation at the public edge: zod parses inputs once, and a failed parse becomes an
 * {@link InvalidArgumentError} naming the bad field.
 *
 * @module
 */
import { z } from 'zod';
import { EngineError, InvalidArgumentError, type ErrorDetails } from '../errors.js';
import { parseSignal } from '../signals.js';
import { exactSchema } from './exact.js';
import { isUnknownKeyParams, nearestKey, strictObject, type UnknownKeyParams } from './strict.js';

/**
 * Parses `value` with `schema`, or throws InvalidArgumentError whose message and
 * `details.path` name the first bad field (e.g. `spec.ports.0.containerPort`). An unknown key
 * (see {@link strictObject}) is named by its own path, with `details.reason` `unknown-key`,
 * `details.key` and, for a near miss, `details.hint` (`readonly` -> `readOnly`).
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  let result: z.ZodSafeParseResult<z.output<S>>;
  try {
    result = schema.safeParse(value);
  } catch (cause) {
    // Only exotic values get here (a revoked Proxy, a getter that throws): still a bad input.
    throw new InvalidArgumentError(`invalid ${what}: the value could not be read`, { details: { path: what }, cause });
  }
  if (result.success) return result.data;
  const found = explain(result.error.issues, []);
  const path = [what, ...found.path.map(String)].join('.');
  const details: ErrorDetails = { path, issues: result.error.issues };
  if (found.key !== undefined) Object.assign(details, { reason: 'unknown-key', key: found.key }, found.hint === undefined ? {} : { hint: found.hint });
  throw new InvalidArgumentError(`invalid ${path}: ${found.message}`, { details, cause: result.error });
}

/**
 * Checks what a backend returned against the shared schema. A mismatch is the backend's fault,
 * not the caller's: an {@link EngineError} (`details.reason` `malformed-response`) naming the
 * field, never a raw ZodError.
 */
export function parseOutput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const found = explain(result.error.issues, []);
  const path = [what, ...found.path.map(String)].join('.');
  throw new EngineError(`the backend returned an invalid ${path}: ${found.message}`, {
    details: { path, reason: 'malformed-response', issues: result.error.issues },
    cause: result.error,
  });
}

/** The issue worth reporting, with its full path and a message for people. */
interface ExplainedIssue {
  path: PropertyKey[];
  message: string;
  key?: string;
  hint?: string;
}

/** What an issue about the value's own type expected (`string`, `a Readable`), else undefined. */
function expectedOf(issue: z.core.$ZodIssue): string | undefined {
  if (issue.path.length > 0) return undefined;
  if (issue.code === 'invalid_type') return issue.expected;
  if (issue.code === 'custom' && !isUnknownKey(issue)) return /^expected (.+)$/.exec(issue.message)?.[1];
  return undefined;
}

function isUnknownKey(issue: z.core.$ZodIssue): issue is z.core.$ZodIssueCustom & { params: UnknownKeyParams } {
  return issue.code === 'custom' && isUnknownKeyParams(issue.params);
}

/**
 * Chooses what to report: an unknown key first (a typo is the likeliest cause of everything
 * else), else the first issue; a union is explained by the option that got furthest, or, when
 * no option even had the right type, by the types that would do.
 */
function explain(issues: readonly z.core.$ZodIssue[], base: PropertyKey[]): ExplainedIssue {
  const issue = issues.find(isUnknownKey) ?? issues[0];
  if (issue === undefined) return { path: base, message: 'invalid value' };
  const path = [...base, ...issue.path];
  if (isUnknownKey(issue)) {
    const key = String(issue.path[issue.path.length - 1]);
    const hint = nearestKey(key, issue.params.known);
    const known = hint === undefined ? ` (known keys: ${issue.params.known.join(', ')})` : ` (did you mean ${hint}?)`;
    return { path, message: `unknown key${known}`, key, ...(hint === undefined ? {} : { hint }) };
  }
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const informative = issue.errors.filter((option) => option.some((i) => expectedOf(i) === undefined));
    const chosen = informative.find((option) => option.some(isUnknownKey)) ?? informative[0];
    if (chosen !== undefined) return explain(chosen, path);
    // No option got past the type of the value itself: say which types would do.
    const expected = [...new Set(issue.errors.flat().map(expectedOf))];
    const received = issue.errors.flat().map((i) => /received (\w+)/.exec(i.message)?.[1]).find((r) => r !== undefined);
    return { path, message: `expected ${expected.join(' or ')}${received === undefined ? '' : `, received ${received}`}` };
  }
  return { path, message: issue.message };
}

/** The options every async method accepts. */
export interface SignalOptions {
  /** Cancels the operation; it then rejects with AbortError (`cause` = the signal's reason). */
  signal?: AbortSignal;
}

/** Validates {@link SignalOptions}: `{ signal?: AbortSignal }`, accepted by every async method. */
export const SignalOptionSchema = exactSchema<SignalOptions>()(strictObject({
  signal: z.instanceof(AbortSignal).optional(),
}));

/** A non-empty string. */
export const NonEmpty = z.string().min(1);

/** What `get()` takes: a name, an ID or an ID prefix, never empty. */
export const RefInput = z.string().min(1, 'must not be empty');

/** A `Date` or milliseconds since the epoch. */
export const DateLike = z.union([z.date(), z.number()]);

/** A TCP/UDP port number. */
export const PortNumber = z.number().int().min(1).max(65535);

/**
 * A container name as the engine accepts it (a leading `/` allowed), refused in its words:
 * `Invalid container name (a), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed` (one character is
 * too short for its pattern).
 */
export const ContainerName = z.string().superRefine((name, ctx) => {
  if (!/^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(name)) {
    ctx.addIssue({ code: 'custom', message: `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed` });
  }
});

/** A signal as `--stop-signal` takes it (`SIGQUIT`, `quit`, `3`), refused in the engine's words. */
export const SignalName = z.string().superRefine((signal, ctx) => {
  try {
    parseSignal(signal, '');
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
  }
});
