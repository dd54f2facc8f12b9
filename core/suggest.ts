/**
 * "Did you mean …?": the known word closest to a mistyped one (a key of envknit.yaml, a command,
 * an option), by edit distance with adjacent transpositions counted as one edit.
 *
 * @module
 */

/**
 * The optimal-string-alignment distance between `a` and `b`: insertions, deletions, substitutions
 * and swaps of two neighbouring characters each cost 1.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => {
    const row = new Array<number>(cols).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j < cols; j++) d[0][j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidate closest to `word` (case ignored), or null when none is close enough to be what was
 * meant: at most a third of the word's length in edits (at least 1), or the word is a prefix of
 * exactly one candidate. Ties go to the first candidate.
 */
export function closest(word: string, candidates: Iterable<string>): string | null {
  const w = word.toLowerCase();
  if (w === "") return null;
  const limit = Math.max(1, Math.floor(w.length / 3));
  let best: string | null = null;
  let bestDistance = Infinity;
  const prefixed: string[] = [];
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    if (c.startsWith(w)) prefixed.push(candidate);
    const distance = editDistance(w, c);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (bestDistance <= limit) return best;
  return prefixed.length === 1 ? prefixed[0] : null;
}

/**
 * `"; did you mean 'x'?"` for the closest candidate (with `prefix` before it, e.g. `--`), or ""
 * when there is none: the end of a one-line error message.
 */
export function didYouMean(word: string, candidates: Iterable<string>, prefix = ""): string {
  const match = closest(word, candidates);
  return match === null ? "" : `; did you mean '${prefix}${match}'?`;
}
