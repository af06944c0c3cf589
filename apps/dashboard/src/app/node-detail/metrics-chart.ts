import { ChangeDetectionStrategy, Component, effect, ElementRef, input, OnDestroy, viewChild } from '@angular/core';
import type { MetricPoint } from '@thresh/protocol';
import { CategoryScale, Chart, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Filler, Tooltip, Legend);

export type ChartedValue = 'cpu' | 'memory' | 'disk';

const SERIES: Record<ChartedValue, { label: string; value: (point: MetricPoint) => number; unit: string }> = {
  cpu: { label: 'CPU %', value: (point) => point.cpuPercent, unit: '%' },
  memory: { label: 'Memory used (GiB)', value: (point) => point.memoryUsedBytes / 1024 ** 3, unit: 'GiB' },
  disk: { label: 'Storage used (GiB)', value: (point) => point.diskUsedBytes / 1024 ** 3, unit: 'GiB' },
};

/** One measurement of a node over time, drawn by Chart.js on a canvas, with a text summary for screen readers. */
@Component({
  selector: 'app-metrics-chart',
  template: `<figure>
    <figcaption>{{ caption() }}</figcaption>
    <div class="canvas"><canvas #canvas role="img" [attr.aria-label]="summary()"></canvas></div>
  </figure>`,
  styles: `
    figure { margin: 0; background: var(--surface); border: 1px solid var(--border); border-radius: 6px; padding: 0.75rem; }
    figcaption { font-weight: 600; margin-bottom: 0.5rem; }
    .canvas { position: relative; height: 12rem; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class MetricsChart implements OnDestroy {
  readonly points = input.required<MetricPoint[]>();
  readonly value = input.required<ChartedValue>();
  private readonly canvas = viewChild.required<ElementRef<HTMLCanvasElement>>('canvas');
  private chart?: Chart<'line'>;

  protected caption(): string {
    return SERIES[this.value()].label;
  }

  protected summary(): string {
    const series = SERIES[this.value()];
    const values = this.points().map(series.value);
    if (values.length === 0) return `${series.label}: no measurements in this range`;
    const average = values.reduce((total, value) => total + value, 0) / values.length;
    return `${series.label}: ${values.length} points, average ${average.toFixed(1)} ${series.unit}, highest ${Math.max(...values).toFixed(1)} ${series.unit}`;
  }

  constructor() {
    effect(() => this.draw(this.points(), this.value()));
  }

  ngOnDestroy(): void {
    this.chart?.destroy();
  }

  private draw(points: MetricPoint[], value: ChartedValue): void {
    const series = SERIES[value];
    const labels = points.map((point) => new Date(point.at).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }));
    const data = points.map(series.value);
    if (this.chart) {
      this.chart.data.labels = labels;
      this.chart.data.datasets[0].data = data;
      // A few points are drawn as dots, or a single one would not show at all.
      (this.chart.data.datasets[0] as { pointRadius?: number }).pointRadius = data.length < 30 ? 3 : 0;
      this.chart.update('none');
      return;
    }
    const context = this.canvas().nativeElement.getContext('2d');
    // No drawing surface (a browser without canvas): the text summary says it all.
    if (!context) return;
    this.chart = new Chart(context, {
      type: 'line',
      data: { labels, datasets: [{ label: series.label, data, borderColor: '#2f5bd3', backgroundColor: 'rgba(47, 91, 211, 0.12)', fill: true, pointRadius: data.length < 30 ? 3 : 0, tension: 0.2 }] },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { x: { ticks: { maxTicksLimit: 8, autoSkip: true } }, y: { beginAtZero: true, ...(value === 'cpu' ? { max: 100 } : {}) } },
        plugins: { legend: { display: false } },
      },
    });
  }
}
