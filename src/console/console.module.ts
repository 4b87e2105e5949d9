import { Module } from '@nestjs/common';
import { ConsoleController } from './console.controller';

/** Serves the built staff console; it talks to the API only through the public REST routes and /agents socket. */
@Module({ controllers: [ConsoleController] })
export class ConsoleModule {}
