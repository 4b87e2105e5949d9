/**
 * Multinomial naive Bayes over a document's distinct terms (the "binarised" variant: a term counts once per
 * document, which suits short citizen messages better than raw counts, where one repeated word would dominate).
 *
 * Training counts, for every label c, how many documents carry it (the prior) and how often each term t occurs in
 * its documents; P(t | c) = (count(t, c) + α) / (total(c) + α·|V|) with Laplace smoothing α. Classifying sums
 * log P(c) + Σ log P(t | c) over the document's terms that the model knows (unknown terms say nothing about any
 * label and are skipped), and the softmax of those sums is the posterior.
 *
 * Naive Bayes is notoriously over-confident on long texts, because it treats every term as independent evidence.
 * The evidence is therefore divided by max(1, n / EVIDENCE_TERMS) for a text of n known terms: a long e-mail counts
 * as strongly as a text of EVIDENCE_TERMS terms, so its confidence stays comparable with a one-line question's.
 */

export interface NaiveBayesModel {
  labels: string[];
  /** log P(c), by label index. */
  logPrior: number[];
  /** log P(t | c) for every known term, by label index. */
  logLikelihood: Record<string, number[]>;
}

export interface Distribution {
  /** Labels with their posterior probability, most probable first. */
  ranked: Array<{ label: string; p: number }>;
  /** How many of the document's terms the model knows. */
  knownTerms: number;
}

export const EVIDENCE_TERMS = 8;

/**
 * `uniformPrior`: every label is equally likely before the text is read. Right when how many examples a label has
 * says how many were written for it, not how often citizens need it.
 */
export function trainNaiveBayes(
  docs: Array<{ terms: string[]; label: string; weight?: number }>,
  options: { alpha?: number; uniformPrior?: boolean } = {},
): NaiveBayesModel {
  const alpha = options.alpha ?? 1;
  const labels = [...new Set(docs.map((d) => d.label))].sort();
  const index = new Map(labels.map((l, i) => [l, i]));
  const docCount = new Array<number>(labels.length).fill(0);
  const termTotal = new Array<number>(labels.length).fill(0);
  const counts = new Map<string, number[]>();
  for (const d of docs) {
    const c = index.get(d.label)!;
    const w = d.weight ?? 1;
    docCount[c] += w;
    for (const t of new Set(d.terms)) {
      let row = counts.get(t);
      if (!row) counts.set(t, (row = new Array<number>(labels.length).fill(0)));
      row[c] += w;
      termTotal[c] += w;
    }
  }
  const vocabulary = counts.size;
  const logLikelihood: Record<string, number[]> = {};
  for (const [t, row] of counts) {
    // Four decimals are far below what separates two labels, and halve the stored model.
    logLikelihood[t] = row.map((n, c) => Math.round(Math.log((n + alpha) / (termTotal[c] + alpha * vocabulary)) * 1e4) / 1e4);
  }
  const total = docCount.reduce((a, b) => a + b, 0);
  const logPrior = docCount.map((n) => (options.uniformPrior ? -Math.log(labels.length) : Math.log(n / total)));
  return { labels, logPrior, logLikelihood };
}

export function predictNaiveBayes(model: NaiveBayesModel, terms: string[], allowed?: (label: string) => boolean): Distribution {
  const scores = [...model.logPrior];
  const known = [...new Set(terms)].filter((t) => model.logLikelihood[t] !== undefined);
  const weight = 1 / Math.max(1, known.length / EVIDENCE_TERMS);
  for (const t of known) {
    const row = model.logLikelihood[t];
    for (let c = 0; c < scores.length; c++) scores[c] += weight * row[c];
  }
  const candidates = model.labels.map((label, c) => ({ label, score: scores[c] })).filter((x) => !allowed || allowed(x.label));
  if (candidates.length === 0) return { ranked: [], knownTerms: known.length };
  const max = Math.max(...candidates.map((x) => x.score));
  const exp = candidates.map((x) => Math.exp(x.score - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  const ranked = candidates.map((x, i) => ({ label: x.label, p: exp[i] / sum })).sort((a, b) => b.p - a.p);
  return { ranked, knownTerms: known.length };
}
