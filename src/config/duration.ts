const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "15m", "72h", "3d" or a combination like "1d12h" → milliseconds; undefined when unreadable. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (!/^(\d+[smhd])+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+)([smhd])/g)) total += Number(amount) * UNITS[unit as string]!;
  return total > 0 ? total : undefined;
}

/** Milliseconds back to the shortest text parseDuration reads: 72h, 1d12h, 90m stays 1h30m. */
export function formatDuration(ms: number): string {
  let rest = Math.round(ms / 1_000) * 1_000;
  let text = '';
  for (const unit of ['d', 'h', 'm', 's']) {
    const size = UNITS[unit]!;
    if (rest >= size) {
      text += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return text || '0s';
}
