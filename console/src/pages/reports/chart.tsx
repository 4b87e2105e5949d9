import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { useEffect, useRef } from 'react';

// Only the parts the reports draw, so the reports' chunk carries no unused chart types.
Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Legend, Tooltip);

/** Distinct colours that also differ in lightness; the table beside each chart carries the same figures as text. */
export const PALETTE = ['#0b4f8a', '#d9822b', '#2e8540', '#8250df', '#b42318', '#5f6b7a', '#c4a000', '#1f9bb5'];

export interface Series {
  label: string;
  data: Array<number | null>;
  type?: 'bar' | 'line';
}

/**
 * A chart drawn on a canvas: to assistive technology it is one image named by `label` (what it shows); the figures
 * themselves are in the table that follows it on the page.
 */
export function BarChart({
  label,
  labels,
  series,
  stacked = false,
  max,
  counts = false,
}: {
  label: string;
  labels: string[];
  series: Series[];
  stacked?: boolean;
  max?: number;
  counts?: boolean;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const config: ChartConfiguration<'bar' | 'line', Array<number | null>, string> = {
      type: 'bar',
      data: {
        labels,
        datasets: series.map((s, i) => ({
          type: s.type ?? 'bar',
          label: s.label,
          data: s.data,
          backgroundColor: PALETTE[i % PALETTE.length],
          borderColor: PALETTE[i % PALETTE.length],
          borderDash: s.type === 'line' ? [6, 4] : undefined,
        })),
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { x: { stacked }, y: { stacked, beginAtZero: true, max, ticks: counts ? { precision: 0 } : undefined } },
        plugins: { legend: { position: 'bottom' } },
      },
    };
    const chart = new Chart(canvas.current!, config);
    return () => chart.destroy();
  }, [labels, series, stacked, max, counts]);
  return (
    <div className="chart">
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
