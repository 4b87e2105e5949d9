export * from './classifier';
export * from './evaluate';
export { GLOSSARY_EXAMPLES, SEED_EXAMPLES, SHARED_SERVICE_GROUPS } from './examples';
export type { NaiveBayesModel } from './naive-bayes';
