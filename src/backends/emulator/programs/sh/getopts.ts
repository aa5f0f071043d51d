/**
 * The `getopts` builtin, as entrypoint scripts use it to parse their flags.
 *
 * @module
 */
import type { FdTable } from './io-table.js';
import type { Shell } from './shell.js';

// Where inside a bundled argument (`-abc`) the next option is; per shell, like ash's state.
const positions = new WeakMap<Shell, number>();

/** `getopts OPTSTRING NAME [ARG...]`: sets NAME, OPTARG and OPTIND; 1 when options are done. */
export async function getopts(sh: Shell, argv: string[], io: FdTable): Promise<number> {
  const [, optstring, name, ...given] = argv;
  if (optstring === undefined || name === undefined) {
    await sh.error('usage: getopts optstring var [arg]', io);
    return 2;
  }
  const args = given.length > 0 ? given : sh.params;
  const silent = optstring.startsWith(':');
  let optind = Number(sh.lookup('OPTIND') ?? '1') || 1;
  let pos = positions.get(sh) ?? 1;
  const done = (): number => {
    sh.assign(name, '?');
    sh.assign('OPTIND', String(optind));
    positions.delete(sh);
    return 1;
  };
  const arg = args[optind - 1];
  if (arg === undefined || !arg.startsWith('-') || arg === '-') return done();
  if (arg === '--') {
    optind++;
    return done();
  }
  const letter = arg[pos]!;
  const advance = (): void => {
    pos++;
    if (pos >= arg.length) {
      optind++;
      pos = 1;
    }
  };
  const idx = letter === ':' ? -1 : optstring.indexOf(letter);
  sh.vars.delete('OPTARG');
  if (idx < 0) {
    advance();
    if (silent) sh.assign('OPTARG', letter);
    else await sh.error(`illegal option -- ${letter}`, io);
    sh.assign(name, '?');
  } else if (optstring[idx + 1] === ':') {
    const rest = arg.slice(pos + 1);
    if (rest !== '') {
      sh.assign('OPTARG', rest);
      optind++;
      pos = 1;
      sh.assign(name, letter);
    } else if (args[optind] !== undefined) {
      sh.assign('OPTARG', args[optind]!);
      optind += 2;
      pos = 1;
      sh.assign(name, letter);
    } else {
      optind++;
      pos = 1;
      if (silent) {
        sh.assign('OPTARG', letter);
        sh.assign(name, ':');
      } else {
        await sh.error(`option requires an argument -- ${letter}`, io);
        sh.assign(name, '?');
      }
    }
  } else {
    advance();
    sh.assign(name, letter);
  }
  sh.assign('OPTIND', String(optind));
  positions.set(sh, pos);
  return 0;
}
