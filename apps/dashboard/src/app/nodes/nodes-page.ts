import { DecimalPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, DestroyRef, inject, OnInit, signal } from '@angular/core';
import type { NodeResponse } from '@thresh/protocol';
import { errorMessage } from '../core/error-message';
import { formatBytes, formatSince } from './format-bytes';
import { NodesService } from './nodes.service';

const REFRESH_MS = 5000;

@Component({
  selector: 'app-nodes-page',
  imports: [DecimalPipe],
  templateUrl: './nodes-page.html',
  styleUrl: './nodes-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class NodesPage implements OnInit {
  private readonly nodesService = inject(NodesService);
  private readonly destroyRef = inject(DestroyRef);

  protected readonly nodes = signal<NodeResponse[] | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly now = signal(Date.now());
  protected readonly counts = computed(() => {
    const nodes = this.nodes() ?? [];
    const online = nodes.filter((node) => node.status === 'online').length;
    return { online, offline: nodes.length - online, total: nodes.length };
  });
  protected readonly usage = (used: number | null, total: number) => (used === null ? `- / ${formatBytes(total)}` : `${formatBytes(used)} / ${formatBytes(total)}`);
  protected readonly since = (iso: string | null) => formatSince(iso, this.now());

  ngOnInit(): void {
    this.refresh();
    const timer = setInterval(() => this.refresh(), REFRESH_MS);
    this.destroyRef.onDestroy(() => clearInterval(timer));
  }

  protected refresh(): void {
    this.nodesService.list().subscribe({
      next: (response) => {
        this.nodes.set(response.items);
        this.error.set(null);
        this.now.set(Date.now());
      },
      error: (error: unknown) => this.error.set(errorMessage(error)),
    });
  }
}
