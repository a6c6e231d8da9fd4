// A log-log line chart as SVG text, written by hand (no dependency): one panel per scenario,
// throughput against rule count, one line per engine.

export interface ChartPoint {
  readonly x: number;
  readonly y: number;
}

export interface ChartSeries {
  readonly name: string;
  readonly color: string;
  readonly dashed?: boolean;
  readonly points: readonly ChartPoint[];
}

export interface ChartPanel {
  readonly title: string;
  /** This panel's x axis, when not the chart's. */
  readonly xLabel?: string;
  readonly series: readonly ChartSeries[];
}

export interface ChartOptions {
  readonly title: string;
  readonly subtitle?: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly panelWidth?: number;
  readonly panelHeight?: number;
  readonly columns?: number;
}

const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Powers of ten covering [lo, hi]. */
function decades(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(10 ** e);
  return out;
}

/** `10`, `1k`, `100k`, `1M`, `0.1`. */
export function shortNumber(v: number): string {
  if (v >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (v >= 1e3) return `${+(v / 1e3).toPrecision(3)}k`;
  return `${+v.toPrecision(3)}`;
}

export function lineChartSvg(panels: readonly ChartPanel[], options: ChartOptions): string {
  const pw = options.panelWidth ?? 300;
  const ph = options.panelHeight ?? 230;
  const cols = Math.min(options.columns ?? 3, Math.max(1, panels.length));
  const rows = Math.ceil(panels.length / cols);
  const header = options.subtitle ? 52 : 34;
  const width = cols * pw + 20;
  // Every series name once (panels may have different ones), in rows that fit the width.
  const legend = [...new Map(panels.flatMap((p) => p.series).map((s) => [s.name, s])).values()];
  const legendRows: { series: ChartSeries; x: number }[][] = [[]];
  let lx = 20;
  for (const s of legend) {
    const w = 40 + s.name.length * 6.5;
    if (lx + w > width && legendRows.at(-1)!.length > 0) {
      legendRows.push([]);
      lx = 20;
    }
    legendRows.at(-1)!.push({ series: s, x: lx });
    lx += w;
  }
  const legendH = 10 + 18 * legendRows.length;
  const height = header + rows * ph + legendH;
  // One y range for every panel, so panels compare by eye.
  const all = panels.flatMap((p) => p.series.flatMap((s) => s.points)).filter((p) => p.x > 0 && p.y > 0);
  const yDec = decades(Math.min(...all.map((p) => p.y)), Math.max(...all.map((p) => p.y)));
  const xDec = decades(Math.min(...all.map((p) => p.x)), Math.max(...all.map((p) => p.x)));
  const [y0, y1] = [Math.log10(yDec[0]!), Math.log10(yDec.at(-1)!)];
  const [x0, x1] = [Math.log10(xDec[0]!), Math.log10(xDec.at(-1)!)];
  const m = { left: 50, right: 12, top: 24, bottom: 38 };
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(options.title)}</text>`,
  ];
  if (options.subtitle)
    out.push(
      `<text x="${width / 2}" y="38" text-anchor="middle" fill="#555">${escapeXml(options.subtitle)}</text>`,
    );
  panels.forEach((panel, k) => {
    const ox = 10 + (k % cols) * pw;
    const oy = header + Math.floor(k / cols) * ph;
    const iw = pw - m.left - m.right;
    const ih = ph - m.top - m.bottom;
    const px = (x: number) => ox + m.left + ((Math.log10(x) - x0) / Math.max(1e-9, x1 - x0)) * iw;
    const py = (y: number) => oy + m.top + ih - ((Math.log10(y) - y0) / Math.max(1e-9, y1 - y0)) * ih;
    out.push(
      `<text x="${ox + m.left + iw / 2}" y="${oy + 14}" text-anchor="middle" font-weight="bold">${escapeXml(panel.title)}</text>`,
      `<rect x="${ox + m.left}" y="${oy + m.top}" width="${iw}" height="${ih}" fill="none" stroke="#999"/>`,
    );
    for (const d of yDec) {
      const y = py(d).toFixed(1);
      out.push(
        `<line x1="${ox + m.left}" x2="${ox + m.left + iw}" y1="${y}" y2="${y}" stroke="#e4e4e4"/>`,
        `<text x="${ox + m.left - 4}" y="${y}" text-anchor="end" dominant-baseline="middle">${shortNumber(d)}</text>`,
      );
    }
    for (const d of xDec) {
      const x = px(d).toFixed(1);
      out.push(
        `<line x1="${x}" x2="${x}" y1="${oy + m.top}" y2="${oy + m.top + ih}" stroke="#e4e4e4"/>`,
        `<text x="${x}" y="${oy + m.top + ih + 14}" text-anchor="middle">${shortNumber(d)}</text>`,
      );
    }
    out.push(
      `<text x="${ox + m.left + iw / 2}" y="${oy + ph - 8}" text-anchor="middle" fill="#555">${escapeXml(panel.xLabel ?? options.xLabel)}</text>`,
      `<text transform="translate(${ox + 12} ${oy + m.top + ih / 2}) rotate(-90)" text-anchor="middle" fill="#555">${escapeXml(options.yLabel)}</text>`,
    );
    for (const s of panel.series) {
      const pts = s.points.filter((p) => p.x > 0 && p.y > 0);
      if (pts.length === 0) continue;
      const d = pts
        .map((p, i) => `${i === 0 ? 'M' : 'L'}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`)
        .join(' ');
      out.push(
        `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5,3"' : ''}/>`,
        ...pts.map(
          (p) => `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="2.5" fill="${s.color}"/>`,
        ),
      );
    }
  });
  // Legend: the first panel's series.
  legendRows.forEach((row, r) => {
    const ly = height - legendH + 22 + 18 * r;
    for (const { series: s, x } of row)
      out.push(
        `<line x1="${x}" x2="${x + 22}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5,3"' : ''}/>`,
        `<text x="${x + 27}" y="${ly}">${escapeXml(s.name)}</text>`,
      );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
