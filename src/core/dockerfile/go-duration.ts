/**
 * Go's `time.ParseDuration`, for HEALTHCHECK flags (`--interval=1m30s`).
 *
 * @module
 */

const unitNs: Record<string, number> = {
  ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9,
};

/**
 * Parses a Go duration string (`300ms`, `1.5h`, `2h45m`, `0`) into nanoseconds.
 *
 * @returns undefined when the string is not a valid duration (the caller words the error).
 */
export function parseGoDuration(s: string): number | undefined {
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  const re = /^([0-9]*(?:\.[0-9]*)?)([a-zµμ]+)/u;
  while (rest !== '') {
    const m = re.exec(rest);
    if (!m) return undefined;
    const num = m[1] ?? '';
    const unit = unitNs[m[2] ?? ''];
    if (num === '' || num === '.' || unit === undefined) return undefined;
    total += Number(num) * unit;
    rest = rest.slice(m[0].length);
  }
  return sign * Math.round(total);
}
