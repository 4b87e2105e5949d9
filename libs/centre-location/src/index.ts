export * from './centre-location';
