/** A small deterministic pseudo-random generator (mulberry32): the same seed gives the same data. */
export class SeededRandom {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** A number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  /** One element of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
}

const ADJECTIVES = ['quiet', 'rapid', 'curious', 'golden', 'tiny', 'brave', 'lazy', 'clever', 'misty', 'electric', 'ancient', 'cosy'];
const NOUNS = ['river', 'compiler', 'teapot', 'lighthouse', 'falcon', 'pipeline', 'garden', 'glacier', 'robot', 'library', 'harbour', 'comet'];
const VERBS = ['meets', 'rebuilds', 'ignores', 'celebrates', 'explains', 'outruns', 'rescues', 'questions'];

/** A synthetic post title, e.g. `The curious falcon rebuilds a misty pipeline`. */
export function syntheticTitle(random: SeededRandom): string {
  return `The ${random.pick(ADJECTIVES)} ${random.pick(NOUNS)} ${random.pick(VERBS)} a ${random.pick(ADJECTIVES)} ${random.pick(NOUNS)}`;
}

/** A synthetic username, e.g. `misty_comet_42`. */
export function syntheticAuthor(random: SeededRandom): string {
  return `${random.pick(ADJECTIVES)}_${random.pick(NOUNS)}_${random.int(1, 99)}`;
}

/** A synthetic comment body. */
export function syntheticBody(random: SeededRandom): string {
  return `This ${random.pick(NOUNS)} ${random.pick(VERBS)} my ${random.pick(ADJECTIVES)} ${random.pick(NOUNS)}.`;
}
