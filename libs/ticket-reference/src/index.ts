export * from './ticket-reference';
