/**
 * Random container names in Docker's `adjective_surname` form (moby's namesgenerator style),
 * for backends that name containers themselves.
 *
 * @module
 */
import { randomInt } from 'node:crypto';

// A subset of the lists in moby's pkg/namesgenerator: same style, shorter.
const adjectives = [
  'admiring', 'adoring', 'affectionate', 'amazing', 'awesome', 'blissful', 'bold', 'brave',
  'charming', 'clever', 'compassionate', 'competent', 'confident', 'cool', 'dazzling', 'determined',
  'eager', 'ecstatic', 'elegant', 'epic', 'festive', 'focused', 'friendly', 'gallant', 'gifted',
  'goofy', 'gracious', 'happy', 'hopeful', 'inspiring', 'jolly', 'keen', 'kind', 'laughing',
  'loving', 'lucid', 'magical', 'modest', 'musing', 'nervous', 'nice', 'nifty', 'nostalgic',
  'objective', 'optimistic', 'peaceful', 'pensive', 'practical', 'priceless', 'quirky', 'relaxed',
  'romantic', 'serene', 'sharp', 'silly', 'sleepy', 'stoic', 'strange', 'sweet', 'tender',
  'thirsty', 'trusting', 'upbeat', 'vibrant', 'vigilant', 'wizardly', 'wonderful', 'youthful', 'zealous',
];
const surnames = [
  'albattani', 'allen', 'archimedes', 'babbage', 'banach', 'bardeen', 'bell', 'bhabha', 'blackwell',
  'bohr', 'booth', 'cannon', 'carson', 'cerf', 'curie', 'darwin', 'davinci', 'dijkstra', 'einstein',
  'elion', 'euclid', 'euler', 'fermat', 'feynman', 'franklin', 'galileo', 'gauss', 'goldberg',
  'goodall', 'hamilton', 'hawking', 'heisenberg', 'hopper', 'hypatia', 'jackson', 'jepsen', 'kepler',
  'khorana', 'knuth', 'lamarr', 'leakey', 'lovelace', 'mayer', 'mccarthy', 'meitner', 'mendel',
  'morse', 'newton', 'nobel', 'noether', 'pascal', 'pasteur', 'payne', 'perlman', 'ptolemy',
  'ritchie', 'shannon', 'shaw', 'sinoussi', 'tesla', 'thompson', 'torvalds', 'turing', 'varahamihira',
  'volhard', 'wiles', 'williams', 'wozniak', 'wright', 'yalow', 'yonath',
];

/**
 * Picks a random `adjective_surname` name that `taken` does not hold; after a few clashes
 * a digit is appended, as moby's generator does on retry.
 */
export function randomContainerName(taken: (name: string) => boolean): string {
  for (let attempt = 0; ; attempt++) {
    const base = `${adjectives[randomInt(adjectives.length)]!}_${surnames[randomInt(surnames.length)]!}`;
    const name = attempt < 5 ? base : `${base}${randomInt(10)}`;
    if (!taken(name)) return name;
  }
}
