export * from './assignment-plan';
