import { ScrollingModule } from '@angular/cdk/scrolling';
import { ChangeDetectionStrategy, Component, inject, OnInit } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { NodeResponse } from '@thresh/protocol';
import { clock } from '../core/clock';
import { formatBytes, formatSince } from './format';
import { FleetSortKey, FleetStore } from './fleet.store';

/** Row height in pixels: the virtual scroll places rows by it. */
export const ROW_HEIGHT = 44;

interface Column {
  key: FleetSortKey | null;
  label: string;
  /** Hidden on narrow screens, where the first columns matter most. */
  wide?: boolean;
}

@Component({
  selector: 'app-fleet-page',
  imports: [ScrollingModule, RouterLink],
  templateUrl: './fleet-page.html',
  styleUrl: './fleet-page.css',
  providers: [FleetStore],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class FleetPage implements OnInit {
  protected readonly fleet = inject(FleetStore);
  protected readonly rowHeight = ROW_HEIGHT;
  protected readonly now = clock();
  protected readonly columns: Column[] = [
    { key: 'name', label: 'Node' },
    { key: 'status', label: 'Status' },
    { key: 'cpu', label: 'CPU' },
    { key: 'memory', label: 'Memory' },
    { key: 'disk', label: 'Storage' },
    { key: 'containers', label: 'Containers', wide: true },
    { key: 'environments', label: 'Environments', wide: true },
    { key: null, label: 'Agent', wide: true },
  ];

  ngOnInit(): void {
    void this.fleet.load();
  }

  protected readonly trackById = (_index: number, node: NodeResponse) => node.id;

  protected usage(used: number | null, total: number): string {
    return used === null ? `- / ${formatBytes(total)}` : `${formatBytes(used)} / ${formatBytes(total)}`;
  }

  protected cpu(node: NodeResponse): string {
    return node.cpuPercent === null ? '-' : `${Math.round(node.cpuPercent)}%`;
  }

  protected since(iso: string | null): string {
    return formatSince(iso, this.now());
  }

  protected ariaSort(key: FleetSortKey | null): 'ascending' | 'descending' | 'none' {
    const query = this.fleet.query();
    return key && query.sort === key ? (query.order === 'asc' ? 'ascending' : 'descending') : 'none';
  }

  protected onSearch(event: Event): void {
    this.fleet.update({ search: (event.target as HTMLInputElement).value });
  }

  protected onStatus(event: Event): void {
    this.fleet.update({ status: (event.target as HTMLSelectElement).value as 'all' | 'online' | 'offline' });
  }

  protected onCluster(event: Event): void {
    this.fleet.update({ cluster: (event.target as HTMLSelectElement).value || null });
  }
}
