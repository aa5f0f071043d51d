/**
 * Structural checks for the printers and the instructions view, which take parsed
 * Dockerfiles back as input: anything that is not shaped like parseDockerfile's output is an
 * InvalidArgumentError naming the field, not a TypeError from deep inside a printer.
 *
 * @module
 */
import { z } from 'zod';
import { InvalidArgumentError } from '../errors.js';
import { parseInput } from '../schemas/validate.js';
import type { DockerfileDirectives, Instruction } from './types.js';

const HeredocSchema = z.object({
  name: z.string(),
  content: z.string(),
  expand: z.boolean(),
  chomp: z.boolean(),
  fileDescriptor: z.number().int().optional(),
});

// Not strict: an Instruction may come from an older or newer parser with fields these
// functions do not read; only what they read must be right.
const InstructionSchema: z.ZodType<Instruction> = z.lazy(() => z.object({
  keyword: z.string(),
  flags: z.array(z.string()),
  args: z.array(z.string()),
  json: z.boolean(),
  line: z.number(),
  endLine: z.number(),
  original: z.string(),
  heredocs: z.array(HeredocSchema).optional(),
  trigger: InstructionSchema.optional(),
  legacyKeyValue: z.boolean().optional(),
}));

const InstructionsSchema = z.array(InstructionSchema);

const DirectivesSchema = z.object({
  syntax: z.string().optional(),
  escape: z.enum(['\\', '`']).optional(),
  check: z.string().optional(),
});

/** Checks a list of parsed instructions. */
export function checkInstructions(value: unknown, path: string): void {
  parseInput(InstructionsSchema, value, path);
}

/**
 * Checks the parts of a parsed Dockerfile a printer reads (`instructions`, and `directives`
 * when asked), without touching the rest (its `stages` view is computed on access and may
 * throw on its own).
 */
export function checkParsedDockerfile(df: unknown, withDirectives: boolean): void {
  if (typeof df !== 'object' || df === null) {
    throw new InvalidArgumentError(`invalid dockerfile: expected a parsed Dockerfile (from parseDockerfile), received ${df === null ? 'null' : typeof df}`, {
      details: { path: 'dockerfile' },
    });
  }
  const { instructions, directives } = df as { instructions?: unknown; directives?: DockerfileDirectives };
  checkInstructions(instructions, 'dockerfile.instructions');
  if (withDirectives) parseInput(DirectivesSchema, directives, 'dockerfile.directives');
}
