import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type { NodeListResponse } from '@thresh/protocol';
import { Observable } from 'rxjs';

@Injectable({ providedIn: 'root' })
export class NodesService {
  private readonly http = inject(HttpClient);

  list(): Observable<NodeListResponse> {
    return this.http.get<NodeListResponse>('/api/nodes', { params: { limit: 1000 } });
  }
}
