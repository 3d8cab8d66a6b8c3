/**
 * Dependency-free SVG bar charts for the docs: horizontal bars, grouped or stacked, linear or log
 * scale. Deterministic output (no timestamps), so regenerating unchanged results changes nothing.
 */

export interface Series {
  name: string;
  values: number[];
  /** Defaults to the palette, in order. */
  color?: string;
}

export interface BarChartOptions {
  title: string;
  /** One row (group of bars) per category. */
  categories: string[];
  series: Series[];
  /** Axis caption, e.g. "requests per second". */
  unit: string;
  stacked?: boolean;
  log?: boolean;
  /** A vertical reference line (e.g. a limit), with its caption. */
  marker?: { value: number; label: string };
  format?: (value: number) => string;
  width?: number;
}

const COLORS = ["#2563eb", "#f97316", "#16a34a", "#dc2626", "#9333ea", "#0891b2", "#ca8a04", "#64748b"];
const FONT = `font-family="system-ui, -apple-system, Segoe UI, sans-serif"`;

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function defaultFormat(value: number): string {
  if (value === 0) return "0";
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toFixed(abs >= 1e7 ? 0 : 1)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toFixed(0)}k`;
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(abs >= 1 ? 2 : 3).replace(/\.?0+$/, "");
}

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

export function barChart(options: BarChartOptions): string {
  const format = options.format ?? defaultFormat;
  const width = options.width ?? 760;
  const labelWidth = Math.min(280, 12 + 6.6 * Math.max(...options.categories.map((c) => c.length)));
  const left = labelWidth + 8;
  const right = width - 70;
  const bar = options.stacked ? 16 : options.series.length > 2 ? 11 : 14;
  const groupHeight = options.stacked ? bar + 10 : options.series.length * (bar + 2) + 10;
  const top = 56;
  const plotHeight = options.categories.length * groupHeight;
  const legendY = top + plotHeight + 34;
  const height = legendY + 24;

  const totals = options.categories.map((_, i) =>
    options.stacked
      ? options.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0)
      : Math.max(...options.series.map((s) => s.values[i] ?? 0)),
  );
  const positive = options.series.flatMap((s) => s.values).filter((v) => v > 0);
  const maxValue = Math.max(...totals, options.marker?.value ?? 0);
  const logMin = options.log ? 10 ** Math.floor(Math.log10(Math.min(...positive, 1))) : 0;
  const logMax = options.log ? 10 ** Math.ceil(Math.log10(Math.max(maxValue, logMin * 10))) : 0;
  const linearMax = niceMax(maxValue);
  const x = (value: number) => {
    if (options.log) {
      if (value <= logMin) return left;
      return left + ((Math.log10(value) - Math.log10(logMin)) / (Math.log10(logMax) - Math.log10(logMin))) * (right - left);
    }
    return left + (value / linearMax) * (right - left);
  };

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  out.push(`<text x="12" y="24" font-size="15" font-weight="600" fill="#0f172a">${escapeXml(options.title)}</text>`);
  out.push(`<text x="12" y="42" fill="#475569">${escapeXml(options.unit)}${options.log ? " (log scale)" : ""}</text>`);

  const ticks = options.log
    ? Array.from({ length: Math.round(Math.log10(logMax / logMin)) + 1 }, (_, i) => logMin * 10 ** i)
    : Array.from({ length: 5 }, (_, i) => (linearMax * i) / 4);
  for (const tick of ticks) {
    const tx = x(tick).toFixed(1);
    out.push(`<line x1="${tx}" y1="${top - 4}" x2="${tx}" y2="${top + plotHeight}" stroke="#e2e8f0"/>`);
    out.push(`<text x="${tx}" y="${top + plotHeight + 16}" text-anchor="middle" fill="#64748b">${escapeXml(format(tick))}</text>`);
  }

  options.categories.forEach((category, i) => {
    const y0 = top + i * groupHeight + 4;
    const labelY = y0 + (options.stacked ? bar : options.series.length * (bar + 2)) / 2 + 4;
    out.push(`<text x="${left - 8}" y="${labelY.toFixed(1)}" text-anchor="end" fill="#0f172a">${escapeXml(category)}</text>`);
    let stackStart = 0;
    options.series.forEach((series, j) => {
      const value = series.values[i] ?? 0;
      const color = series.color ?? (COLORS[j % COLORS.length] as string);
      if (options.stacked) {
        const x1 = x(stackStart);
        const x2 = x(stackStart + value);
        if (value > 0) out.push(`<rect x="${x1.toFixed(1)}" y="${y0}" width="${Math.max(0.5, x2 - x1).toFixed(1)}" height="${bar}" fill="${color}"><title>${escapeXml(`${series.name}: ${format(value)}`)}</title></rect>`);
        stackStart += value;
        if (j === options.series.length - 1) out.push(`<text x="${(x(stackStart) + 4).toFixed(1)}" y="${y0 + bar - 4}" fill="#334155">${escapeXml(format(stackStart))}</text>`);
      } else {
        const y = y0 + j * (bar + 2);
        const x2 = x(value);
        out.push(`<rect x="${left}" y="${y}" width="${Math.max(value > 0 ? 0.5 : 0, x2 - left).toFixed(1)}" height="${bar}" fill="${color}"><title>${escapeXml(`${series.name}: ${format(value)}`)}</title></rect>`);
        out.push(`<text x="${(x2 + 4).toFixed(1)}" y="${y + bar - 3}" fill="#334155" font-size="11">${escapeXml(format(value))}</text>`);
      }
    });
  });

  if (options.marker) {
    const mx = x(options.marker.value).toFixed(1);
    out.push(`<line x1="${mx}" y1="${top - 8}" x2="${mx}" y2="${top + plotHeight}" stroke="#0f172a" stroke-dasharray="4 3"/>`);
    out.push(`<text x="${mx}" y="${top - 12}" text-anchor="middle" fill="#0f172a">${escapeXml(options.marker.label)}</text>`);
  }

  let lx = 12;
  options.series.forEach((series, j) => {
    out.push(`<rect x="${lx}" y="${legendY - 10}" width="12" height="12" fill="${series.color ?? COLORS[j % COLORS.length]}"/>`);
    out.push(`<text x="${lx + 16}" y="${legendY}" fill="#0f172a">${escapeXml(series.name)}</text>`);
    lx += 28 + series.name.length * 6.6;
  });
  out.push(`</svg>`);
  return `${out.join("\n")}\n`;
}
