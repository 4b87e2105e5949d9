import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consoleCsp, findConsoleDir } from './console-files';

describe('consoleCsp', () => {
  it('allows only the console’s own files, requests and websocket', () => {
    const csp = consoleCsp('console.example:8443', true);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("style-src 'self';");
    expect(csp).toContain("connect-src 'self' wss://console.example:8443;");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-|https?:|\*/);
    expect(consoleCsp('127.0.0.1:3000', false)).toContain("connect-src 'self' ws://127.0.0.1:3000;");
  });

  it('lets the softphone reach Twilio only where the voice channel is configured, and nothing else of Twilio', () => {
    const csp = consoleCsp('console.example:8443', true, true);
    expect(csp).toContain("connect-src 'self' wss://console.example:8443 wss://*.twilio.com https://eventgw.twilio.com;");
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain('media-src');
  });

  it('adds nothing for a Host header that is not a plain host[:port]', () => {
    for (const host of ["evil.example; script-src 'unsafe-inline'", 'a b', '', undefined]) {
      const csp = consoleCsp(host, false);
      expect(csp).toContain("connect-src 'self';");
      expect(csp).not.toContain('unsafe-inline');
    }
  });
});

describe('findConsoleDir', () => {
  it('finds the build beside the compiled service, never the unbuilt sources in console/', () => {
    const root = mkdtempSync(join(tmpdir(), 'console-dir-'));
    mkdirSync(join(root, 'console'), { recursive: true });
    writeFileSync(join(root, 'console', 'index.html'), 'sources');
    mkdirSync(join(root, 'src', 'console'), { recursive: true });
    expect(findConsoleDir(join(root, 'src', 'console'))).toBeNull();

    mkdirSync(join(root, 'dist', 'console', '.vite'), { recursive: true });
    writeFileSync(join(root, 'dist', 'console', 'index.html'), 'built');
    writeFileSync(join(root, 'dist', 'console', '.vite', 'manifest.json'), '{}');
    expect(findConsoleDir(join(root, 'src', 'console'))).toBe(join(root, 'dist', 'console'));
    // Compiled: dist/src/console/ → dist/console.
    expect(findConsoleDir(join(root, 'dist', 'src', 'console'))).toBe(join(root, 'dist', 'console'));
  });
});
