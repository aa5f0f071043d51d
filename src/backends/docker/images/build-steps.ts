/**
 * Reading the classic builder's output: `Step N/M : INSTR` headers, ` ---> Using cache`
 * markers, and which Dockerfile features Engine 20.10's classic builder cannot run.
 *
 * @module
 */
import type { BuildStep } from '../../../core/schemas/index.js';
import { parseDockerfile } from '../../../core/dockerfile/parser.js';

/** Incrementally turns build output text into steps (text may arrive in any pieces). */
export class BuildStepParser {
  /** The steps seen so far, in order. */
  readonly steps: BuildStep[] = [];
  /** The last output lines of the current step (for a failure's `details.output`). */
  readonly tail: string[] = [];
  #buffer = '';

  /** Feeds output text. */
  push(text: string): void {
    this.#buffer += text;
    let nl: number;
    while ((nl = this.#buffer.indexOf('\n')) >= 0) {
      this.#line(this.#buffer.slice(0, nl));
      this.#buffer = this.#buffer.slice(nl + 1);
    }
  }

  /** Flushes a last line without a newline. */
  end(): BuildStep[] {
    if (this.#buffer !== '') this.#line(this.#buffer);
    this.#buffer = '';
    return this.steps;
  }

  /** The step being run, for naming a failure. */
  get current(): { index: number; instruction: string } | undefined {
    const last = this.steps[this.steps.length - 1];
    return last ? { index: this.steps.length, instruction: last.instruction } : undefined;
  }

  #line(line: string): void {
    const header = /^Step \d+\/\d+ : (.*)$/.exec(line.replace(/\r$/, ''));
    if (header) {
      // FROM builds nothing, so it counts as cached (the emulator and native report it so too).
      this.steps.push({ instruction: header[1]!, cached: /^FROM\s/i.test(header[1]!) });
      this.tail.length = 0;
      return;
    }
    const last = this.steps[this.steps.length - 1];
    if (last && /^ ---> Using cache\s*$/.test(line)) last.cached = true;
    else if (!/^ ---> /.test(line) && !/^Removing intermediate container /.test(line)) {
      this.tail.push(line);
      if (this.tail.length > 20) this.tail.shift();
    }
  }
}

/** Parses a whole build output at once. */
export function parseBuildSteps(output: string): BuildStep[] {
  const parser = new BuildStepParser();
  parser.push(output);
  return parser.end();
}

/** A Dockerfile feature the classic builder lacks, with where it is used. */
export interface UnsupportedBuildFeature {
  /** `heredocs` or `RUN --mount`. */
  feature: 'heredocs' | 'RUN --mount';
  /** 1-based line of the instruction. */
  line: number;
  /** The instruction's keyword. */
  keyword: string;
}

/**
 * Finds heredocs and `RUN --mount` in a Dockerfile: the classic builder (Engine 20.10's
 * `/build`) would misread them rather than fail clearly.
 */
export function findUnsupportedBuildFeatures(dockerfile: string): UnsupportedBuildFeature[] {
  const found: UnsupportedBuildFeature[] = [];
  for (const ins of parseDockerfile(dockerfile).instructions) {
    if (ins.heredocs && ins.heredocs.length > 0) found.push({ feature: 'heredocs', line: ins.line, keyword: ins.keyword });
    if (ins.keyword === 'RUN' && ins.flags.some((f) => f.startsWith('--mount'))) found.push({ feature: 'RUN --mount', line: ins.line, keyword: ins.keyword });
  }
  return found;
}
