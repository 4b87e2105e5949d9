/** The DataSource of the TypeORM CLI (`npm run migration:run`), built from the same options as the app's. */
import { DataSource } from 'typeorm';
import { loadDatabaseConfig } from '../config/app-config';
import { dataSourceOptions } from './database-options';

export default new DataSource(dataSourceOptions(loadDatabaseConfig()));
