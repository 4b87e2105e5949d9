export * from './search-terms';
