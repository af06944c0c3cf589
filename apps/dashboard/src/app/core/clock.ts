import { DestroyRef, inject, signal, Signal } from '@angular/core';

/** The time now, ticking every few seconds so "… ago" stays true between pushes; it stops with its component. */
export function clock(periodMs = 5000): Signal<number> {
  const now = signal(Date.now());
  const timer = setInterval(() => now.set(Date.now()), periodMs);
  inject(DestroyRef).onDestroy(() => clearInterval(timer));
  return now.asReadonly();
}
