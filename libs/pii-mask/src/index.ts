export * from './pii-mask';
