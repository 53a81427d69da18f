/**
 * Fault injection for the crash-safety suite: with ADDUSER_CRASH_AT=<point> the process kills
 * itself with SIGKILL at that point, exactly where a power cut or an OOM kill could land.
 * Unset (always, outside that suite) it does nothing.
 */
export function crashPoint(point: 'after-store' | 'after-submit' | 'after-approval' | 'after-provider-answer'): void {
  if (process.env.ADDUSER_CRASH_AT === point) process.kill(process.pid, 'SIGKILL');
}
