import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppConfig, ConfigError, loadConfig } from './config/app-config';
import { retryStartup } from '@lib/startup-retry';
import { configureHttp, httpAdapter } from './http-setup';

/** How long a starting process waits for PostgreSQL to come back before it gives up (and exits, for its supervisor). */
const STARTUP_RETRY_MS = 120_000;

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG: a supervisor should not restart this in a loop
    }
    throw error;
  }

  // A process started while PostgreSQL restarts (57P01 in a start-up query, refused connections) waits for it
  // rather than exiting; the bound keeps a database that never comes back from hiding behind a live process.
  const app = await retryStartup(
    async () => {
      // Every role is an HTTP application: a worker serves only /health and /metrics.
      const created = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), httpAdapter(config), {
        bodyParser: false,
        bufferLogs: true,
        // Thrown rather than aborting the process, so that a start that met the database restarting can be retried.
        abortOnError: false,
      });
      try {
        configureHttp(created);
        await created.listen(config.PORT, '0.0.0.0');
        return created;
      } catch (error) {
        await created.close().catch(() => undefined);
        throw error;
      }
    },
    {
      maxMs: STARTUP_RETRY_MS,
      delayMs: 2000,
      onRetry: (error, attempt) => {
        const reason = error instanceof Error ? error.message : String(error);
        process.stderr.write(`start-up attempt ${attempt} met the database unavailable (${reason}); trying again\n`);
      },
    },
  );
  app.get(Logger).log(`role ${config.APP_ROLE} listening on port ${config.PORT}`, 'Bootstrap');
}

void bootstrap();
