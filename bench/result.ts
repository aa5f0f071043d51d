/**
 * The shape every benchmark reports, so `bench/run.ts` and the README table read them alike.
 *
 * @module
 */

/**
 * One benchmark figure: our measurement, the peer's measured in the same run, and their ratio.
 *
 * `ratio` is ours/peer in the direction given by `unit` (for times, lower is better); `peer` and
 * `ratio` are `null` when there is no peer to compare with.
 */
export interface BenchResult { name: string; ours: number; peer: number | null; unit: string; ratio: number | null; note?: string }
