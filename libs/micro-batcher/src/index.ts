export * from './micro-batcher';
export * from './batch-or-one-by-one';
