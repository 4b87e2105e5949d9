export * from './custom-fields';
