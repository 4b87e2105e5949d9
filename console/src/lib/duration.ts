/**
 * A whole number of seconds as staff read a target: "1 h 30 min", "45 min", "90 s". Hours and minutes are the
 * international symbols, the same in Latvian and English; no-break spaces keep a number with its unit.
 */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  const parts: string[] = [];
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (hours) parts.push(`${hours}\u00a0h`);
  if (minutes) parts.push(`${minutes}\u00a0min`);
  if (rest || parts.length === 0) parts.push(`${rest}\u00a0s`);
  return parts.join(' ');
}
